"""決裁文書検索: the documents the user may see, by number, type, applicant, unit, period, status, amount and words of
the title and body (Japanese folded, personnel/text.py); paginated, sortable, and exported as CSV (UTF-8 with BOM)
or xlsx, each export logged (personnel.services.export_record)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from approvals import selectors
from approvals.forms import DocumentSearchForm
from approvals.models import Document
from approvals.views._common import gate, link_documents, paginate
from personnel import services as personnel_services
from personnel import spreadsheets
from personnel.org import unit_labels

# More rows than this are refused with a request to narrow the search (an export this size is a report for the
# background exports to come, not a page's download).
EXPORT_MAX_ROWS = 20_000


def _header() -> list[str]:
    return [
        _("Decision number (決裁番号)"),
        _("Type"),
        _("Title"),
        _("Applicant"),
        _("Drafting unit"),
        _("Status"),
        _("Amount (yen)"),
        _("Filed at"),
        _("Decided at"),
    ]


def _rows(documents: list[Document]) -> Iterator[list[Any]]:
    labels = unit_labels({d.drafting_unit for d in documents})
    for d in documents:
        yield [
            d.number or "",
            d.type_label,
            d.title,
            d.applicant.full_name,
            labels[d.drafting_unit_id],
            d.get_status_display(),
            d.amount,
            d.filed_at,
            d.decided_at,
        ]


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    gate(request)
    asked = {k: v for k, v in request.GET.items() if k not in ("page", "export") and v}
    form = DocumentSearchForm(request.GET if asked else None)
    context: dict[str, Any] = {"form": form, "tab": "search", "asked": bool(asked)}
    if asked and not form.is_valid():
        return render(request, "approvals/search.html", context)
    criteria = form.criteria() if asked else selectors.DocumentSearch()
    documents = selectors.search_documents(user=request.user, ctx=request.access, criteria=criteria)
    fmt = request.GET.get("export")
    if fmt in spreadsheets.FORMATS:
        return _export(request, documents, criteria, fmt)
    page = paginate(request, documents)
    page.object_list = list(page.object_list)
    link_documents(page.object_list)
    labels = unit_labels({d.drafting_unit for d in page.object_list})
    for d in page.object_list:
        d.unit_label = labels[d.drafting_unit_id]
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    context.update(page=page, query=query.urlencode(), sorts=DocumentSearchForm.SORT_CHOICES)
    return render(request, "approvals/search.html", context)


def _export(request: HttpRequest, documents: Any, criteria: selectors.DocumentSearch, fmt: str) -> HttpResponse:
    rows = list(documents[: EXPORT_MAX_ROWS + 1])
    if len(rows) > EXPORT_MAX_ROWS:
        messages.error(
            request,
            _("More than %(n)s documents match: narrow the search to export them.") % {"n": f"{EXPORT_MAX_ROWS:,}"},
        )
        query = request.GET.copy()
        query.pop("export", None)
        return redirect(f"{request.path}?{query.urlencode()}")
    personnel_services.export_record(
        actor=request.user,
        ctx=request.access,
        what="approvals.search",
        fmt=fmt,
        rows=len(rows),
        criteria=criteria.as_log(),
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return spreadsheets.download(
        fmt, filename=f"決裁文書検索-{stamp}", title=_("Documents"), header=_header(), rows=_rows(rows)
    )
