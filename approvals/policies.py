"""Access policies of approval documents (see personnel/access.py)."""

from django.db.models import Q

from approvals.models import OPEN_STATUSES, Document, SlotState, StepApprover
from personnel.access import Policy, Role, Rule, register

# A stamp box lets its holder read the document while it is theirs to act on, for what they did in it, and — while
# the document is open — before it reaches them. A box whose holder was replaced (reassignment moves the box), or
# that the document closed before reaching (withdrawn, rejected: cancelled, never reached), or that another holder
# of an "any" step made unnecessary, gives nothing: it was only ever for acting.
READING_SLOT = Q(
    slots__state__in=(
        SlotState.PENDING,
        SlotState.POST_REVIEW,
        SlotState.APPROVED,
        SlotState.ACKNOWLEDGED,
        SlotState.POST_REVIEWED,
        SlotState.SENT_BACK,
        SlotState.REJECTED,
    )
) | Q(slots__state=SlotState.WAITING, status__in=OPEN_STATUSES)

register(
    Document,
    Policy(
        owner=("applicant",),
        unit="drafting_unit",
        participants="slots__staff",
        participants_while=READING_SLOT,
        office_only_field="contains_personal_info",
        rules={
            # Everyone with a place on the route (approvers, 合議 parties from other units, 回覧 readers) reads the
            # document while they hold it; guardian grants are for the exceptions (a document shared for review).
            "view": Rule(owner=True, supervisors=True, participants=True, grants=True),
            # Filing, refiling and withdrawing are the applicant's own acts, not passed on by delegation.
            "file": Rule(owner=True, delegable=False),
            "withdraw": Rule(owner=True, delegable=False),
            "resubmit": Rule(owner=True, delegable=False),
            "attach": Rule(owner=True, delegable=False),
            # 取消申請 (asking to cancel a decided document) is the applicant's too.
            "cancel": Rule(owner=True, delegable=False),
            # HR and the system administrators may change a pending step's approver (logged with a reason).
            "reassign": Rule(roles=(Role.HR, Role.IT)),
            # The central check of decided documents of a type with a processing role (返戻): a grant to that
            # role's group on each document, made at filing (approvals.services.filing._start).
            "process": Rule(grants=True, delegable=False),
        },
    ),
)

register(
    StepApprover,
    Policy(
        owner=("staff",),
        office_only_field="document__contains_personal_info",
        # The approver of record acts on the slot, or their delegate during a delegation (代理) — never the
        # document's applicant (separation of duties).
        rules={
            "act": Rule(owner=True, not_by=("document__applicant",)),
            # The BCP view of items waiting longest (情報政策 and 人事 watch that approvals keep moving).
            "monitor": Rule(roles=(Role.HR, Role.IT)),
        },
    ),
)
