"""The e-approval pages: queues.py (the queues and bulk approval), documents.py (the document page and the
actions on it), filing.py (filing any registered document type, correcting a sent-back one, a type's list)."""
