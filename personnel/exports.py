"""Long exports in the background (django-tasks): the one way a big table leaves the portal as a file.

An app registers what it can export (`register(Export(...))`: its permission, whether it holds other people's
personal data, how many rows and which sheets for given criteria). Then:

    export_start(actor, ctx, code, params, fmt)   checks the permission (office only), counts the rows, records the
                                                  job and queues `run_export` after commit
    run_export(job_id)                            a task: writes the file (xlsx write-only or CSV, streamed, memory
                                                  flat) under EXPORT_ROOT, reporting rows done as it goes; the SHA-256
    export_download(actor, ctx, job)              the owner, from the office, once written — and, when the file holds
                                                  more than EXPORT_PERSONAL_THRESHOLD rows of other people's personal
                                                  data, once the 所属長 allowed it (持ち出し): logged with its digest
                                                  and the permission's number
    exports_prune(now)                            deletes files past EXPORT_KEEP_DAYS (`manage.py prune_exports`)

The permission is a document of the approval engine, a layer above this one: its type (takeout/) keeps the job's
`permission` column up to date through `export_permission_set` inside the engine's transaction. Tests use
django-tasks' immediate backend; `make run` starts a database worker beside Daphne, and more workers on more
machines share the same queue on PostgreSQL.
"""

from __future__ import annotations

import hashlib
import io
import logging
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django_tasks import task

from personnel import access, spreadsheets
from personnel.audit import audit_record
from personnel.models import ExportJob
from personnel.org import staff_for_user
from personnel.services import export_record

logger = logging.getLogger(__name__)

FORMATS = ("xlsx", "csv", "csv-plain")


@dataclass(frozen=True)
class Sheet:
    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[Any]]


@dataclass(frozen=True)
class Export:
    """What an app can export. `model` and `action` are the permission (access.require on the model class);
    `personal`: the table holds other people's personal data (the 持ち出し rule). `params` parses and checks the
    criteria (raising ValidationError); `count` and `sheets` read them; a CSV holds the first sheet."""

    code: str
    label: Callable[[Mapping[str, Any]], str | Promise]
    model: type[models.Model]
    action: str
    personal: bool
    params: Callable[[Mapping[str, Any]], dict[str, Any]]
    count: Callable[[Mapping[str, Any]], int]
    sheets: Callable[[Mapping[str, Any]], list[Sheet]]
    filename: Callable[[Mapping[str, Any]], str]


_EXPORTS: dict[str, Export] = {}


def register(export: Export) -> Export:
    if export.code in _EXPORTS and _EXPORTS[export.code] is not export:
        raise ImproperlyConfigured(f"Export {export.code!r} is registered twice")
    _EXPORTS[export.code] = export
    return export


def get(code: str) -> Export:
    try:
        return _EXPORTS[code]
    except KeyError:
        raise ValidationError(_("There is no such export.")) from None


def root() -> Path:
    return Path(settings.EXPORT_ROOT)


# --------------------------------------------------------------------------------------------------------
# Asking for an export
# --------------------------------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def export_start(*, actor: Any, ctx: access.AccessContext, code: str, params: Mapping[str, Any], fmt: str) -> ExportJob:
    """Queue an export of `code` with the criteria `params` in `fmt`; refused remotely, without the export's
    permission, or with bad criteria (nothing recorded then)."""
    export = get(code)
    access.require(actor, "add", ExportJob, ctx)  # every export: from the office only
    access.require(actor, export.action, export.model, ctx)
    if fmt not in FORMATS:
        raise ValidationError(_("Choose xlsx or CSV."))
    owner = staff_for_user(user=actor)
    if owner is None:
        raise access.AccessDenied(str(access.REASON_NO_ASSIGNMENT))
    criteria = export.params(params)
    total = export.count(criteria)
    needs = export.personal and total > settings.EXPORT_PERSONAL_THRESHOLD
    job = ExportJob.objects.create(
        owner=owner,
        code=code,
        label=str(export.label(criteria))[:200],
        params=criteria,
        fmt=fmt,
        zone=ctx.zone,
        rows_total=total,
        personal=export.personal,
        created_at=timezone.now(),
        permission=ExportJob.Permission.NEEDED if needs else ExportJob.Permission.NOT_NEEDED,
    )
    audit_record(
        actor=actor,
        ctx=ctx,
        action="export_start",
        target=job.label,
        detail={"job": job.pk, "code": code, "format": fmt, "rows": total, "criteria": criteria},
    )
    transaction.on_commit(lambda: run_export.enqueue(job.pk))
    return job


# --------------------------------------------------------------------------------------------------------
# Writing it (a task)
# --------------------------------------------------------------------------------------------------------


@task()
def run_export(job_id: int) -> None:
    """Write the job's file, reporting progress; a failure is recorded on the job (and logged), never raised at
    the worker twice: a job is written once."""
    claimed = ExportJob.objects.filter(pk=job_id, state=ExportJob.State.QUEUED).update(state=ExportJob.State.RUNNING)
    if not claimed:
        return
    job = ExportJob.objects.get(pk=job_id)
    export = get(job.code)
    name = f"{uuid.uuid4().hex}.{'xlsx' if job.fmt == 'xlsx' else 'csv'}"
    path = root() / name
    path.parent.mkdir(parents=True, exist_ok=True)

    def progress(rows: int) -> None:
        ExportJob.objects.filter(pk=job_id).update(rows_done=rows)

    try:
        sheets = export.sheets(job.params)
        with path.open("wb") as out:
            if job.fmt == "xlsx":
                rows = spreadsheets.write_sheets(out, [(s.title, s.header, s.rows) for s in sheets], progress=progress)
            else:
                text = io.TextIOWrapper(out, encoding="utf-8", newline="")
                rows = spreadsheets.write_csv(
                    text, sheets[0].header, sheets[0].rows, bom=job.fmt == "csv", progress=progress
                )
                text.flush()
                text.detach()
    except Exception as error:  # noqa: BLE001 - whatever broke, the job says so and the worker goes on
        logger.exception("export %s failed", job_id)
        path.unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job_id).update(state=ExportJob.State.FAILED, error=str(error)[:300])
        return
    now = timezone.now()
    ExportJob.objects.filter(pk=job_id).update(
        state=ExportJob.State.DONE,
        rows_done=rows,
        rows_total=rows,
        file_name=name,
        size=path.stat().st_size,
        digest=_sha256(path),
        finished_at=now,
        expires_at=now + timedelta(days=settings.EXPORT_KEEP_DAYS),
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --------------------------------------------------------------------------------------------------------
# Handing it over
# --------------------------------------------------------------------------------------------------------


def visible_jobs(*, user: Any, ctx: access.AccessContext) -> models.QuerySet[ExportJob]:
    return access.visible(user, "view", ExportJob.objects.all(), ctx).order_by("-created_at", "-pk")


def download_refusal(job: ExportJob, now: datetime) -> str | None:
    """Why the file cannot be handed over now, or None."""
    if job.state == ExportJob.State.EXPIRED or (job.expires_at is not None and job.expires_at <= now):
        return _("This file was deleted after its keeping period. Export it again.")
    if job.state == ExportJob.State.FAILED:
        return _("This export failed: %(error)s") % {"error": job.error}
    if job.state != ExportJob.State.DONE:
        return _("This file is still being written.")
    if job.permission == ExportJob.Permission.REFUSED:
        return _("The 所属長 refused to let this personal data out: the file cannot be downloaded.")
    if job.permission in (ExportJob.Permission.NEEDED, ExportJob.Permission.REQUESTED):
        return _(
            "This file holds personal data of more than %(n)d people: it can be downloaded once your 所属長 has "
            "allowed taking it out (持ち出し許可)."
        ) % {"n": settings.EXPORT_PERSONAL_THRESHOLD}
    return None


def export_download(*, actor: Any, ctx: access.AccessContext, job: ExportJob) -> tuple[Path, str]:
    """The file and its download name, logged; AccessDenied for anyone but its owner or from the remote zone,
    ValidationError with the reason when it cannot be handed over."""
    access.require(actor, "view", job, ctx)
    refusal = download_refusal(job, timezone.now())
    if refusal:
        raise ValidationError(refusal)
    path = root() / job.file_name
    if not path.exists():
        raise ValidationError(_("This file is missing. Export it again."))
    export_record(
        actor=actor,
        ctx=ctx,
        what=job.code,
        fmt=job.fmt,
        rows=job.rows_total,
        criteria=job.params,
        file={
            "job": job.pk,
            "sha256": job.digest,
            "permission": job.permission,
            "permission_document": job.permission_document_id,
        },
    )
    return path, f"{get(job.code).filename(job.params)}.{'xlsx' if job.fmt == 'xlsx' else 'csv'}"


def export_permission_set(*, job: ExportJob, permission: str, document_id: int | None = None) -> None:
    """The 持ち出し document's type records where the permission stands (inside the engine's transaction)."""
    job.permission, job.permission_document_id = permission, document_id
    job.save(update_fields=["permission", "permission_document_id"])


def exports_prune(*, now: datetime) -> int:
    """Delete the files past their keeping period (the job rows stay, marked expired, for the record)."""
    expired = list(
        ExportJob.objects.filter(state=ExportJob.State.DONE, expires_at__lte=now).values_list("pk", "file_name")
    )
    for _pk, name in expired:
        (root() / name).unlink(missing_ok=True)
    ExportJob.objects.filter(pk__in=[pk for pk, _name in expired]).update(state=ExportJob.State.EXPIRED)
    return len(expired)
