"""Separation of duties: nobody approves or decides a document they filed, in person or as a delegate (代理); a
step that would need that goes to the next eligible holder.

The test city: 人事係 (係長 city.chief, 係員 city.applicant and city.colleague) in 人事課 (課長補佐 city.delegate,
課長 city.approver) in 総務部 (部長 city.department_head).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from approvals import selectors, services
from approvals.models import DocumentStatus
from personnel import services as personnel_services
from personnel.access import AccessContext, AccessDenied
from tests.approvals.helpers import approve_in_turn, file_document, slot_of
from tests.conftest import TODAY

pytestmark = pytest.mark.django_db

OWN = "You cannot approve or decide a document you filed yourself"


def delegates(delegator, delegate, *, days: int = 5) -> AccessContext:
    """The delegation, and a fresh context to act in (a context keeps what it loaded of each user)."""
    personnel_services.delegation_create(
        actor=delegator.user,
        ctx=AccessContext.office(today=TODAY),
        delegator=delegator,
        delegate=delegate,
        start_date=TODAY,
        end_date=TODAY + timedelta(days=days),
        reason="出張のため",
    )
    return AccessContext.office(today=TODAY)


def route(document) -> list[tuple[str, list[str]]]:
    return [(s.label, [a.staff.full_name for a in s.approvers.all()]) for s in document.steps.order_by("order")]


def test_a_deputy_acting_for_the_absent_section_head_sends_their_own_memo_to_the_department_head(city, office):
    delegates(city.approver, city.delegate)  # the 課長 is away; the 課長補佐 acts for him

    document = file_document(city.delegate.user, office, title="課長補佐の伺い")

    assert route(document) == [("部長", ["田中 誠"])]
    assert document.steps.get().is_decision


def test_a_chief_who_handed_their_place_to_the_applicant_is_passed_over(city, office):
    delegates(city.chief, city.applicant)

    document = file_document(city.applicant.user, office)

    assert route(document) == [("課長補佐", ["中村 大輔"]), ("課長", ["高橋 健"])]


def test_a_delegate_cannot_decide_their_own_document_for_the_delegator(city, office):
    document = file_document(city.delegate.user, office, title="課長補佐の伺い")  # decided by the 課長
    ctx = delegates(city.approver, city.delegate)  # ... who leaves the 課長補佐 in charge after the filing

    with pytest.raises(AccessDenied, match=OWN):
        services.slot_approve(slot=slot_of(document, city.approver), actor=city.delegate.user, ctx=ctx)

    assert slot_of(document, city.approver).acted_at is None


def test_the_own_document_is_not_in_the_delegates_inbox_but_stays_in_the_delegators(city, office):
    document = file_document(city.delegate.user, office, title="課長補佐の伺い")
    ctx = delegates(city.approver, city.delegate)

    assert document.pk not in selectors.inbox(user=city.delegate.user, ctx=ctx).values_list("document", flat=True)
    assert selectors.queue_counts(user=city.delegate.user, ctx=ctx).inbox == 0
    assert document.pk in selectors.inbox(user=city.approver.user, ctx=ctx).values_list("document", flat=True)


def test_a_bulk_approval_refuses_the_delegates_own_document_and_decides_the_others(city, office):
    own = file_document(city.delegate.user, office, title="課長補佐の伺い")
    other = approve_in_turn(file_document(city.applicant.user, office), [city.chief, city.delegate], office)
    ctx = delegates(city.approver, city.delegate)

    result = services.slots_bulk_approve(
        slot_ids=[slot_of(own, city.approver).pk, slot_of(other, city.approver).pk],
        actor=city.delegate.user,
        ctx=ctx,
    )

    assert [d.pk for d in result.decided] == [other.pk]
    assert result.refused == [(slot_of(own, city.approver).pk, f"課長補佐の伺い: {OWN}, also not for someone else.")]
    assert own.__class__.objects.get(pk=own.pk).status == DocumentStatus.IN_PROGRESS


def test_the_delegator_still_decides_it_in_person(city, office):
    document = file_document(city.delegate.user, office, title="課長補佐の伺い")
    ctx = delegates(city.approver, city.delegate)

    decided = approve_in_turn(document, [city.approver], ctx)

    assert decided.status == DocumentStatus.DECIDED
