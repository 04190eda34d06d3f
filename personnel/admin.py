"""The org master in the Django admin: HR (人事担当) keeps units and assignments here, from the office.

Every permission hook asks personnel/access.py, never Django's model permissions:

- the admin is where the org master is changed, so opening any of its pages needs the right to change the
  org master (`org_admin_check`: HR, office only); each page then also needs its own action on its model;
- lists are `access.visible(..., "view", ...)`;
- an action is offered only when a service performs it (`service_actions`): saves go through
  personnel/services.py (see the forms in personnel/forms.py), never ModelAdmin.save_model; nothing here
  deletes (an assignment is ended by giving it an end date).

Django's admin also requires `user.is_staff`: HR accounts carry it (the demo seed sets it).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.options import csrf_protect_m
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from personnel import access, selectors
from personnel.forms import AssignmentAdminForm, OrgUnitAdminForm
from personnel.models import Assignment, Delegation, OrgUnit, PersonnelAudit, Staff

admin.site.site_header = _("Kessai Portal administration")
admin.site.site_title = _("Kessai Portal administration")
admin.site.index_title = _("Organisation and staff")


_site_index = admin.site.index


def _office_only_index(request: HttpRequest, extra_context: dict | None = None) -> Any:
    """Everything in this admin (org master, 専決規程, lockouts) is office-only: say so on its front page too,
    instead of showing a remote user an empty list."""
    if request.access.zone == access.REMOTE:
        raise access.AccessDenied(str(access.REASON_OFFICE_ONLY))
    return _site_index(request, extra_context)


admin.site.index = _office_only_index


def org_admin_check(user: Any, ctx: access.AccessContext) -> access.Decision:
    """May `user` use the org administration at all? Changing the org master is HR's, and office-only."""
    return access.check(user, "change", OrgUnit, ctx)


class AccessModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose every permission answer comes from personnel/access.py."""

    # The actions this admin can perform because a service performs them ("add", "change").
    service_actions: frozenset[str] = frozenset()

    def _gate(self, request: HttpRequest) -> access.Decision:
        return org_admin_check(request.user, request.access)

    def _allowed(self, request: HttpRequest, action: str, obj: Model | None = None) -> bool:
        if action != "view" and action not in self.service_actions:
            return False
        target = obj if obj is not None else self.model
        return bool(self._gate(request)) and access.can(request.user, action, target, request.access)

    def _require_gate(self, request: HttpRequest) -> None:
        """Refuse with the permission model's reason (e.g. office-only) instead of a bare 403."""
        self._gate(request).raise_if_denied()

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request, "view")

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request, "view", obj)

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request, "add")

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request, "change", obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request, "delete", obj)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return access.visible(request.user, "view", super().get_queryset(request), request.access)

    def get_form(self, request: HttpRequest, obj: Model | None = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        # The form saves through a service, which needs to know who acts and from where.
        return type(form.__name__, (form,), {"actor": request.user, "ctx": request.access})

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        self._require_gate(request)
        return super().changelist_view(request, extra_context)

    @csrf_protect_m
    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        self._require_gate(request)
        # Not wrapped in transaction.atomic as Django's admin does: each save is a service call, itself a
        # durable transaction, which refuses to run nested inside another.
        return self._changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        """Nothing to do: the form saved through its service while it was validated."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """No related rows are edited here."""


@admin.register(OrgUnit)
class OrgUnitAdmin(AccessModelAdmin):
    service_actions = frozenset({"add", "change"})
    form = OrgUnitAdminForm
    fields = ["parent", "code", "kind", "name", "name_kana", "abbreviation", "extension"]
    list_display = ["tree_name", "code", "kind", "abbreviation", "extension"]
    list_display_links = ["tree_name"]
    list_filter = ["kind"]
    search_fields = ["name", "name_kana", "code"]
    ordering = ["path"]
    list_per_page = 200

    @admin.display(description=_("name"), ordering="path")
    def tree_name(self, obj: OrgUnit) -> str:
        return format_html('<span style="padding-inline-start:{}em">{}</span>', (obj.depth - 1) * 1.5, obj.name)

    def get_readonly_fields(self, request: HttpRequest, obj: OrgUnit | None = None) -> Any:
        # An existing unit keeps its code and kind: decision numbers and the tree's depth rules depend on them,
        # and orgunit_update does not change them.
        return ["code", "kind"] if obj is not None else []

    def view_on_site(self, obj: OrgUnit) -> str:
        return reverse("personnel:unit_detail", args=[obj.pk])


@admin.register(Staff)
class StaffAdmin(AccessModelAdmin):
    """Read-mostly: staff come from the personnel system's import; HR edits their posts (Assignment)."""

    list_display = ["full_name", "full_name_kana", "employee_number", "extension", "email"]
    search_fields = ["family_name", "given_name", "family_name_kana", "given_name_kana", "employee_number"]
    fields = [
        "employee_number",
        ("family_name", "given_name"),
        ("family_name_kana", "given_name_kana"),
        "extension",
        "email",
        "current_posts",
    ]
    readonly_fields = ["current_posts"]
    ordering = ["family_name_kana", "given_name_kana"]

    @admin.display(description=_("current posts"))
    def current_posts(self, obj: Staff) -> str:
        posts = selectors.staff_current_assignments(staff=obj, on=timezone.localdate())
        links = format_html_join(
            "",
            '<li><a href="{}">{} {}{}</a></li>',
            (
                (
                    reverse("admin:personnel_assignment_change", args=[a.pk]),
                    a.unit.name,
                    a.position.name,
                    "" if a.is_primary else _("(concurrent post)"),
                )
                for a in posts
            ),
        )
        add = reverse("admin:personnel_assignment_add") + f"?staff={obj.pk}"
        return format_html('<ul class="current-posts">{}</ul><a href="{}">{}</a>', links, add, _("Add a post"))


@admin.register(Assignment)
class AssignmentAdmin(AccessModelAdmin):
    service_actions = frozenset({"add", "change"})
    form = AssignmentAdminForm
    list_display = ["staff", "employee_number", "unit", "position", "is_primary", "start_date", "end_date"]
    list_select_related = ["staff", "unit", "position"]
    list_filter = ["is_primary", "position"]
    search_fields = [
        "staff__family_name",
        "staff__given_name",
        "staff__family_name_kana",
        "staff__given_name_kana",
        "staff__employee_number",
        "unit__name",
    ]
    autocomplete_fields = ["staff", "unit"]
    ordering = ["staff__family_name_kana", "staff__given_name_kana", "-is_primary", "start_date"]

    @admin.display(description=_("employee number"), ordering="staff__employee_number")
    def employee_number(self, obj: Assignment) -> str:
        return obj.staff.employee_number

    def get_readonly_fields(self, request: HttpRequest, obj: Assignment | None = None) -> Any:
        # A post belongs to one person: moving someone is a new assignment, not an edit of another's.
        return ["staff"] if obj is not None else []


@admin.register(Delegation)
class DelegationAdmin(AccessModelAdmin):
    list_display = ["delegator", "delegate", "start_date", "end_date", "reason", "revoked_at"]
    list_select_related = ["delegator", "delegate"]
    list_filter = ["start_date"]
    search_fields = ["delegator__family_name", "delegate__family_name", "reason"]


@admin.register(PersonnelAudit)
class PersonnelAuditAdmin(AccessModelAdmin):
    list_display = ["at", "actor", "zone", "action", "target"]
    list_select_related = ["actor"]
    list_filter = ["action", "zone"]
    search_fields = ["target", "action"]
    date_hierarchy = "at"
