"""Small presentation helpers of the approval pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import ObjectDoesNotExist

register = template.Library()


@register.filter
def lookup(mapping: Any, key: Any) -> Any:
    """`forms|lookup:slot.pk`: the entry of a dict the view keyed by slot, or None."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def yen(amount: Decimal | int | None) -> str:
    return "" if amount is None else f"¥{intcomma(int(amount))}"


@register.filter
def leave_minutes(minutes: Decimal | int | None) -> str:
    """A leave quantity as days, hours and minutes of the working day (personnel.leave.format_minutes)."""
    if minutes is None:
        return ""
    try:
        from leave.rules import format_minutes
    except ImportError:  # pragma: no cover - the leave module ships with personnel
        return str(minutes)
    return format_minutes(minutes)


@register.filter
def loaded(instance: Any, name: str) -> Any:
    """A reverse one-to-one detail row (e.g. "leave_request") when the selector joined it in, else None: a
    queue row never costs a query of its own."""
    descriptor = getattr(type(instance), name, None)
    if instance is None or descriptor is None or not hasattr(descriptor, "is_cached"):
        return None
    if not descriptor.is_cached(instance):
        return None
    try:
        return getattr(instance, name)
    except ObjectDoesNotExist:  # joined in, and there is none
        return None
