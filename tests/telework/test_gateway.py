"""The nginx auth_request endpoint: 204 with the user's headers for an OTP-assured session, 401 otherwise."""

from __future__ import annotations

import ipaddress

import pytest
from django.urls import reverse

from tests.webtools import REMOTE_ADDR, log_in

URL = "/telework/auth/"


@pytest.fixture
def behind_nginx(settings):
    """The portal sees nginx (10.99.0.10) as the peer; nginx forwards the client's address."""
    settings.OFFICE_NETWORKS = [ipaddress.ip_network("10.20.0.0/16")]
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("10.99.0.10/32")]


def test_it_is_named_telework_auth():
    assert reverse("telework:auth") == URL


def test_it_answers_401_without_a_session(client, db):
    response = client.get(URL)
    assert response.status_code == 401
    assert "X-Portal-User" not in response


def test_it_passes_a_remote_otp_session_with_user_staff_and_zone(client, city):
    log_in(client, city.applicant.user, remote=True, otp=True)
    response = client.get(URL)
    assert response.status_code == 204
    assert response["X-Portal-User"] == city.applicant.user.username
    assert response["X-Portal-Staff"] == city.applicant.employee_number
    assert response["X-Portal-Zone"] == "remote"
    assert response.content == b""


def test_it_passes_an_office_otp_session_as_office(client, city):
    log_in(client, city.applicant.user, otp=True)
    response = client.get(URL)
    assert (response.status_code, response["X-Portal-Zone"]) == (204, "office")


def test_it_refuses_a_remote_password_only_session(client, city):
    log_in(client, city.applicant.user, remote=True)
    response = client.get(URL)
    assert response.status_code == 401
    assert "X-Portal-User" not in response


def test_it_refuses_an_office_password_only_session(client, city):
    log_in(client, city.applicant.user)
    assert client.get(URL).status_code == 401


def test_it_refuses_an_inactive_user(client, city):
    log_in(client, city.applicant.user, remote=True, otp=True)
    user = city.applicant.user
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert client.get(URL).status_code == 401


def test_it_is_never_cached(client, city):
    log_in(client, city.applicant.user, otp=True)
    response = client.get(URL)
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_it_accepts_the_original_method_without_a_csrf_token(city):
    from django.test import Client

    client = log_in(Client(enforce_csrf_checks=True), city.applicant.user, otp=True)
    assert client.post(URL).status_code == 204


def test_it_takes_the_zone_from_the_address_nginx_forwards(client, city, behind_nginx):
    log_in(client, city.applicant.user, otp=True)
    home = client.get(URL, REMOTE_ADDR="10.99.0.10", HTTP_X_FORWARDED_FOR=REMOTE_ADDR)
    office = client.get(URL, REMOTE_ADDR="10.99.0.10", HTTP_X_FORWARDED_FOR="10.20.3.4")
    assert (home["X-Portal-Zone"], office["X-Portal-Zone"]) == ("remote", "office")


def test_it_ignores_a_forwarded_header_from_an_untrusted_peer(client, city, behind_nginx):
    log_in(client, city.applicant.user, otp=True)
    response = client.get(URL, REMOTE_ADDR=REMOTE_ADDR, HTTP_X_FORWARDED_FOR="10.20.3.4")
    assert response["X-Portal-Zone"] == "remote"


def test_it_costs_three_queries(client, city, django_assert_max_num_queries):
    log_in(client, city.applicant.user, remote=True, otp=True)
    client.get(URL)  # the first request of a session stamps its activity
    with django_assert_max_num_queries(3):
        assert client.get(URL).status_code == 204
