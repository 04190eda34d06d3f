"""Payroll tests render English (the service messages are English msgids); the 庶務センター clerk joins the cast."""

import pytest
from django.utils import translation

from tests.approvals.helpers import center_clerk


@pytest.fixture(autouse=True)
def _english_messages(request):
    if request.node.get_closest_marker("browser"):
        yield
        return
    with translation.override("en"):
        yield


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def clerk(city, system_ctx):
    return center_clerk(city, system_ctx)
