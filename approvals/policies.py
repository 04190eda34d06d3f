"""Access policies of approval documents (see personnel/access.py)."""

from approvals.models import Document
from personnel.access import Policy, Rule, register

register(
    Document,
    Policy(
        owner=("applicant",),
        unit="drafting_unit",
        office_only_field="contains_personal_info",
        rules={"view": Rule(owner=True, supervisors=True, grants=True)},
    ),
)
