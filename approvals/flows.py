"""The lifecycle graph of an approval document (django-viewflow). Only the graph lives here (STYLE.md rule 5).

The route itself — steps, approvers, send-back, 後閲, bulk approval — is walked by approvals/services.py while the
`review` task stays open; the services move the process through approvals/workflow.py, never through these nodes
directly.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from approvals.models import DocumentStatus


class ApprovalFlow(flow.Flow):
    process_title = _("Approval document")
    process_description = _("A document filed for approval (起案), reviewed along its route and closed.")

    start = flow.StartHandle(this.attach_document).Annotation(title=_("Filed")).Next(this.review)
    review = flow.Handle().Annotation(title=_("Under review")).Next(this.outcome)
    outcome = (
        flow.Switch()
        .Annotation(title=_("Outcome"))
        .Case(this.decided, this.is_decided)
        .Case(this.rejected, this.is_rejected)
        .Case(this.withdrawn, this.is_withdrawn)
    )
    decided = flow.End().Annotation(title=_("Decided"))
    rejected = flow.End().Annotation(title=_("Rejected"))
    withdrawn = flow.End().Annotation(title=_("Withdrawn"))

    def attach_document(self, activation, document):
        # The process row is saved right after this returns; Document.save() then picks up its id.
        document.process = activation.process
        return activation.process

    def is_decided(self, activation) -> bool:
        return activation.process.document.status == DocumentStatus.DECIDED

    def is_rejected(self, activation) -> bool:
        return activation.process.document.status == DocumentStatus.REJECTED

    def is_withdrawn(self, activation) -> bool:
        return activation.process.document.status == DocumentStatus.WITHDRAWN
