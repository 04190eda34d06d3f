"""Access policies of telework applications (see personnel/access.py)."""

from personnel.access import Policy, Role, Rule, register
from telework_applications.models import TeleworkApplication

register(
    TeleworkApplication,
    Policy(
        owner=("staff",),
        unit="document__drafting_unit",
        rules={"view": Rule(owner=True, supervisors=True, roles=(Role.HR,))},
    ),
)
