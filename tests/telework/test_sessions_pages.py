"""My remote sessions (everyone's for HR) and the login log (情報政策 only)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from personnel import access
from telework import login
from telework.models import RemoteSession
from telework.models.logins import Factor, Outcome
from tests.webtools import log_in, page_text


def session_of(user, ip: str = "203.0.113.9") -> RemoteSession:
    at = timezone.now() - timedelta(hours=1)
    return RemoteSession.objects.create(
        user=user, session_key_hash="x" * 64, started_at=at, last_seen_at=at, ended_at=at, end_reason="idle", ip=ip
    )


def test_staff_see_only_their_own_remote_sessions(city, client):
    mine = session_of(city.applicant.user, "203.0.113.10")
    session_of(city.colleague.user, "203.0.113.11")
    log_in(client, city.applicant.user)
    response = client.get(reverse("telework:sessions"))
    assert response.status_code == 200
    assert [s.pk for s in response.context["page"].object_list] == [mine.pk]
    assert "203.0.113.11" not in page_text(response)


def test_hr_sees_everyones_remote_sessions_and_filters_by_staff(city, client):
    session_of(city.applicant.user, "203.0.113.10")
    session_of(city.colleague.user, "203.0.113.11")
    log_in(client, city.hr_clerk.user)
    everyone = client.get(reverse("telework:sessions"))
    assert len(everyone.context["page"].object_list) == 2
    one = client.get(reverse("telework:sessions"), {"staff": "100002"})
    assert [s.user_id for s in one.context["page"].object_list] == [city.colleague.user.pk]


def record(user, outcome=Outcome.FAILURE) -> None:
    login.attempt_record(
        user=user, username=user.username, ip="203.0.113.5", zone=access.REMOTE, factor=Factor.PASSWORD,
        outcome=outcome, reason="wrong password",
    )  # fmt: skip


def test_it_shows_the_login_log_to_it_with_filters(city, client):
    record(city.applicant.user)
    record(city.colleague.user, Outcome.SUCCESS)
    it = city.payroll_chief.user
    it.groups.add(Group.objects.get(name=access.Role.IT))
    log_in(client, it)
    response = client.get(reverse("telework:logins"))
    assert response.status_code == 200 and response.context["page"].paginator.count == 2
    failures = client.get(reverse("telework:logins"), {"outcome": "failure"})
    assert [a.user_id for a in failures.context["page"].object_list] == [city.applicant.user.pk]
    by_user = client.get(reverse("telework:logins"), {"user": city.colleague.user.username})
    assert by_user.context["page"].paginator.count == 1
    today = client.get(reverse("telework:logins"), {"day": timezone.localdate().isoformat()})
    assert today.context["page"].paginator.count == 2


def test_it_pages_the_login_log_by_fifty(city, client):
    for _ in range(51):
        record(city.applicant.user)
    it = city.payroll_chief.user
    it.groups.add(Group.objects.get(name=access.Role.IT))
    log_in(client, it)
    response = client.get(reverse("telework:logins"))
    assert len(response.context["page"].object_list) == 50
    assert len(client.get(reverse("telework:logins"), {"page": 2}).context["page"].object_list) == 1


def test_it_refuses_the_login_log_to_anyone_else(city, client):
    for person in (city.hr_clerk, city.approver):
        log_in(client, person.user)
        assert client.get(reverse("telework:logins")).status_code == 403


def test_the_login_log_names_reasons_in_japanese(city, client):
    record(city.applicant.user)
    it = city.payroll_chief.user
    it.groups.add(Group.objects.get(name=access.Role.IT))
    log_in(client, it)
    text = page_text(client.get(reverse("telework:logins"), HTTP_ACCEPT_LANGUAGE="ja"))
    assert "パスワード誤り" in text and "wrong password" not in text
