"""The request context: which zone a request comes from, and how strongly it was authenticated."""

from __future__ import annotations

import ipaddress

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from personnel import access
from personnel.middleware import ASSURANCE_SESSION_KEY, AccessContextMiddleware


def run(request):
    seen = {}

    def view(req):
        seen["ctx"] = req.access
        return HttpResponse("ok")

    response = AccessContextMiddleware(view)(request)
    return seen["ctx"], response


@pytest.fixture
def proxies(settings):
    settings.OFFICE_NETWORKS = [ipaddress.ip_network("10.20.0.0/16"), ipaddress.ip_network("127.0.0.0/8")]
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("10.99.0.10/32")]


def request_from(addr: str, forwarded: str | None = None, assurance: str | None = None):
    extra = {"REMOTE_ADDR": addr}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    request = RequestFactory().get("/", **extra)
    request.session = {ASSURANCE_SESSION_KEY: assurance} if assurance else {}
    return request


def test_a_request_from_an_office_network_is_in_the_office_zone(proxies):
    ctx, _ = run(request_from("10.20.3.4"))
    assert ctx.zone == access.OFFICE


def test_a_request_from_elsewhere_is_remote(proxies):
    ctx, _ = run(request_from("203.0.113.5"))
    assert ctx.zone == access.REMOTE


def test_a_client_cannot_claim_an_office_address_in_a_forwarded_header(proxies):
    ctx, _ = run(request_from("203.0.113.5", forwarded="10.20.3.4"))
    assert ctx.zone == access.REMOTE


def test_a_trusted_proxy_passes_on_the_real_client_address(proxies):
    office, _ = run(request_from("10.99.0.10", forwarded="10.20.3.4"))
    home, _ = run(request_from("10.99.0.10", forwarded="10.20.3.4, 198.51.100.7"))
    assert (office.zone, home.zone) == (access.OFFICE, access.REMOTE)


def test_a_malformed_forwarded_chain_counts_as_remote(proxies):
    ctx, _ = run(request_from("10.99.0.10", forwarded="10.20.3.4, not-an-ip"))
    assert ctx.zone == access.REMOTE


def test_remote_responses_tell_the_browser_to_store_nothing(proxies):
    _, remote = run(request_from("203.0.113.5"))
    _, office = run(request_from("10.20.3.4"))
    assert remote["Cache-Control"] == "no-store"
    assert "Cache-Control" not in office


def test_assurance_comes_from_the_session(proxies):
    with_otp, _ = run(request_from("203.0.113.5", assurance=access.OTP))
    without, _ = run(request_from("203.0.113.5"))
    assert (with_otp.assurance, without.assurance) == (access.OTP, access.PASSWORD)


def test_an_unknown_assurance_value_in_the_session_counts_as_password(proxies):
    ctx, _ = run(request_from("203.0.113.5", assurance="biometric"))
    assert ctx.assurance == access.PASSWORD
