"""処理済み (what I handled), the filters of 自分の申請, and 前回の申請をコピー."""

from __future__ import annotations

from django.urls import reverse

from approvals import services
from approvals.models import Document
from tests.approvals.helpers import (
    approve,
    approve_in_turn,
    chief_delegates_to_colleague,
    file_document,
    file_leave,
    slot_of,
)
from tests.sample_types.models import PURCHASE
from tests.webtools import log_in, page_text


def handled(client, **params):
    return client.get(reverse("approvals:done"), params)


def test_an_approver_sees_what_they_approved_and_decided_with_the_date(city, client, office):
    memo = file_leave(city, office, title="会議室の利用について")
    approve_in_turn(memo, [city.chief, city.delegate, city.approver], office)
    log_in(client, city.approver.user)
    response = handled(client)
    entries = list(response.context["page"].object_list)
    assert [(e.document.title, e.action) for e in entries] == [("会議室の利用について", "decide")]
    assert "Decided (決裁)" in page_text(response)
    assert Document.objects.get(pk=memo.pk).number in page_text(response)


def test_a_send_back_stays_in_the_list_after_the_route_is_reset(city, client, office):
    memo = file_leave(city, office, title="研修参加について")
    approve(memo, city.chief, office)
    services.document_send_back(
        slot=slot_of(memo, city.delegate), actor=city.delegate.user, ctx=office, comment="日付を確認", to_order=0
    )
    log_in(client, city.chief.user)
    assert [e.action for e in handled(client).context["page"].object_list] == ["approve"]
    log_in(client, city.delegate.user)
    assert [e.action for e in handled(client).context["page"].object_list] == ["send_back"]
    assert [e.action for e in handled(client, action="approve").context["page"].object_list] == []


def test_an_approval_by_a_delegate_is_marked_as_done_for_the_approver(city, client, office):
    memo = file_leave(city, office, title="備品の廃棄について")
    chief_delegates_to_colleague(city, office, reason="出張")
    services.slot_approve(slot=slot_of(memo, city.chief), actor=city.colleague.user, ctx=office)
    log_in(client, city.colleague.user)
    assert "代決 for 鈴木 一郎" in page_text(handled(client))


def test_nobody_sees_another_persons_handled_list(city, client, office):
    memo = file_leave(city, office)
    approve(memo, city.chief, office)
    log_in(client, city.colleague.user)
    assert list(handled(client).context["page"].object_list) == []


def test_my_requests_filter_by_type_and_status(city, client, office):
    file_leave(city, office, title="一般伺い")
    file_document(city.applicant.user, office, doc_type=PURCHASE, title="プリンタ購入", amount=250_000)
    log_in(client, city.applicant.user)
    mine = reverse("approvals:mine")
    assert [d.title for d in client.get(mine, {"doc_type": PURCHASE}).context["page"].object_list] == ["プリンタ購入"]
    assert list(client.get(mine, {"status": "decided"}).context["page"].object_list) == []
    assert len(client.get(mine, {"fiscal_year": "2026"}).context["page"].object_list) == 2
    assert list(client.get(mine, {"fiscal_year": "2025"}).context["page"].object_list) == []


def test_a_previous_request_is_copied_into_a_new_filing_page(city, client, office):
    old = file_leave(city, office, title="定例会議の開催について", body="毎月第2火曜日に開催する。")
    log_in(client, city.applicant.user)
    response = client.get(reverse("approvals:new", args=["memo"]), {"copy": old.pk})
    form = response.context["form"]
    assert form.initial["title"] == "定例会議の開催について"
    assert form.initial["body"] == "毎月第2火曜日に開催する。"
    assert "Copied from" in page_text(response)


def test_someone_elses_document_is_not_copied(city, client, office):
    old = file_leave(city, office, title="定例会議の開催について")
    log_in(client, city.colleague.user)
    response = client.get(reverse("approvals:new", args=["memo"]), {"copy": old.pk})
    assert "title" not in response.context["form"].initial
    assert "定例会議" not in page_text(response)
