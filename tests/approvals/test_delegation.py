"""代理: during a delegation the delegate holds the delegator's place on routes; afterwards, nothing.

The 課長 city.approver delegates to the 課長補佐 city.delegate (who is also step 2 of the route) or to the 係長
of another 係, city.payroll_chief (who is on no route).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from approvals import selectors, services
from approvals.models import AuditAction, AuditEntry, Document, DocumentStatus, SlotState
from personnel import services as personnel_services
from personnel.access import AccessContext, AccessDenied
from personnel.models import Delegation, Staff
from tests.approvals.helpers import approve, file_document, file_leave, slot_of
from tests.conftest import TODAY

pytestmark = pytest.mark.django_db


def delegate(city, to: Staff, *, start=TODAY, days: int = 3, delegator: Staff | None = None) -> Delegation:
    delegator = delegator or city.approver
    return personnel_services.delegation_create(
        actor=delegator.user,
        ctx=AccessContext.office(today=TODAY),
        delegator=delegator,
        delegate=to,
        start_date=start,
        end_date=start + timedelta(days=days),
        reason="出張のため",
    )


def at_the_decision(city, ctx) -> Document:
    """A memo approved by the 係長 and the 補佐: the 課長's decision is pending."""
    document = file_leave(city, ctx, title="年次休暇")
    for staff in (city.chief, city.delegate):
        approve(document, staff, ctx)
    return document


def documents_in(queue) -> list[int]:
    return list(queue.values_list("document_id", flat=True))


def test_it_shows_the_delegators_item_in_the_delegates_inbox_and_delegated_queue(city, office):
    delegate(city, city.delegate)
    document = at_the_decision(city, office)

    assert documents_in(selectors.inbox(user=city.delegate.user, ctx=office)) == [document.pk]
    assert documents_in(selectors.delegated_to_me(user=city.delegate.user, ctx=office)) == [document.pk]
    counts = selectors.queue_counts(user=city.delegate.user, ctx=office)
    assert (counts.inbox, counts.delegated) == (1, 1)


def test_it_keeps_the_item_in_the_delegators_own_inbox(city, office):
    delegate(city, city.delegate)
    document = at_the_decision(city, office)

    assert documents_in(selectors.inbox(user=city.approver.user, ctx=office)) == [document.pk]
    assert not selectors.delegated_to_me(user=city.approver.user, ctx=office).exists()


def test_it_lets_the_delegate_decide_and_records_both_names(city, office):
    delegation = delegate(city, city.delegate)
    document = at_the_decision(city, office)

    services.slot_approve(slot=slot_of(document, city.approver), actor=city.delegate.user, ctx=office)

    document.refresh_from_db()
    assert document.status == DocumentStatus.DECIDED
    assert document.number == "2026-総務-000001"
    slot = slot_of(document, city.approver)
    assert (slot.state, slot.staff, slot.acted_by) == (SlotState.APPROVED, city.approver, city.delegate)
    entry = AuditEntry.objects.get(document=document, action=AuditAction.DECIDE)
    assert (entry.actor, entry.on_behalf_of) == (city.delegate, city.approver)
    assert entry.detail["delegation"] == delegation.pk


def test_it_records_the_delegate_in_a_bulk_decision_too(city, office):
    delegate(city, city.delegate)
    document = at_the_decision(city, office)

    result = services.slots_bulk_approve(
        slot_ids=[slot_of(document, city.approver).pk], actor=city.delegate.user, ctx=office
    )

    assert [d.pk for d in result.decided] == [document.pk]
    entry = AuditEntry.objects.get(document=document, action=AuditAction.DECIDE)
    assert (entry.actor, entry.on_behalf_of) == (city.delegate, city.approver)
    assert slot_of(document, city.approver).acted_by == city.delegate


def test_it_lets_a_delegate_who_is_not_on_the_route_decide(city, office):
    delegate(city, city.payroll_chief)
    document = at_the_decision(city, office)
    assert documents_in(selectors.delegated_to_me(user=city.payroll_chief.user, ctx=office)) == [document.pk]

    services.slot_approve(slot=slot_of(document, city.approver), actor=city.payroll_chief.user, ctx=office)

    assert Document.objects.get(pk=document.pk).status == DocumentStatus.DECIDED
    assert slot_of(document, city.approver).acted_by == city.payroll_chief
    assert selectors.document_get_for_user(user=city.payroll_chief.user, ctx=office, pk=document.pk) == document


def test_it_gives_the_delegate_nothing_once_the_delegation_is_revoked(city, office):
    delegation = delegate(city, city.payroll_chief)
    document = at_the_decision(city, office)
    personnel_services.delegation_revoke(actor=city.approver.user, ctx=office, delegation=delegation)
    office = AccessContext.office(today=TODAY)  # a new request: the principal is loaded afresh

    assert not selectors.inbox(user=city.payroll_chief.user, ctx=office).exists()
    assert not selectors.delegated_to_me(user=city.payroll_chief.user, ctx=office).exists()
    slot = slot_of(document, city.approver)
    assert selectors.slot_get_for_user(user=city.payroll_chief.user, ctx=office, pk=slot.pk) is None
    with pytest.raises(AccessDenied):
        services.slot_approve(slot=slot, actor=city.payroll_chief.user, ctx=office)
    assert slot_of(document, city.approver).state == SlotState.PENDING


def test_it_gives_the_delegate_nothing_after_the_delegation_ends(city, office):
    delegate(city, city.payroll_chief, days=3)
    document = at_the_decision(city, office)
    after = AccessContext.office(today=TODAY + timedelta(days=4))

    assert not selectors.inbox(user=city.payroll_chief.user, ctx=after).exists()
    assert not selectors.delegated_to_me(user=city.payroll_chief.user, ctx=after).exists()
    with pytest.raises(AccessDenied):
        services.slot_approve(slot=slot_of(document, city.approver), actor=city.payroll_chief.user, ctx=after)
    assert documents_in(selectors.inbox(user=city.approver.user, ctx=after)) == [document.pk]


def test_it_gives_the_delegate_nothing_before_the_delegation_starts(city, office):
    delegate(city, city.payroll_chief, start=TODAY + timedelta(days=1))
    at_the_decision(city, office)

    assert not selectors.delegated_to_me(user=city.payroll_chief.user, ctx=office).exists()


def test_it_does_not_let_a_delegate_withdraw_the_delegators_own_document(city, office):
    document = file_document(city.approver.user, office, title="年次休暇")
    delegate(city, city.delegate)

    with pytest.raises(AccessDenied):
        services.document_withdraw(document=document, actor=city.delegate.user, ctx=office)

    assert Document.objects.get(pk=document.pk).status == DocumentStatus.IN_PROGRESS
