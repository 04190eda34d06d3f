"""Tables as downloads: CSV (UTF-8 with a byte-order mark, so Excel on a city PC opens Japanese correctly; or plain
UTF-8 for machines) and xlsx (openpyxl, write-only, so a long table costs little memory). Every app's exports come
through here, and every export is logged (`personnel.services.export_record`) by the view that offers it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if value is None:
        return ""
    if isinstance(value, date | int | float | Decimal | str):
        return value
    return str(value)


def _csv_cell(value: Any) -> str:
    value = _plain(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    # A cell starting with = + - @ is run as a formula by spreadsheet programs (CSV injection); a leading
    # apostrophe keeps it text. Numbers stay numbers.
    if isinstance(value, str) and text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


PROGRESS_EVERY = 1000  # rows between two progress reports of a long export


def write_csv(
    out: Any,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    bom: bool = True,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the table as CSV to the text stream `out` (UTF-8 with a BOM for Excel, or plain), row by row. Returns
    the number of rows; `progress(rows so far)` is called every PROGRESS_EVERY rows."""
    if bom:
        out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([str(h) for h in header])
    written = 0
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
        written += 1
        if progress is not None and written % PROGRESS_EVERY == 0:
            progress(written)
    return written


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]], *, bom: bool = True) -> bytes:
    out = io.StringIO()
    write_csv(out, header, rows, bom=bom)
    return out.getvalue().encode("utf-8")


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str) -> bytes:
    out = io.BytesIO()
    write_sheets(out, [(title, header, rows)])
    return out.getvalue()


def write_sheets(
    out: Any,
    sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence[Any]]]],
    *,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write a workbook of several sheets to the binary stream `out` (openpyxl write-only: rows are streamed,
    memory stays flat): a bold, frozen header row, columns as wide as their headers, dates and times formatted
    as dates. Returns the number of rows written (headers not counted)."""
    book = Workbook(write_only=True)
    written = 0
    for title, header, rows in sheets:
        sheet = book.create_sheet(title=str(title)[:31])
        sheet.freeze_panes = "A2"
        for index, name in enumerate(header, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = max(10, min(40, len(str(name)) * 2 + 2))
        head = []
        for name in header:
            cell = WriteOnlyCell(sheet, value=str(name))
            cell.font = Font(bold=True)
            head.append(cell)
        sheet.append(head)
        for row in rows:
            values: list[Any] = []
            for value in row:
                value = _plain(value)
                if isinstance(value, datetime):
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.number_format = "yyyy/mm/dd hh:mm"
                    value = cell
                elif isinstance(value, date):
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.number_format = "yyyy/mm/dd"
                    value = cell
                elif isinstance(value, str) and value[:1] == "=":
                    value = "'" + value  # never a formula
                values.append(value)
            sheet.append(values)
            written += 1
            if progress is not None and written % PROGRESS_EVERY == 0:
                progress(written)
    book.save(out)
    return written


def attachment(body: bytes, *, fmt: str, filename: str) -> HttpResponse:
    """`body` (a table written as `fmt`: "xlsx", "csv" or "csv-plain") as a download named `filename` + extension."""
    content_type, ext = (XLSX, "xlsx") if fmt == "xlsx" else ("text/csv; charset=utf-8", "csv")
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=f"{filename}.{ext}")
    return response


def download(
    fmt: str, *, filename: str, title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    """The table as a download in `fmt` ("csv" with BOM, "csv-plain", or "xlsx"), named `filename` + extension."""
    if fmt == "xlsx":
        body = xlsx_bytes(header, rows, title=title)
    else:
        body = csv_bytes(header, rows, bom=fmt != "csv-plain")
    return attachment(body, fmt=fmt, filename=filename)
