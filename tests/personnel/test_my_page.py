"""My page: who I am, my posts, and my delegations (代理) with the form to set one up and revoke it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from personnel import services
from personnel.models import Assignment, Delegation
from tests.webtools import log_in, page_text


@pytest.fixture
def today() -> date:
    return timezone.localdate()


def form_data(delegate_number: str, start: date, end: date, reason: str = "年次休暇") -> dict:
    return {"delegate_number": delegate_number, "start_date": start, "end_date": end, "reason": reason}


def post_delegation(client, **data):
    return client.post(reverse("personnel:delegation_create"), form_data(**data))


def test_my_page_shows_the_section_heads_profile(city, client):
    log_in(client, city.approver.user)
    text = page_text(client.get(reverse("personnel:my_page")))
    for shown in ("高橋 健", "タカハシ ケン", "100004", "0004"):
        assert shown in text


def test_my_page_shows_the_section_heads_unit_and_position(city, client):
    log_in(client, city.approver.user)
    text = page_text(client.get(reverse("personnel:my_page")))
    assert "人事課" in text and "課長" in text and "主務" in text


def test_my_page_lists_a_concurrent_post_after_the_primary_post(city, client, system_ctx, today):
    services.assignment_create(
        actor=None,
        ctx=system_ctx,
        staff=city.approver,
        unit=city.unit("S2"),
        position=city.approver.assignments.get().position,
        start_date=date(2026, 4, 1),
        is_primary=False,
    )
    log_in(client, city.approver.user)
    text = page_text(client.get(reverse("personnel:my_page")))
    assert "兼務" in text
    assert text.index("人事課") < text.index("契約課")


def test_a_delegation_is_set_up_through_the_form(city, client, today):
    log_in(client, city.approver.user)
    response = post_delegation(client, delegate_number="100008", start=today, end=today + timedelta(days=3))
    assert response.status_code == 302
    delegation = Delegation.objects.get()
    assert (delegation.delegator, delegation.delegate) == (city.approver, city.delegate)
    text = page_text(client.get(reverse("personnel:my_page")))
    assert "中村 大輔" in text and "代理を設定しました" in text


def test_the_delegate_sees_whom_they_act_for(city, client, today):
    log_in(client, city.approver.user)
    post_delegation(client, delegate_number="100008", start=today, end=today + timedelta(days=3))
    log_in(client, city.delegate.user)
    assert "高橋 健" in page_text(client.get(reverse("personnel:my_page")))


def test_it_refuses_an_unknown_employee_number_with_a_form_error(city, client, today):
    log_in(client, city.approver.user)
    response = post_delegation(client, delegate_number="999999", start=today, end=today)
    assert response.status_code == 400
    assert "職員番号 999999 の職員は見つかりません。" in page_text(response)
    assert not Delegation.objects.exists()


def test_it_refuses_a_delegation_to_oneself_with_a_form_error(city, client, today):
    log_in(client, city.approver.user)
    response = post_delegation(client, delegate_number="100004", start=today, end=today)
    assert response.status_code == 400
    assert "自分自身に代理を設定することはできません。" in page_text(response)
    assert not Delegation.objects.exists()


def test_it_refuses_a_delegation_that_ends_before_it_starts_with_a_form_error(city, client, today):
    log_in(client, city.approver.user)
    response = post_delegation(client, delegate_number="100008", start=today + timedelta(days=2), end=today)
    assert response.status_code == 400
    assert "代理の終了日を開始日より前にすることはできません。" in page_text(response)
    assert not Delegation.objects.exists()


def test_it_refuses_an_overlapping_delegation_with_a_form_error(city, client, today):
    log_in(client, city.approver.user)
    post_delegation(client, delegate_number="100008", start=today, end=today + timedelta(days=5))
    response = post_delegation(
        client, delegate_number="100003", start=today + timedelta(days=2), end=today + timedelta(days=4)
    )
    assert response.status_code == 400
    assert "取り消してください" in page_text(response)
    assert Delegation.objects.count() == 1


def test_a_double_submitted_form_saves_one_delegation_and_explains_the_second(city, client, today):
    log_in(client, city.approver.user)
    data = {"delegate_number": "100008", "start": today, "end": today + timedelta(days=1)}
    first, second = post_delegation(client, **data), post_delegation(client, **data)
    assert first.status_code == 302 and second.status_code == 400
    assert "中村 大輔" in page_text(second)
    assert Delegation.objects.count() == 1


def test_the_form_keeps_what_was_typed_when_it_is_refused(city, client, today):
    log_in(client, city.approver.user)
    response = post_delegation(client, delegate_number="100004", start=today, end=today, reason="出張のため")
    assert 'value="出張のため"' in page_text(response)


def test_the_delegator_revokes_a_delegation(city, client, today):
    log_in(client, city.approver.user)
    post_delegation(client, delegate_number="100008", start=today, end=today + timedelta(days=3))
    delegation = Delegation.objects.get()
    response = client.post(reverse("personnel:delegation_revoke", args=[delegation.pk]), follow=True)
    delegation.refresh_from_db()
    assert delegation.revoked_by == city.approver.user
    assert "取り消しました" in page_text(response)


def test_revoking_twice_shows_a_message_instead_of_an_error_page(city, client, today):
    log_in(client, city.approver.user)
    post_delegation(client, delegate_number="100008", start=today, end=today + timedelta(days=3))
    url = reverse("personnel:delegation_revoke", args=[Delegation.objects.get().pk])
    client.post(url)
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert "この代理はすでに取り消されています。" in page_text(response)


def test_it_refuses_a_revoke_by_the_delegate(city, client, today):
    log_in(client, city.approver.user)
    post_delegation(client, delegate_number="100008", start=today, end=today + timedelta(days=3))
    delegation = Delegation.objects.get()
    log_in(client, city.delegate.user)
    text = page_text(client.post(reverse("personnel:delegation_revoke", args=[delegation.pk]), follow=True))
    delegation.refresh_from_db()
    assert delegation.revoked_at is None
    assert "この操作を行う権限がありません。" in text


def test_it_hides_other_peoples_delegations_from_revoke(city, client, today):
    log_in(client, city.approver.user)
    post_delegation(client, delegate_number="100008", start=today, end=today + timedelta(days=3))
    log_in(client, city.outsider.user)
    response = client.post(reverse("personnel:delegation_revoke", args=[Delegation.objects.get().pk]))
    assert response.status_code == 404
    assert Delegation.objects.get().revoked_at is None


def test_it_refuses_a_revoke_by_get(city, client, today):
    log_in(client, city.approver.user)
    post_delegation(client, delegate_number="100008", start=today, end=today + timedelta(days=3))
    response = client.get(reverse("personnel:delegation_revoke", args=[Delegation.objects.get().pk]))
    assert response.status_code == 405


def test_a_member_without_a_current_assignment_is_told_why(city, client, system_ctx, today):
    services.assignment_end(
        actor=None, ctx=system_ctx, assignment=Assignment.objects.get(staff=city.applicant), end_date=date(2026, 4, 1)
    )
    log_in(client, city.applicant.user)
    response = client.get(reverse("personnel:my_page"))
    text = page_text(response)
    assert response.status_code == 200
    assert "現在の配属がないため" in text
    assert 'name="delegate_number"' not in text


def test_a_login_without_a_staff_record_is_told_why(db, client):
    admin = get_user_model().objects.create_superuser("root", "root@example.jp", "a-long-password-1")
    log_in(client, admin)
    response = client.get(reverse("personnel:my_page"))
    assert response.status_code == 200
    assert "職員情報と結び付いていない" in page_text(response)


def test_it_refuses_a_delegation_form_from_a_login_without_a_staff_record(db, client, today):
    admin = get_user_model().objects.create_superuser("root", "root@example.jp", "a-long-password-1")
    log_in(client, admin)
    response = post_delegation(client, delegate_number="100008", start=today, end=today)
    assert response.status_code == 403
    assert not Delegation.objects.exists()
