"""A place on the route lets its holder read the document while they hold it or for what they did there (issue 9).
Someone who leaves a step — reassigned away, or whose step was never reached because the document closed first —
reads the document no more, at the office or from home; someone who acted keeps reading what they stamped."""

from __future__ import annotations

import pytest

from approvals import services
from approvals.models import Document
from personnel import access
from tests.approvals.helpers import approve, file_leave, slot_of

pytestmark = pytest.mark.django_db


def reads(staff, document: Document, ctx) -> bool:
    return access.visible(staff.user, "view", Document.objects.filter(pk=document.pk), ctx).exists()


def reassign(city, document: Document, old, new, ctx) -> None:
    services.slot_reassign(
        slot=slot_of(document, old), new_staff=new, actor=city.hr_clerk.user, ctx=ctx, reason="人事異動のため"
    )


def test_someone_reassigned_away_reads_the_document_no_more(city, office, remote_otp):
    document = file_leave(city, office)
    reassign(city, document, city.approver, city.outsider, office)
    assert reads(city.outsider, document, office)

    reassign(city, document, city.outsider, city.department_head, office)

    assert not reads(city.outsider, document, office)
    assert not reads(city.outsider, document, remote_otp)


def test_a_party_never_reached_reads_no_more_once_the_document_is_withdrawn(city, office, remote_otp):
    """Attack: 市民課長 put on the route of 総務's document, which was withdrawn before it reached them, kept reading
    it (and its attachments, also from home): their place was only ever for acting."""
    document = file_leave(city, office)
    reassign(city, document, city.approver, city.outsider, office)

    services.document_withdraw(document=document, actor=city.applicant.user, ctx=office)

    assert not reads(city.outsider, document, office)
    assert not reads(city.outsider, document, remote_otp)


def test_a_party_never_reached_reads_no_more_once_the_document_is_rejected(city, office):
    document = file_leave(city, office)
    reassign(city, document, city.approver, city.outsider, office)

    services.document_reject(slot=slot_of(document, city.chief), actor=city.chief.user, ctx=office, comment="不備")

    assert not reads(city.outsider, document, office)


def test_someone_who_stamped_keeps_reading_what_they_stamped(city, office):
    document = file_leave(city, office)
    reassign(city, document, city.approver, city.outsider, office)
    for staff in (city.chief, city.delegate, city.outsider):
        approve(document, staff, office)

    assert reads(city.outsider, document, office)


def test_a_waiting_party_reads_the_document_while_it_is_open(city, office):
    document = file_leave(city, office)
    reassign(city, document, city.approver, city.outsider, office)

    assert reads(city.outsider, document, office)
