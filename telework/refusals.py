"""Refusals in the remote zone: logged (AccessRefusal), shown with the reason, and listed for 情報政策.

`RefusalLogMiddleware.process_exception` sees the permission model's refusals as views raise them: an
`access.AccessDenied` (any reason), or a plain PermissionDenied carrying the office-only or OTP reason. When the
request comes from the remote zone it writes an AccessRefusal row (user, time, address, zone, path, reason) and
lets Django render portal/templates/403.html, which shows the reason ("This information may only be used from the
office network, not remotely.").

Pages that hide what the user may not see answer 404 rather than 403 (an approvals document the user cannot open,
so nobody learns which documents exist). From home, a document with personal information (個人情報) that the same
user could open in the office would then give a bare "not found": those pages ask the permission model
(`access.hidden_only_remotely`) and raise the office-only refusal instead, which is logged here like any other. A
document the user could not open in the office stays a 404: nothing is revealed that the office would not show.

The refusal log is a page of its own (`telework:refusals`, the AccessRefusal policy's "view": 情報政策).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.defaults import permission_denied

from personnel import access
from personnel.middleware import client_ip
from telework.models import AccessRefusal

PAGE_SIZE = 50

# --------------------------------------------------------------------------------------------------------
# Service and selector
# --------------------------------------------------------------------------------------------------------


def access_refusal_record(*, user: Any, ip: Any, zone: str, path: str, reason: str) -> AccessRefusal:
    """Keep one refusal. The log is append-only: nothing changes or deletes its rows."""
    return AccessRefusal.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        at=timezone.now(),
        ip=str(ip) if ip is not None else None,
        zone=zone,
        path=path[:500],
        reason=reason[:300],
    )


def access_refusals(*, user: Any, ctx: access.AccessContext) -> QuerySet[AccessRefusal]:
    """The refusals `user` may read (情報政策), newest first, with their users."""
    return access.visible(user, "view", AccessRefusal.objects.all(), ctx).select_related("user__staff")


# --------------------------------------------------------------------------------------------------------
# Middleware
# --------------------------------------------------------------------------------------------------------

_LOGGED_REASONS = (access.REASON_OFFICE_ONLY, access.REASON_OTP_REQUIRED)


def _is_refusal(exception: Exception) -> bool:
    if isinstance(exception, access.AccessDenied):
        return True
    return isinstance(exception, PermissionDenied) and str(exception) in {str(r) for r in _LOGGED_REASONS}


# What a login session used from home without its second factor may still do: prove the factor, or end.
OPEN_WITHOUT_SECOND_FACTOR = frozenset(
    {"login", "login_otp", "logout", "telework:step_up", "telework:auth", "set_language"}
)


# The admins' URLs (Django's and Wagtail's, login pages included): office-only, never a login form from home.
ADMIN_PREFIXES = ("/admin/", "/cms-admin/")


class RefusalLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any) -> Any:
        """A remote session is a remote session: from home, a session without the second factor (a password
        login made at the office, the laptop then taken home) is refused every page — not only those whose rules
        ask for OTP — with the reason, logged; only the second-factor step and logging out stay open."""
        ctx = getattr(request, "access", None)
        if ctx is None or ctx.zone != access.REMOTE or ctx.assurance == access.OTP:
            return None
        if not request.user.is_authenticated:
            if request.path.startswith(ADMIN_PREFIXES):
                # The admins are not offered to the internet: no login form from home, the knock logged.
                reason = str(access.REASON_OFFICE_ONLY)
                self._log(request, ctx, reason)
                return permission_denied(request, access.AccessDenied(reason))
            return None
        match = request.resolver_match
        if match is not None and match.view_name in OPEN_WITHOUT_SECOND_FACTOR:
            return None
        reason = str(access.REASON_OTP_REQUIRED)
        self._log(request, ctx, reason)
        return permission_denied(request, access.AccessDenied(reason))

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        ctx = getattr(request, "access", None)
        if ctx is None or ctx.zone != access.REMOTE:
            return None
        if _is_refusal(exception):
            self._log(request, ctx, str(exception))
        return None  # Django renders the 403 page with the reason

    @staticmethod
    def _log(request: HttpRequest, ctx: access.AccessContext, reason: str) -> None:
        access_refusal_record(user=request.user, ip=client_ip(request), zone=ctx.zone, path=request.path, reason=reason)


# --------------------------------------------------------------------------------------------------------
# The refusal log page (情報政策)
# --------------------------------------------------------------------------------------------------------


@login_required
@require_GET
def refusals(request: HttpRequest) -> HttpResponse:
    access.require(request.user, "view", AccessRefusal, request.access)
    rows = access_refusals(user=request.user, ctx=request.access)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "telework/refusals.html", {"page": page})
