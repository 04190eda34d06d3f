"""Access policies of the payroll inputs' own tables (see personnel/access.py). The documents themselves follow
the engine's document policy; the 庶務センター reads them through the group grant the engine makes at filing
(the types' processing role)."""

from payroll.models import (
    AddressChange,
    BankChange,
    CommutingBand,
    CommutingClaim,
    CommutingRule,
    DependantChange,
    DependantRate,
    DesignatedUnit,
    HousingClaim,
    HousingRule,
    OvertimeMonth,
    OvertimeRule,
    PayrollInput,
    PayrollMonth,
    Salary,
)
from personnel.access import Policy, Role, Rule, register

CENTRE = Role.GENERAL_AFFAIRS

# The rules are read by everyone (they are the city's published rules) and changed by HR, from the office.
for model in (OvertimeRule, HousingRule, CommutingRule, CommutingBand, DependantRate, DesignatedUnit):
    register(
        model,
        Policy(
            rules={
                "view": Rule(everyone=True),
                "add": Rule(roles=(Role.HR,), office_only=True),
                "change": Rule(roles=(Role.HR,), office_only=True),
            }
        ),
    )

# 給料月額: personal data; its owner sees it (for the estimate), HR keeps it, the 庶務センター reads it.
register(
    Salary,
    Policy(
        owner=("staff",),
        rules={
            "view": Rule(owner=True, roles=(Role.HR, CENTRE), delegable=False, office_only=True),
            "add": Rule(roles=(Role.HR,), office_only=True),
            "change": Rule(roles=(Role.HR,), office_only=True),
        },
    ),
)

register(
    PayrollInput,
    Policy(
        owner=("staff",),
        unit="unit",
        rules={
            "view": Rule(owner=True, supervisors=True, roles=(Role.HR, CENTRE)),
            # The central check (処理済) and the exports of the month: the 庶務センター, from the office.
            "process": Rule(roles=(CENTRE,), office_only=True),
        },
    ),
)

register(PayrollMonth, Policy(rules={"view": Rule(everyone=True), "close": Rule(roles=(CENTRE,), office_only=True)}))

# The overtime ledger: the staff member, their superiors, HR (the 面接指導 list) and the 庶務センター.
register(
    OvertimeMonth,
    Policy(
        owner=("staff",),
        rules={
            "view": Rule(owner=True, roles=(Role.HR, CENTRE)),
            "interviews": Rule(roles=(Role.HR,)),
        },
    ),
)

# Personal details shown unmasked only to the staff member and the 庶務センター (others on the route see them masked).
for model in (AddressChange, BankChange, DependantChange, HousingClaim, CommutingClaim):
    register(model, Policy(owner=("staff",), rules={"unmask": Rule(owner=True, roles=(CENTRE,), delegable=False)}))
