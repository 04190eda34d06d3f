"""Background exports (personnel/exports.py): written by a task with its progress, kept for their owner in the office,
downloaded with a logged digest, and — beyond the threshold of other people's personal data — only with the
所属長's permission (持ち出し許可, a document of the engine)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import call_command
from openpyxl import load_workbook

from approvals import services as approval_services
from personnel import exports, spreadsheets
from personnel.access import AccessDenied, Role
from personnel.models import ExportJob, PersonnelAudit
from tests.approvals.helpers import approve_in_turn, slot_of
from tests.conftest import NOW, TODAY


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    def run(call):
        with django_capture_on_commit_callbacks(execute=True):
            result = call()
        return ExportJob.objects.get(pk=result.pk)

    return run


def directory(city, run_on_commit, office, fmt="xlsx") -> ExportJob:
    return run_on_commit(
        lambda: exports.export_start(
            actor=city.hr_clerk.user, ctx=office, code="personnel.directory", params={}, fmt=fmt
        )
    )


def test_the_directory_is_written_in_the_background_and_handed_to_its_owner(city, office, run_on_commit):
    job = directory(city, run_on_commit, office)
    assert (job.state, job.rows_done, job.rows_total, job.percent) == ("done", 9, 9, 100)
    path, name = exports.export_download(actor=city.hr_clerk.user, ctx=office, job=job)
    assert name == f"職員名簿-{TODAY.isoformat()}.xlsx"
    assert job.digest == hashlib.sha256(path.read_bytes()).hexdigest()
    sheet = load_workbook(path).active
    assert [c.value for c in sheet[1]][:3] == ["職員番号", "氏名", "氏名（カナ）"]
    assert [c.value for c in sheet[2]][:4] == ["100001", "山田 太郎", "ヤマダ タロウ", "人事係"]
    entry = PersonnelAudit.objects.get(action="export")
    assert (entry.detail["rows"], entry.detail["file"]["sha256"]) == (9, job.digest)


def test_the_progress_moves_as_rows_are_written(city, office, run_on_commit, monkeypatch):
    seen: list[int] = []
    real = exports.get("personnel.directory")

    def watched(criteria):
        (sheet,) = real.sheets(criteria)

        def rows():
            for row in sheet.rows:
                seen.append(ExportJob.objects.get().rows_done)
                yield row

        return [exports.Sheet(sheet.title, sheet.header, rows())]

    monkeypatch.setitem(exports._EXPORTS, "personnel.directory", exports.Export(**{**real.__dict__, "sheets": watched}))
    monkeypatch.setattr(spreadsheets, "PROGRESS_EVERY", 2)
    directory(city, run_on_commit, office)
    assert seen == [0, 0, 2, 2, 4, 4, 6, 6, 8]  # reported after every second row


def test_an_export_that_breaks_is_marked_failed_and_says_why(city, office, run_on_commit, monkeypatch):
    real = exports.get("personnel.directory")

    def broken(criteria):
        raise RuntimeError("disk full")

    monkeypatch.setitem(exports._EXPORTS, "personnel.directory", exports.Export(**{**real.__dict__, "sheets": broken}))
    job = directory(city, run_on_commit, office)
    assert (job.state, job.error) == ("failed", "disk full")
    with pytest.raises(ValidationError, match="This export failed: disk full"):
        exports.export_download(actor=city.hr_clerk.user, ctx=office, job=job)


def test_exports_are_office_only_and_need_the_exports_permission(city, office, remote_otp):
    with pytest.raises(AccessDenied, match="office network"):
        exports.export_start(
            actor=city.hr_clerk.user, ctx=remote_otp, code="personnel.directory", params={}, fmt="xlsx"
        )
    with pytest.raises(AccessDenied):
        exports.export_start(actor=city.approver.user, ctx=office, code="personnel.directory", params={}, fmt="xlsx")
    assert not ExportJob.objects.exists()


def test_nobody_downloads_someone_elses_export_nor_from_home(city, office, remote_otp, run_on_commit, client):
    job = directory(city, run_on_commit, office)
    city.payroll_chief.user.groups.add(Group.objects.get(name=Role.HR))  # HR too, but not its owner
    with pytest.raises(AccessDenied):
        exports.export_download(actor=city.payroll_chief.user, ctx=office, job=job)
    with pytest.raises(AccessDenied):
        exports.export_download(actor=city.hr_clerk.user, ctx=remote_otp, job=job)
    client.force_login(city.payroll_chief.user)
    assert client.get(f"/personnel/exports/{job.pk}/download/").status_code == 404


def test_files_are_deleted_after_their_keeping_period(city, office, run_on_commit, clock, settings):
    job = directory(city, run_on_commit, office)
    path = exports.root() / job.file_name
    assert path.exists()
    assert exports.exports_prune(now=NOW + timedelta(days=settings.EXPORT_KEEP_DAYS - 1)) == 0
    assert exports.exports_prune(now=NOW + timedelta(days=settings.EXPORT_KEEP_DAYS, minutes=1)) == 1
    job.refresh_from_db()
    assert job.state == "expired" and not path.exists()
    with pytest.raises(ValidationError, match="deleted after its keeping period"):
        exports.export_download(actor=city.hr_clerk.user, ctx=office, job=job)


@pytest.fixture
def many_people(settings):
    settings.EXPORT_PERSONAL_THRESHOLD = 5  # the city of the tests has 9 staff


def ask_permission(city, office, job, purpose="給与システムへの取込み"):
    return approval_services.document_file(
        actor=city.hr_clerk.user,
        ctx=office,
        doc_type="takeout",
        data={"job": job.pk, "purpose": purpose, "medium": "encrypted_usb"},
    )


def test_personal_data_beyond_the_threshold_waits_for_the_section_heads_permission(
    city, office, run_on_commit, many_people
):
    job = directory(city, run_on_commit, office)
    assert job.permission == "needed"
    with pytest.raises(ValidationError, match="once your 所属長 has allowed"):
        exports.export_download(actor=city.hr_clerk.user, ctx=office, job=job)
    request = ask_permission(city, office, job)
    job.refresh_from_db()
    assert job.permission == "requested"
    # 人事担当 of 給与係: 係長 (payroll_chief) → 課長補佐 → 課長 (approver) decides.
    approve_in_turn(request, [city.payroll_chief, city.delegate, city.approver], office)
    job.refresh_from_db()
    assert (job.permission, job.permission_document_id) == ("granted", request.pk)
    exports.export_download(actor=city.hr_clerk.user, ctx=office, job=job)
    logged = PersonnelAudit.objects.get(action="export")
    assert logged.detail["file"]["permission_document"] == request.pk


def test_a_refused_permission_keeps_the_file_in(city, office, run_on_commit, many_people):
    job = directory(city, run_on_commit, office)
    request = ask_permission(city, office, job)
    approval_services.document_reject(
        slot=slot_of(request, city.payroll_chief), actor=city.payroll_chief.user, ctx=office, comment="目的が不明確"
    )
    job.refresh_from_db()
    assert job.permission == "refused"
    with pytest.raises(ValidationError, match="refused to let this personal data out"):
        exports.export_download(actor=city.hr_clerk.user, ctx=office, job=job)
    with pytest.raises(ValidationError, match="does not wait for a permission"):
        ask_permission(city, office, job)


def test_only_ones_own_export_can_be_the_subject_of_a_permission(city, office, run_on_commit, many_people):
    job = directory(city, run_on_commit, office)
    with pytest.raises(ValidationError, match="your own exports"):
        approval_services.document_file(
            actor=city.applicant.user,
            ctx=office,
            doc_type="takeout",
            data={"job": job.pk, "purpose": "x", "medium": "paper"},
        )


def test_the_job_page_shows_a_progress_bar_and_the_way_to_ask_permission(
    city, office, run_on_commit, many_people, client
):
    job = directory(city, run_on_commit, office)
    client.force_login(city.hr_clerk.user)
    page = client.get(f"/personnel/exports/{job.pk}/").content.decode()
    assert '<progress id="export-bar" max="100"' in page
    assert f"/approvals/new/takeout/?job={job.pk}" in page
    filing = client.get(f"/approvals/new/takeout/?job={job.pk}").content.decode()
    assert f'name="job" value="{job.pk}"' in filing


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the worker handles its own connection
def test_a_database_worker_writes_the_file_queued_by_the_request(city, office, settings):
    """What `make run` and production do: the request queues the task in the database, a worker process runs it."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    job = exports.export_start(actor=city.hr_clerk.user, ctx=office, code="personnel.directory", params={}, fmt="csv")
    job.refresh_from_db()
    assert job.state == "queued"
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    job.refresh_from_db()
    assert (job.state, job.rows_done) == ("done", 9)


def test_a_request_corrected_to_another_export_lets_the_first_one_wait_again(city, office, run_on_commit, many_people):
    first, second = directory(city, run_on_commit, office), directory(city, run_on_commit, office)
    request = ask_permission(city, office, first)
    approval_services.document_send_back(
        slot=slot_of(request, city.payroll_chief),
        actor=city.payroll_chief.user,
        ctx=office,
        to_order=0,
        comment="対象の出力が違います",
    )
    approval_services.document_revise(
        document=request,
        actor=city.hr_clerk.user,
        ctx=office,
        data={"job": second.pk, "purpose": "給与システムへの取込み", "medium": "encrypted_usb"},
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.permission, second.permission) == ("needed", "requested")
