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
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from personnel import org
from personnel.forms import AssignmentAdminForm, OrgUnitAdminForm
from personnel.models import Assignment, Delegation, OrgUnit, PersonnelAudit, Staff
from personnel.shell import AccessModelAdmin


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
        posts = org.staff_current_assignments(staff=obj, on=timezone.localdate())
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

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "unit" and field is not None:
            field.label_from_instance = lambda unit: org.unit_labels([unit])[unit.pk]  # 市民部 市民課
        return field

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
