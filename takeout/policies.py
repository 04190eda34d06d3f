"""Access policies of the take-out requests (see personnel/access.py): the document follows the engine's policy."""

from personnel.access import Policy, Role, Rule, register
from takeout.models import TakeoutRequest

register(
    TakeoutRequest,
    Policy(
        owner=("staff",),
        unit="document__drafting_unit",
        rules={"view": Rule(owner=True, supervisors=True, roles=(Role.IT,))},
    ),
)
