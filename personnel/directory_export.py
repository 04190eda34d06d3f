"""The staff directory as a spreadsheet (職員名簿): everyone with a current post, their posts (兼務 too), extension and
mail, from the org master. Written in the background (personnel/exports.py); HR and the 庶務センター export it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from personnel import exports
from personnel.models import Staff
from personnel.org import assignments_current

HEADER = ("職員番号", "氏名", "氏名（カナ）", "所属", "職", "兼務", "内線", "メール")


def _staff(today: Any):
    posts = assignments_current(on=today).select_related("unit", "position").order_by("-is_primary", "unit__path")
    return (
        Staff.objects.filter(assignments__in=assignments_current(on=today))
        .distinct()
        .order_by("employee_number")
        .prefetch_related(Prefetch("assignments", queryset=posts, to_attr="current_posts"))
    )


def rows(today: Any) -> Iterator[list[Any]]:
    for staff in _staff(today).iterator(chunk_size=2000):
        primary, *others = staff.current_posts
        yield [
            staff.employee_number,
            staff.full_name,
            f"{staff.family_name_kana} {staff.given_name_kana}".strip(),
            primary.unit.name,
            primary.position.name,
            "、".join(f"{p.unit.name} {p.position.name}" for p in others),
            staff.extension,
            staff.email,
        ]


def _today(criteria: Mapping[str, Any]) -> date:
    return date.fromisoformat(criteria["on"])


exports.register(
    exports.Export(
        code="personnel.directory",
        label=lambda c: _("Staff directory on %(day)s") % {"day": c["on"]},
        model=Staff,
        action="export",
        personal=True,
        params=lambda params: {"on": timezone.localdate().isoformat()},
        count=lambda c: _staff(_today(c)).count(),
        sheets=lambda c: [exports.Sheet(_("Staff directory"), HEADER, rows(_today(c)))],
        filename=lambda c: f"職員名簿-{c['on']}",
    )
)
