"""The gateway for other internal apps: the endpoint nginx's `auth_request` asks before letting a request through.

GET /telework/auth/ (`telework:auth`) answers

- 204 No Content with `X-Portal-User` (the login name), `X-Portal-Staff` (the employee number, when the user is a
  staff member) and `X-Portal-Zone` (office / remote) for a logged-in session of an active user whose second
  factor (TOTP) was proven in this session (session[ASSURANCE_SESSION_KEY] == "otp");
- 401 otherwise: anonymous, inactive user, or a password-only session — from the office too. The issue asks for
  "a logged-in, OTP-assured session", and the apps behind the gateway cannot tell a password-only office session
  from a stolen cookie used elsewhere, so a password-only session never passes.

nginx turns the 401 into a redirect to the portal's login page (docs/nginx-auth-request.conf). Any other status
(e.g. a redirect) would be an error for nginx, so the endpoint only ever answers 204 or 401.

It is asked for every request to the apps behind the gateway, so it is cheap: no template, no access-model
context, three queries at most (session, user, staff number); never cached. It changes nothing, so any method is
accepted and it needs no CSRF token (nginx's subrequest may carry the original request's method).

The zone is the portal's usual one (personnel/middleware.py): the request comes from nginx, so nginx's address
must be in TRUSTED_PROXIES for the X-Forwarded-For it sends to be believed, or every user looks like nginx.

Header values are ASCII: a login name with other characters is percent-encoded (UTF-8).
"""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from personnel import access
from personnel.models import Staff
from telework import refusals

USER_HEADER = "X-Portal-User"
STAFF_HEADER = "X-Portal-Staff"
ZONE_HEADER = "X-Portal-Zone"


def _header_value(value: str) -> str:
    return value if value.isascii() else quote(value, safe="")


@csrf_exempt
@never_cache
def auth(request: HttpRequest) -> HttpResponse:
    user = request.user
    ctx = request.access
    if not user.is_authenticated or not user.is_active or ctx.assurance != access.OTP:
        return HttpResponse(status=401)
    response = HttpResponse(status=204)
    response[USER_HEADER] = _header_value(user.get_username())
    number = Staff.objects.filter(user_id=user.pk).values_list("employee_number", flat=True).first()
    if number:
        response[STAFF_HEADER] = _header_value(number)
    response[ZONE_HEADER] = ctx.zone
    return response


urlpatterns = [
    path("auth/", auth, name="auth"),
    path("refusals/", refusals.refusals, name="refusals"),
]
