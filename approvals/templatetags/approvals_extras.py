"""Small presentation helpers of the approval pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import FieldDoesNotExist
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def lookup(mapping: Any, key: Any) -> Any:
    """`forms|lookup:slot.pk`: the entry of a dict the view keyed by slot, or None."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def fill(pattern: str, value: Any) -> SafeString:
    """`{{ t_select|fill:doc.title }}`: a pattern translated once before a list ("Select “{value}”") with one row's
    value put in, escaped, so a title cannot bring markup."""
    return format_html(pattern, value=value)


@register.filter
def yen(amount: Decimal | int | None) -> str:
    return "" if amount is None else f"¥{intcomma(int(amount))}"


@register.filter
def change_label(field: str, document: Any) -> str:
    """The label of a value a correction changed (history entries name fields: "document.amount", "start_date")."""
    from approvals import doctypes
    from approvals.models import Document

    model: Any = Document
    if field.startswith("document."):
        field = field.removeprefix("document.")
    else:
        try:
            model = doctypes.get(document.doc_type).detail_model
        except doctypes.UnknownDocumentType:
            return field
    try:
        return str(model._meta.get_field(field).verbose_name)
    except FieldDoesNotExist:
        return field
