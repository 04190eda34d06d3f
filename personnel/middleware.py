"""Attaches the permission model's context (zone, assurance, date) to every request as `request.access`."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from personnel import access

# The telework login sets this once the second factor is proven.
ASSURANCE_SESSION_KEY = "access_assurance"


def client_ip(request: HttpRequest) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The client's address. X-Forwarded-For is believed only when the peer is a configured trusted proxy,
    and then read from the right, skipping further trusted proxies, so a client cannot forge its own hop."""
    return client_address(
        peer=request.META.get("REMOTE_ADDR", ""), forwarded_for=request.META.get("HTTP_X_FORWARDED_FOR", "")
    )


def client_address(*, peer: str, forwarded_for: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """client_ip() from the peer's address and the X-Forwarded-For value (also for websockets, whose scope
    carries them differently)."""
    try:
        address = ipaddress.ip_address(peer or "")
    except ValueError:
        return None
    if _in(address, settings.TRUSTED_PROXIES):
        hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
        for hop in reversed(hops):
            try:
                address = ipaddress.ip_address(hop)
            except ValueError:
                return None  # a malformed forwarded chain proves nothing: treat as unknown (remote)
            if not _in(address, settings.TRUSTED_PROXIES):
                break
    return address


def _in(address: ipaddress.IPv4Address | ipaddress.IPv6Address, networks: list) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def zone_for(request: HttpRequest) -> str:
    return zone_of(client_ip(request))


def zone_of(address: ipaddress.IPv4Address | ipaddress.IPv6Address | None) -> str:
    if address is not None and _in(address, settings.OFFICE_NETWORKS):
        return access.OFFICE
    return access.REMOTE


def assurance_of(session: Any) -> str:
    """The assurance the session proves; anything but a known level counts as password."""
    if session is None:
        return access.PASSWORD
    assurance = session.get(ASSURANCE_SESSION_KEY, access.PASSWORD)
    return assurance if assurance in (access.PASSWORD, access.OTP) else access.PASSWORD


def access_context(
    *, address: ipaddress.IPv4Address | ipaddress.IPv6Address | None, session: Any
) -> access.AccessContext:
    """The context of a request or a websocket: zone from the client's address, assurance from the session
    (None when there is none)."""
    return access.AccessContext(zone=zone_of(address), assurance=assurance_of(session))


class AccessContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.access = access_context(address=client_ip(request), session=getattr(request, "session", None))
        response = self.get_response(request)
        if request.access.zone == access.REMOTE:
            # Telework policy: leave nothing behind on the home terminal.
            response["Cache-Control"] = "no-store"
        return response
