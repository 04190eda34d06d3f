"""Attaches the permission model's context (zone, assurance, date) to every request as `request.access`."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from personnel import access

# The telework login sets this once the second factor is proven.
ASSURANCE_SESSION_KEY = "access_assurance"


def client_ip(request: HttpRequest) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The client's address. X-Forwarded-For is believed only when the peer is a configured trusted proxy,
    and then read from the right, skipping further trusted proxies, so a client cannot forge its own hop."""
    try:
        peer = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return None
    address = peer
    if _in(address, settings.TRUSTED_PROXIES):
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
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
    address = client_ip(request)
    if address is not None and _in(address, settings.OFFICE_NETWORKS):
        return access.OFFICE
    return access.REMOTE


class AccessContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        assurance = access.PASSWORD
        if hasattr(request, "session"):
            assurance = request.session.get(ASSURANCE_SESSION_KEY, access.PASSWORD)
            if assurance not in (access.PASSWORD, access.OTP):
                assurance = access.PASSWORD
        request.access = access.AccessContext(zone=zone_for(request), assurance=assurance)
        response = self.get_response(request)
        if request.access.zone == access.REMOTE:
            # Telework policy: leave nothing behind on the home terminal.
            response["Cache-Control"] = "no-store"
        return response
