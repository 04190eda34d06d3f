"""Approval tests assert English msgids: the Japanese catalogue of these strings is written separately, so a
test must not depend on it. Browser journeys (marked `browser`) keep the language they ask for.

Plain helper functions (file a document, find a slot, approve) are in tests/approvals/helpers.py; the document
types the engine tests use are the test-only ones of tests/sample_types."""

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_messages(request):
    """Service and access messages built outside a request come out in English."""
    if request.node.get_closest_marker("browser"):
        yield
        return
    with translation.override("en"):
        yield


@pytest.fixture
def client(client):
    """Pages fetched through the test client are rendered in English (LocaleMiddleware reads Accept-Language)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
