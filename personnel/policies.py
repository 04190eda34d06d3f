"""Access policies of the org master (see personnel/access.py for what each ground means)."""

from personnel.access import Policy, Role, Rule, register
from personnel.models import Absence, Assignment, Delegation, ExportJob, OrgUnit, PersonnelAudit, Position, Staff

# Org administration is office-only: the telework plan keeps the personnel master off home terminals.
_HR_ADMIN = Rule(roles=[Role.HR], office_only=True)
_EVERYONE = Rule(everyone=True)

register(OrgUnit, Policy(rules={"view": _EVERYONE, "add": _HR_ADMIN, "change": _HR_ADMIN}))
register(Position, Policy(rules={"view": _EVERYONE, "add": _HR_ADMIN, "change": _HR_ADMIN}))
# Tables of the whole staff (the directory, the leave ledger) are exported by HR and the 庶務センター, in the office.
register(
    Staff,
    Policy(
        rules={
            "view": _EVERYONE,
            "add": _HR_ADMIN,
            "change": _HR_ADMIN,
            "export": Rule(roles=[Role.HR, Role.GENERAL_AFFAIRS], office_only=True),
        }
    ),
)
register(
    Assignment,
    Policy(
        owner=("staff",),
        unit="unit",
        rules={
            "view": _EVERYONE,
            "add": _HR_ADMIN,
            "change": _HR_ADMIN,
            "delete": _HR_ADMIN,
            # The team calendar (who is on leave or telework which day): the heads of the unit and those above
            # (係長 and up, SUPERVISOR_MIN_RANK), and HR.
            "see_plans": Rule(supervisors=True, roles=[Role.HR]),
        },
    ),
)
register(
    Delegation,
    Policy(
        owner=("delegator", "delegate"),
        rules={
            # Both parties see it; HR sees all. A delegate cannot pass the delegator's authority on.
            "view": Rule(owner=True, roles=[Role.HR], delegable=False),
            "add": Rule(owner=("delegator",), roles=[Role.HR], delegable=False),
            "revoke": Rule(owner=("delegator",), roles=[Role.HR], delegable=False),
        },
    ),
)
register(PersonnelAudit, Policy(rules={"view": Rule(roles=[Role.HR, Role.IT])}))
register(
    Absence,
    Policy(
        owner=("staff",),
        # Marked by the person themselves (also from home: a trip starts early) or HR; not passed on to a delegate.
        rules={
            "view": Rule(owner=True, roles=[Role.HR], delegable=False),
            "mark": Rule(owner=True, roles=[Role.HR], delegable=False),
        },
    ),
)

# Exports are asked for from the office only (each also needs its own permission, personnel/exports.py); a file is
# its owner's alone (no delegate downloads it), and only in the office.
register(
    ExportJob,
    Policy(
        owner=("owner",),
        rules={
            "add": Rule(everyone=True, office_only=True),
            "view": Rule(owner=True, delegable=False, office_only=True),
        },
    ),
)
