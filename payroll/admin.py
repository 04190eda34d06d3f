"""The payroll rules in the Django admin: 人事担当 keeps them, from the office (personnel/access.py decides; the
payroll policies give "add" and "change" to HR only). Every save goes through payroll.services.rule_save, audited
old → new; a row already in force is refused a change there (add a revision from the day it applies). Nothing here
deletes."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from payroll import services
from payroll.models import (
    CommutingBand,
    CommutingRule,
    DependantRate,
    DesignatedUnit,
    HousingRule,
    OvertimeRule,
    Salary,
)
from personnel.forms import ServiceModelForm
from personnel.shell import AccessModelAdmin


class RuleForm(ServiceModelForm):
    """Any rule row, saved through the one audited service."""

    class Meta:
        fields = "__all__"

    def apply(self) -> Any:
        values = {name: self.cleaned_data[name] for name in self._meta.fields or self.cleaned_data}
        return services.rule_save(actor=self.actor, ctx=self.ctx, rule=self.instance, values=values)


class RuleAdmin(AccessModelAdmin):
    service_actions = frozenset({"add", "change"})
    form = RuleForm


@admin.register(OvertimeRule)
class OvertimeRuleAdmin(RuleAdmin):
    list_display = ["effective_from", "rate_day", "rate_rest_day", "rate_night", "monthly_cap", "note"]


@admin.register(HousingRule)
class HousingRuleAdmin(RuleAdmin):
    list_display = ["effective_from", "threshold", "step", "cap", "note"]


@admin.register(CommutingRule)
class CommutingRuleAdmin(RuleAdmin):
    list_display = ["effective_from", "min_km", "transit_cap", "total_cap", "note"]


@admin.register(CommutingBand)
class CommutingBandAdmin(RuleAdmin):
    list_display = ["rule", "from_km", "monthly"]
    list_filter = ["rule"]


@admin.register(DependantRate)
class DependantRateAdmin(RuleAdmin):
    list_display = ["category", "effective_from", "monthly", "note"]
    list_filter = ["category"]


@admin.register(DesignatedUnit)
class DesignatedUnitAdmin(RuleAdmin):
    list_display = ["fiscal_year", "unit"]
    list_filter = ["fiscal_year"]
    autocomplete_fields = ["unit"]


@admin.register(Salary)
class SalaryAdmin(RuleAdmin):
    list_display = ["staff", "effective_from", "base", "regional"]
    search_fields = ["staff__employee_number", "staff__family_name", "staff__given_name"]
    autocomplete_fields = ["staff"]
