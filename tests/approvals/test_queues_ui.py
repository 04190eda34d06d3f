"""The queue pages and the header badges: the markup the live updates rely on, the list fragment, the tabs,
paging, and what each page costs in queries."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from approvals import services
from approvals.models import DecisionRule, Document
from tests.approvals.helpers import chief_delegates_to_colleague, file_document, file_leave, slot_of
from tests.webtools import log_in, make_hr_staff, page_text

pytestmark = pytest.mark.django_db


def badge(text: str, key: str) -> str:
    match = re.search(rf'<span class="badge[^"]*" data-count="{key}" data-hide-zero[^>]*>(\d+)</span>', text)
    assert match, f"no {key} badge"
    return match.group(0)


# ---- the live-update contract ----------------------------------------------------------------------------


def test_the_body_names_the_live_socket_when_logged_in(city, client):
    log_in(client, city.chief.user)
    assert '<body class="" data-live-url="/ws/queues/">' in page_text(client.get(reverse("personnel:my_page")))


def test_the_body_names_no_socket_on_the_login_page(client):
    assert "data-live-url" not in page_text(client.get(reverse("login")))


def test_the_header_carries_the_four_badges_with_their_counts(city, client, office):
    file_leave(city, office)
    log_in(client, city.chief.user)
    text = page_text(client.get(reverse("personnel:my_page")))
    assert badge(text, "inbox").endswith(">1</span>") and " hidden" not in badge(text, "inbox")
    for key in ("delegated", "circulated", "my_open"):
        assert " hidden" in badge(text, key) and badge(text, key).endswith(">0</span>")


def test_the_applicants_header_counts_the_open_request(city, client, office):
    file_leave(city, office)
    log_in(client, city.applicant.user)
    assert badge(page_text(client.get(reverse("personnel:my_page"))), "my_open").endswith(">1</span>")


def test_the_inbox_has_the_live_list_and_the_status_region(city, client, office):
    file_leave(city, office)
    log_in(client, city.chief.user)
    text = page_text(client.get(reverse("approvals:inbox")))
    assert '<div id="queue-list" data-live-refresh="/approvals/?partial=1">' in text
    assert re.search(r'<div id="live-status" class="visually-hidden" aria-live="polite"[^>]*></div>', text)


def test_the_partial_inbox_is_the_list_alone(city, client, office):
    document = file_leave(city, office)
    log_in(client, city.chief.user)
    response = client.get(reverse("approvals:inbox") + "?partial=1")
    text = page_text(response)
    assert response.status_code == 200
    assert document.title in text and f'value="{slot_of(document, city.chief).pk}"' in text
    assert "<html" not in text and 'id="queue-list"' not in text and "site-header" not in text
    # The row's own forms still return to the full page, not to the fragment.
    assert 'name="next" value="/approvals/"' in text


def test_the_partial_inbox_costs_no_header_queries(city, client, office):
    file_leave(city, office)
    log_in(client, city.chief.user)
    client.get(reverse("approvals:inbox"))
    with CaptureQueriesContext(connection) as full:
        client.get(reverse("approvals:inbox"))
    with CaptureQueriesContext(connection) as partial:
        client.get(reverse("approvals:inbox") + "?partial=1")
    # The fragment skips the header: no user name and no badge counts (the full page counts its rows with the
    # badges, the fragment alone with the paginator).
    assert len(partial) <= len(full) - 2
    assert any('AS "circulated"' in q["sql"] for q in full.captured_queries)
    assert not any('AS "circulated"' in q["sql"] for q in partial.captured_queries)


# ---- query counts ----------------------------------------------------------------------------------------


def inbox_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("approvals:inbox"))
    assert response.status_code == 200
    return len(captured)


def test_the_inbox_costs_the_same_for_one_item_and_for_twenty(city, client, office):
    file_leave(city, office, title="年次休暇 0")
    log_in(client, city.chief.user)
    one = inbox_queries(client)
    for n in range(1, 20):
        file_leave(city, office, title=f"年次休暇 {n}")
    twenty = inbox_queries(client)
    assert page_text(client.get(reverse("approvals:inbox"))).count('name="slot"') == 20
    assert one == twenty
    # The session and user, the principal, the counts, the page of rows, and the detail rows of the one document
    # type on the page (approvals/selectors.py attach_details).
    assert twenty <= 12


@pytest.mark.parametrize("name", ["approvals:delegated", "approvals:circulated", "approvals:mine"])
def test_the_other_queues_cost_the_same_for_one_item_and_for_five(city, client, office, name):
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(name)).status_code == 200
        return len(captured)

    def add(n: int) -> None:
        document = file_leave(city, office, title=f"年次休暇 {n}", circulate_to=[city.colleague])
        for who in (city.chief, city.delegate, city.approver):
            services.slot_approve(slot=slot_of(document, who), actor=who.user, ctx=office)

    add(0)
    file_leave(city, office, title="進行中")
    log_in(client, city.applicant.user if name == "approvals:mine" else city.colleague.user)
    count()  # the process's content-type cache filled, as on any page served before
    one = count()
    for n in range(1, 5):
        add(n)
    assert count() == one


# ---- tabs and lists --------------------------------------------------------------------------------------


def test_the_tabs_show_the_counts(city, client, office):
    file_leave(city, office)
    log_in(client, city.chief.user)
    text = page_text(client.get(reverse("approvals:inbox")))
    current = '<a href="/approvals/" aria-current="page">To approve <span class="badge" data-count="inbox">1</span>'
    assert current in text
    assert 'Held for others (代理) <span class="badge" data-count="delegated">0</span>' in text


def test_the_inbox_pages_fifty_items_at_a_time(city, client, office):
    for n in range(51):
        file_leave(city, office, title=f"年次休暇 {n:02d}")
    log_in(client, city.chief.user)
    first = page_text(client.get(reverse("approvals:inbox")))
    second = page_text(client.get(reverse("approvals:inbox") + "?page=2"))
    assert first.count('name="slot"') == 50 and second.count('name="slot"') == 1
    assert 'rel="next" href="?page=2"' in first


def test_the_inbox_shows_the_amount_in_yen(city, client, office):
    file_document(city.applicant.user, office, doc_type="purchase", title="物品購入", amount=48000)
    log_in(client, city.chief.user)
    assert "¥48,000" in page_text(client.get(reverse("approvals:inbox")))


def test_my_requests_say_where_each_document_waits_and_its_number_once_decided(city, client, office):
    waiting = file_leave(city, office, title="年次休暇 待ち")
    decided = file_leave(city, office, title="年次休暇 決裁済")
    for who in (city.chief, city.delegate, city.approver):
        services.slot_approve(slot=slot_of(decided, who), actor=who.user, ctx=office)
    services.slot_approve(slot=slot_of(waiting, city.chief), actor=city.chief.user, ctx=office)
    decided.refresh_from_db()
    log_in(client, city.applicant.user)
    text = page_text(client.get(reverse("approvals:mine")))
    rows = dict(re.findall(r'data-document="(\d+)">(.*?)</li>\s*(?=<li|</ol>)', text, flags=re.S))
    assert "課長補佐" in rows[str(waiting.pk)] and "中村 大輔" in rows[str(waiting.pk)]
    assert "In progress" in rows[str(waiting.pk)]
    assert decided.number in rows[str(decided.pk)] and "Decided" in rows[str(decided.pk)]


def test_the_delegated_tab_lists_what_the_user_holds_for_a_delegator(city, client, office):
    chief_delegates_to_colleague(city, office, reason="出張")
    document = file_leave(city, office)
    log_in(client, city.colleague.user)
    text = page_text(client.get(reverse("approvals:delegated")))
    assert document.title in text and "for 鈴木 一郎 (代理)" in text
    live_list = '<div id="queue-list" data-live-refresh="/approvals/delegated/?partial=1" data-live-count="delegated">'
    assert live_list in text


def test_the_circulated_tab_offers_the_acknowledge_button(city, client, office):
    document = file_leave(city, office, circulate_to=[city.colleague])
    for who in (city.chief, city.delegate, city.approver):
        services.slot_approve(slot=slot_of(document, who), actor=who.user, ctx=office)
    log_in(client, city.colleague.user)
    text = page_text(client.get(reverse("approvals:circulated")))
    assert reverse("approvals:act", args=[slot_of(document, city.colleague).pk, "acknowledge"]) in text
    assert "Acknowledge (確認)" in text


def test_every_action_form_sends_once(city, client, office):
    file_leave(city, office)
    log_in(client, city.chief.user)
    text = page_text(client.get(reverse("approvals:inbox")))
    forms = re.findall(r"<form [^>]*>", text)
    action_forms = [f for f in forms if "/approvals/" in f]
    assert action_forms and all("data-once" in f for f in action_forms)


# ---- 専決規程 in the admin -------------------------------------------------------------------------------


def test_hr_lists_the_decision_rules_in_the_admin(city, client):
    make_hr_staff(city.hr_clerk)
    log_in(client, city.hr_clerk.user)
    response = client.get(reverse("admin:approvals_decisionrule_changelist"))
    assert response.status_code == 200


def test_the_chief_cannot_open_the_decision_rules(city, client):
    make_hr_staff(city.chief)
    log_in(client, city.chief.user)
    assert client.get(reverse("admin:approvals_decisionrule_changelist")).status_code == 403


def test_hr_cannot_open_the_decision_rules_from_home(city, client):
    make_hr_staff(city.hr_clerk)
    log_in(client, city.hr_clerk.user, remote=True, otp=True)
    assert client.get(reverse("admin:approvals_decisionrule_changelist")).status_code == 403


def test_hr_adds_a_rule_from_a_date(city, client):
    make_hr_staff(city.hr_clerk)
    log_in(client, city.hr_clerk.user)
    before = DecisionRule.objects.count()
    response = client.post(
        reverse("admin:approvals_decisionrule_add"),
        {
            "doc_type": "purchase",
            "min_amount": "1000001",
            "max_amount": "",
            "deciding_rank": "7",
            "effective_from": "2027-04-01",
            "effective_to": "",
            "note": "令和9年度改正",
        },
    )
    assert response.status_code == 302
    assert DecisionRule.objects.count() == before + 1


def test_a_rule_in_force_keeps_its_terms_and_can_only_be_ended(city, client):
    make_hr_staff(city.hr_clerk)
    log_in(client, city.hr_clerk.user)
    rule = DecisionRule.objects.filter(effective_from__lte=date(2026, 11, 23), doc_type="leave").first()
    url = reverse("admin:approvals_decisionrule_change", args=[rule.pk])
    response = client.post(url, {"deciding_rank": "9", "effective_to": "2027-03-31", "note": "年度末で廃止"})
    assert response.status_code == 302
    changed = DecisionRule.objects.get(pk=rule.pk)
    assert changed.deciding_rank == rule.deciding_rank
    assert changed.effective_to == date(2027, 3, 31)


def test_a_rule_in_force_cannot_be_ended_in_the_past(city, client):
    make_hr_staff(city.hr_clerk)
    log_in(client, city.hr_clerk.user)
    rule = DecisionRule.objects.filter(effective_from__lte=date(2026, 11, 23), effective_to__isnull=True).first()
    url = reverse("admin:approvals_decisionrule_change", args=[rule.pk])
    response = client.post(url, {"effective_to": "2026-05-01", "note": rule.note})
    assert response.status_code == 200
    assert "cannot be ended before today" in page_text(response)
    assert DecisionRule.objects.get(pk=rule.pk).effective_to is None


def test_nobody_deletes_a_rule_in_the_admin(city, client):
    make_hr_staff(city.hr_clerk)
    log_in(client, city.hr_clerk.user)
    rule = DecisionRule.objects.first()
    assert client.post(reverse("admin:approvals_decisionrule_delete", args=[rule.pk]), {"post": "yes"}).status_code in (
        302,
        403,
    )
    assert DecisionRule.objects.filter(pk=rule.pk).exists()


# ---- leave details ---------------------------------------------------------------------------------------


def file_days_off(city, office, start: date, end: date) -> Document:
    from leave import services as leave_services

    return leave_services.leave_request_file(
        actor=city.applicant.user, ctx=office, leave_type="annual", unit="day", start_date=start, end_date=end
    )


def test_the_inbox_says_how_much_leave_is_asked(city, client, office):
    file_days_off(city, office, date(2026, 12, 1), date(2026, 12, 2))
    log_in(client, city.chief.user)
    text = page_text(client.get(reverse("approvals:inbox")))
    assert "12/01/2026–12/02/2026 · 2 days" in text


def test_the_document_page_shows_the_leave_asked_for(city, client, office):
    document = file_days_off(city, office, date(2026, 12, 1), date(2026, 12, 2))
    log_in(client, city.chief.user)
    text = page_text(client.get(reverse("approvals:document", args=[document.pk])))
    assert "Annual leave (年次休暇)" in text and "2 days" in text


def test_the_inbox_of_leave_requests_costs_the_same_for_one_and_for_five(city, client, office):
    file_days_off(city, office, date(2026, 12, 1), date(2026, 12, 1))
    log_in(client, city.chief.user)
    one = inbox_queries(client)
    for day in range(2, 6):
        file_days_off(city, office, date(2026, 12, day + 5), date(2026, 12, day + 5))
    assert inbox_queries(client) == one
