"""Template helpers of the payroll inputs' card and row (the type of a detail row, and its facts masked or not)."""

from __future__ import annotations

from typing import Any

from django import template

from payroll.doctypes import BY_MODEL, PayrollType
from payroll.doctypes import hours as hours_text
from personnel import access

register = template.Library()


def _type(detail: Any) -> PayrollType:
    return BY_MODEL[type(detail)]


@register.simple_tag(takes_context=True)
def payroll_rows(context: template.Context, detail: Any) -> list[tuple[str, str]]:
    """The detail's facts; personal ones unmasked only for the staff member and the 庶務センター."""
    doctype = _type(detail)
    request = context.get("request")
    unmasked = not doctype.personal
    if not unmasked and request is not None:
        unmasked = access.can(request.user, "unmask", detail, request.access)
    return doctype.rows(detail, unmasked=unmasked)


@register.filter
def payroll_label(detail: Any) -> str:
    return str(_type(detail).label)


@register.filter
def payroll_row(detail: Any) -> str:
    return _type(detail).row_text(detail)


@register.filter
def hours(minutes: int | None) -> str:
    return hours_text(minutes or 0)
