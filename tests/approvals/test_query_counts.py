"""The hot pages cost the same number of queries however much they show: the document page (however long its route
and history), my page (however many delegations and cards), my requests and the header counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from approvals import services
from approvals.models import SlotState, StepApprover
from personnel import services as personnel_services
from personnel.access import AccessContext
from tests.approvals.helpers import approve_in_turn, file_document, file_leave, slot_of
from tests.conftest import TODAY
from tests.webtools import log_in

pytestmark = pytest.mark.django_db


def queries(client, url: str) -> int:
    client.get(url)  # warm what is cached per process (content types, templates)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_document_page_costs_the_same_for_a_short_route_and_a_long_one_with_history(city, client, office):
    short = file_leave(city, office)
    long = file_document(
        city.applicant.user,
        office,
        consultees=[city.outsider, city.payroll_chief],
        circulate_to=[city.hr_clerk, city.colleague],
        note="長い経路",
    )
    for _ in range(2):  # history: approvals, a send-back, a correction
        approve_in_turn(long, [city.chief], office)
        slot = StepApprover.objects.get(document=long, state=SlotState.PENDING)
        services.document_send_back(slot=slot, actor=slot.staff.user, ctx=office, to_order=0, comment="再確認")
        services.document_revise(
            document=long, actor=city.applicant.user, ctx=office, data={"title": "一般伺い", "note": "修正"}
        )
    log_in(client, city.approver.user)

    assert queries(client, reverse("approvals:document", args=[short.pk])) == queries(
        client, reverse("approvals:document", args=[long.pk])
    )


def test_my_page_costs_the_same_with_one_delegation_or_four(city, client):
    ctx = AccessContext.office(today=TODAY)

    def delegate_to(staff, days: int) -> None:
        personnel_services.delegation_create(
            actor=city.approver.user,
            ctx=ctx,
            delegator=city.approver,
            delegate=staff,
            start_date=TODAY + timedelta(days=days * 10),
            end_date=TODAY + timedelta(days=days * 10 + 2),
            reason="出張",
        )

    delegate_to(city.delegate, 0)
    log_in(client, city.approver.user)
    one = queries(client, reverse("personnel:my_page"))
    for n, staff in enumerate((city.chief, city.department_head, city.outsider), start=1):
        delegate_to(staff, n)

    assert queries(client, reverse("personnel:my_page")) == one


def test_my_requests_cost_the_same_for_two_documents_or_eight(city, client, office):
    for _ in range(2):
        file_leave(city, office)
    log_in(client, city.applicant.user)
    two = queries(client, reverse("approvals:mine"))
    for _ in range(3):
        file_leave(city, office)
        file_document(city.applicant.user, office, doc_type="purchase", amount=5000)

    assert queries(client, reverse("approvals:mine")) == two + 1  # the purchases' detail rows: one more type


def test_a_bulk_decision_is_refused_by_the_page_when_nothing_is_ticked(city, client, office):
    document = approve_in_turn(file_leave(city, office), [city.chief, city.delegate], office)
    log_in(client, city.approver.user)

    response = client.post(reverse("approvals:bulk"), {"slot": []}, follow=True, HTTP_ACCEPT_LANGUAGE="en")

    assert "Select at least one item to approve." in response.content.decode()
    assert slot_of(document, city.approver).state == SlotState.PENDING
