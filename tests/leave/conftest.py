import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_messages_outside_requests():
    """Service and access messages are asserted by their English msgids here. Japanese is the default
    language (LANGUAGE_CODE="ja") and has a full catalogue, so outside a request they would come out in
    Japanese; requests made through the test client still get their language from LocaleMiddleware."""
    with translation.override("en"):
        yield
