"""The main menu, built for each request from the document-type registry and the user's roles: what everyone
uses, "file a request" (the page that lists every registered type, with the types as the entry's children for
menus that show them), and the telework logs and the administration only for those who may open them (the pages
themselves ask personnel/access.py again)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from approvals import doctypes
from personnel import access
from personnel.models import Assignment
from personnel.shell import org_admin_check


@dataclass(frozen=True)
class Badge:
    count: str  # the key in the queue counts (and the live socket's message): inbox, delegated, circulated, my_open
    css: str = ""
    title: str = ""


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool = False
    badges: tuple[Badge, ...] = ()
    children: tuple[NavItem, ...] = field(default_factory=tuple)


def _is(request: HttpRequest, *names: str) -> bool:
    match = request.resolver_match
    return match is not None and match.view_name in names


def main_menu(request: HttpRequest) -> list[NavItem]:
    me = access.principal(request.user, request.access)
    items = [
        NavItem(_("My page"), reverse("personnel:my_page"), _is(request, "personnel:my_page")),
        NavItem(
            _("To approve"),
            reverse("approvals:inbox"),
            _is(request, "approvals:inbox", "approvals:delegated"),
            (Badge("inbox"), Badge("delegated", "badge--sub", str(_("Of these, held for someone else (代理)")))),
        ),
        NavItem(
            _("Circulated"),
            reverse("approvals:circulated"),
            _is(request, "approvals:circulated"),
            (Badge("circulated"),),
        ),
        NavItem(
            _("My requests"),
            reverse("approvals:mine"),
            _is(request, "approvals:mine"),
            (Badge("my_open", "badge--quiet"),),
        ),
    ]
    if me.on_duty:
        match = request.resolver_match
        code = match.kwargs.get("code") if match is not None else None
        children = tuple(
            NavItem(t.label, reverse("approvals:new", args=[t.code]), code == t.code) for t in doctypes.all_types()
        )
        items.append(
            NavItem(
                _("File a request"),
                reverse("approvals:choose"),
                _is(request, "approvals:choose", "approvals:new", "approvals:type_list", "leave:list"),
                children=children,
            )
        )
    items += [
        NavItem(_("Staff directory"), reverse("personnel:directory"), _is(request, "personnel:directory")),
        NavItem(
            _("Organisation"),
            reverse("personnel:unit_tree"),
            _is(request, "personnel:unit_tree", "personnel:unit_detail"),
        ),
    ]
    if access.can(request.user, "see_plans", Assignment, request.access) or access.Role.HR in me.roles:
        items.append(
            NavItem(_("Team calendar"), reverse("personnel:team_calendar"), _is(request, "personnel:team_calendar"))
        )
    if me.roles & {access.Role.HR, access.Role.IT}:
        items.append(NavItem(_("Waiting items (BCP)"), reverse("approvals:bcp"), _is(request, "approvals:bcp")))
    if access.Role.IT in me.roles:
        items.append(
            NavItem(_("Login log"), reverse("telework:logins"), _is(request, "telework:logins", "telework:refusals"))
        )
    if request.user.is_staff and (org_admin_check(request.user, request.access).allowed or access.Role.IT in me.roles):
        items.append(NavItem(_("Administration"), reverse("admin:index")))
    return items
