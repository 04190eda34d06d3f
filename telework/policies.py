"""Access policies of the telework gateway's records (see personnel/access.py)."""

from personnel.access import Policy, Role, Rule, register
from telework.models import AccessRefusal, Lockout, LoginAttempt, RemoteSession

# The login audit log and the lockouts are the system administrators' (情報政策).
register(LoginAttempt, Policy(rules={"view": Rule(roles=(Role.IT,))}))
register(Lockout, Policy(rules={"view": Rule(roles=(Role.IT,)), "release": Rule(roles=(Role.IT,))}))
register(AccessRefusal, Policy(rules={"view": Rule(roles=(Role.IT,))}))
# A teleworker sees their own remote sessions; HR sees everyone's.
register(
    RemoteSession,
    Policy(owner=("user__staff",), rules={"view": Rule(owner=True, roles=(Role.HR,), delegable=False)}),
)
