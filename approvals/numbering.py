"""決裁番号: `<fiscal year>-<department>-<000123>`, counted per fiscal year (April–March) and drafting department
(keyed by the department label the number shows).

The number is taken in the transaction that decides, under a row lock on the department's sequence: parallel
deciders of one department queue on that row, and a decision that rolls back returns its number, so the
sequence has no gaps and no duplicates.
"""

from __future__ import annotations

from datetime import date

from approvals.models import NumberSequence
from personnel.calendar import fiscal_year
from personnel.models import OrgUnit, UnitKind
from personnel.org import unit_ancestor_paths


def department_of(unit: OrgUnit) -> OrgUnit:
    """The 部 a unit belongs to (itself when it is a 部, 局 or the city). A 課 or 係 with no 部 above it (placed
    directly under a 局 or the city) counts with that 局 or the city."""
    if unit.kind <= UnitKind.DEPARTMENT:
        return unit
    return (
        OrgUnit.objects.filter(path__in=unit_ancestor_paths(unit), kind__lte=UnitKind.DEPARTMENT)
        .order_by("-depth")
        .first()
    )


def sequence_key(*, unit: OrgUnit, on: date) -> tuple[int, str]:
    """The counter a decision of `unit` on `on` draws from: (fiscal year, department label)."""
    department = department_of(unit)
    return fiscal_year(on), (department.abbreviation or department.name)[:40]


def next_numbers(*, key: tuple[int, str], count: int) -> list[str]:
    """`count` consecutive numbers of one counter, taken under its row lock (held until the transaction ends). A
    bulk decision takes each department's numbers in one go, in the order of (year, label), so two bulk deciders
    lock the counters in the same order."""
    year, label = key
    NumberSequence.objects.bulk_create([NumberSequence(fiscal_year=year, label=label)], ignore_conflicts=True)
    sequence = NumberSequence.objects.select_for_update().get(fiscal_year=year, label=label)
    first = sequence.last + 1
    sequence.last += count
    sequence.save(update_fields=["last"])
    return [f"{year}-{label}-{n:06d}" for n in range(first, first + count)]


def next_number(*, unit: OrgUnit, on: date) -> str:
    return next_numbers(key=sequence_key(unit=unit, on=on), count=1)[0]
