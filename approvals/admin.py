"""The 専決規程 (decision rules) in the Django admin: HR keeps them here, from the office.

Permissions follow personnel/admin.py: every page needs the right to change the org master
(`org_admin_check`: HR, office only), asked of personnel/access.py, never Django's model permissions.

Rules are data and effective-dated. A filed document keeps a reference to the rule its route was built from,
so a rule that has come into force keeps its terms: to change one, give it an end date and add the new rule
from the next day. Only a rule not yet in force can be corrected freely. Nothing here deletes a rule.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from approvals.forms import DecisionRuleAdminForm
from approvals.models import DecisionRule
from personnel.shell import org_admin_check

TERMS = ["doc_type", "min_amount", "max_amount", "deciding_rank", "effective_from"]


class InForceFilter(admin.SimpleListFilter):
    title = _("in force")
    parameter_name = "in_force"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("In force today")), ("no", _("Ended or not yet in force"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        today = request.access.today
        in_force = Q(effective_from__lte=today) & (Q(effective_to__isnull=True) | Q(effective_to__gte=today))
        if self.value() == "yes":
            return queryset.filter(in_force)
        if self.value() == "no":
            return queryset.exclude(in_force)
        return queryset


@admin.register(DecisionRule)
class DecisionRuleAdmin(admin.ModelAdmin):
    form = DecisionRuleAdminForm
    list_display = ["doc_type", "min_amount", "max_amount", "deciding_rank", "effective_from", "effective_to", "note"]
    list_filter = [InForceFilter, "doc_type", "deciding_rank"]
    search_fields = ["note"]
    ordering = ["doc_type", "min_amount", "-effective_from"]
    fields = [
        "doc_type",
        ("min_amount", "max_amount"),
        "deciding_rank",
        ("effective_from", "effective_to"),
        "note",
    ]

    # The rules are city-wide data with no owner or unit: the gate (HR, office only) is the whole answer.
    def _allowed(self, request: HttpRequest, action: str) -> bool:
        return action in ("view", "add", "change") and org_admin_check(request.user, request.access).allowed

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request, "view")

    def has_view_permission(self, request: HttpRequest, obj: DecisionRule | None = None) -> bool:
        return self._allowed(request, "view")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request, "add")

    def has_change_permission(self, request: HttpRequest, obj: DecisionRule | None = None) -> bool:
        return self._allowed(request, "change")

    def has_delete_permission(self, request: HttpRequest, obj: DecisionRule | None = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: DecisionRule | None = None) -> Any:
        if obj is not None and obj.effective_from <= request.access.today:
            return TERMS
        return []

    def get_actions(self, request: HttpRequest) -> dict:
        return {}  # no bulk delete

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        # Refuse with the permission model's reason (e.g. office only) instead of a bare 403.
        org_admin_check(request.user, request.access).raise_if_denied()
        return super().changelist_view(request, extra_context)

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        org_admin_check(request.user, request.access).raise_if_denied()
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(
        self, request: HttpRequest, obj: DecisionRule | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"today": request.access.today})

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("effective_from", request.access.today)
        return initial
