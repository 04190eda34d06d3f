"""The leave ledger of a year, exported in the background by HR (personnel/exports.py, leave/exports.py)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from personnel import exports
from personnel.access import AccessDenied
from personnel.models import ExportJob
from tests.leave.test_filing import decide, file


def test_hr_exports_the_years_leave_ledger_with_what_was_taken(city, office, django_capture_on_commit_callbacks):
    decide(file(city, office, start_date=date(2026, 12, 1), end_date=date(2026, 12, 2)), office)
    with django_capture_on_commit_callbacks(execute=True):
        job = exports.export_start(
            actor=city.hr_clerk.user, ctx=office, code="leave.ledger", params={"year": "2026"}, fmt="xlsx"
        )
    job = ExportJob.objects.get(pk=job.pk)
    path, name = exports.export_download(actor=city.hr_clerk.user, ctx=office, job=job)
    assert name == "休暇台帳-2026.xlsx"
    rows = {r[0]: r for r in load_workbook(path).active.iter_rows(min_row=2, values_only=True)}
    employee, _name, year, granted, carried, taken, left, taken_minutes, _left_minutes = rows["100001"]
    assert (year, granted, carried, taken, left) == (2026, Decimal(20), Decimal(0), Decimal(2), Decimal(18))
    assert taken_minutes == 930


def test_a_bad_year_or_a_non_hr_member_is_refused(city, office):
    with pytest.raises(ValidationError, match="Choose a year"):
        exports.export_start(
            actor=city.hr_clerk.user, ctx=office, code="leave.ledger", params={"year": "x"}, fmt="xlsx"
        )
    with pytest.raises(AccessDenied):
        exports.export_start(
            actor=city.applicant.user, ctx=office, code="leave.ledger", params={"year": "2026"}, fmt="xlsx"
        )
