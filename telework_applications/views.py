"""My page's card of telework applications; filing them and the list of one's own are the approval engine's
generic pages (telework_applications/doctype.py)."""

from __future__ import annotations

from django.http import HttpRequest

from personnel import access


def my_page_card(request: HttpRequest) -> dict | None:
    """My page's telework-application card (personnel.shell panel), for staff on duty."""
    return {} if access.principal(request.user, request.access).on_duty else None
