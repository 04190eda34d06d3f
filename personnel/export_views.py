"""The pages of background exports: ask for one (from the page that offers it), follow its progress, download it.
Access: personnel/exports.py and the ExportJob policy (the owner, from the office)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from personnel import exports
from personnel.models import ExportJob
from personnel.shell import safe_next


def _job(request: HttpRequest, pk: int) -> ExportJob:
    job = exports.visible_jobs(user=request.user, ctx=request.access).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


@login_required
@require_POST
def export_start(request: HttpRequest) -> HttpResponse:
    params = {k: v for k, v in request.POST.items() if k not in ("csrfmiddlewaretoken", "code", "format", "next")}
    try:
        job = exports.export_start(
            actor=request.user,
            ctx=request.access,
            code=request.POST.get("code", ""),
            params=params,
            fmt=request.POST.get("format", "xlsx"),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(safe_next(request, request.POST.get("next"), reverse("personnel:exports")))
    return redirect("personnel:export", pk=job.pk)


@login_required
@require_GET
def export_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(exports.visible_jobs(user=request.user, ctx=request.access), 20).get_page(request.GET.get("page"))
    return render(request, "personnel/exports.html", {"page": page})


@login_required
@require_GET
def export_page(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    refusal = exports.download_refusal(job, timezone.now())
    # While the file is written the status card asks again every second (htmx) and is swapped for the new one.
    template = "personnel/_export_status.html" if request.htmx else "personnel/export.html"
    return render(request, template, {"job": job, "refusal": refusal})


@login_required
@require_GET
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    try:
        path, filename = exports.export_download(actor=request.user, ctx=request.access, job=job)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("personnel:export", pk=job.pk)
    return FileResponse(path.open("rb"), as_attachment=True, filename=filename)
