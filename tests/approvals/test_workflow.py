"""The viewflow lifecycle of a document (approvals/flows.py) as driven through approvals/workflow.py."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from viewflow.workflow import PROCESS, STATUS
from viewflow.workflow.models import Process, Task

from approvals import workflow
from approvals.flows import ApprovalFlow
from approvals.models import Document, DocumentStatus
from tests.concurrency import race
from tests.sample_types.models import MEMO


def filed_document(city, title: str = "一般伺い") -> Document:
    """A filed memo's engine row alone (no detail row, no route): all the lifecycle looks at."""
    return Document.objects.create(
        doc_type=MEMO,
        title=title,
        applicant=city.applicant,
        drafting_unit=city.unit("SS1"),
        status=DocumentStatus.IN_PROGRESS,
    )


def close(document: Document, status: DocumentStatus) -> Document:
    """What the services do before process_finish: set the final status and save it."""
    document.status = status
    document.save(update_fields=["status"])
    return document


def task_names(process: Process) -> list[tuple[str, str]]:
    return [(task.flow_task.name, task.status) for task in Task.objects.filter(process=process).order_by("pk")]


@pytest.mark.django_db
def test_it_starts_a_linked_process_with_the_review_task_open(city):
    document = filed_document(city)

    process = workflow.process_start(document)

    document.refresh_from_db()
    assert document.process_id == process.pk
    assert process.flow_class is ApprovalFlow
    assert process.status == PROCESS.NEW
    assert process.finished is None
    assert task_names(process) == [("start", STATUS.DONE), ("review", STATUS.NEW)]
    assert workflow.process_state(document) == "review"


@pytest.mark.django_db
def test_it_refuses_to_start_a_second_process(city):
    document = filed_document(city)
    workflow.process_start(document)

    with pytest.raises(ValueError, match="already has process"):
        workflow.process_start(document)

    assert Process.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("status", [DocumentStatus.DECIDED, DocumentStatus.REJECTED, DocumentStatus.WITHDRAWN], ids=str)
def test_it_routes_a_closed_document_to_the_matching_end_and_finishes_the_process(city, status):
    document = filed_document(city)
    workflow.process_start(document)

    workflow.process_finish(close(document, status))

    process = Process.objects.get(pk=document.process_id)
    assert process.status == PROCESS.DONE
    assert process.finished is not None
    assert task_names(process) == [
        ("start", STATUS.DONE),
        ("review", STATUS.DONE),
        ("outcome", STATUS.DONE),
        (str(status), STATUS.DONE),
    ]
    assert workflow.process_state(Document.objects.get(pk=document.pk)) == str(status)


@pytest.mark.django_db
def test_it_routes_a_freshly_loaded_document_by_its_saved_status(city):
    document = filed_document(city)
    workflow.process_start(document)
    close(Document.objects.get(pk=document.pk), DocumentStatus.REJECTED)

    workflow.process_finish(Document.objects.get(pk=document.pk))

    assert workflow.process_state(document) == "rejected"


@pytest.mark.django_db
def test_it_refuses_to_finish_a_process_twice(city):
    document = filed_document(city)
    workflow.process_start(document)
    workflow.process_finish(close(document, DocumentStatus.DECIDED))
    tasks_before = task_names(document.process)

    with pytest.raises(ValueError, match="not under review"):
        workflow.process_finish(Document.objects.get(pk=document.pk))

    assert task_names(document.process) == tasks_before
    assert workflow.process_state(document) == "decided"


@pytest.mark.django_db
@pytest.mark.parametrize("status", [DocumentStatus.IN_PROGRESS, DocumentStatus.SENT_BACK], ids=str)
def test_it_refuses_to_finish_an_open_document(city, status):
    document = filed_document(city)
    workflow.process_start(document)

    with pytest.raises(ValueError, match="not decided, rejected or withdrawn"):
        workflow.process_finish(close(document, status))

    assert workflow.process_state(document) == "review"
    assert Process.objects.get(pk=document.process_id).status == PROCESS.NEW


@pytest.mark.django_db
def test_it_refuses_to_finish_a_document_never_filed(city):
    document = close(filed_document(city), DocumentStatus.WITHDRAWN)

    with pytest.raises(ValueError, match="has no process"):
        workflow.process_finish(document)

    assert workflow.process_state(document) is None
    assert not Process.objects.exists()


@pytest.mark.django_db
def test_it_finishes_only_the_documents_own_process(city):
    decided, still_open = filed_document(city, "出張命令"), filed_document(city, "予算執行")
    workflow.process_start(decided)
    workflow.process_start(still_open)

    workflow.process_finish(close(decided, DocumentStatus.DECIDED))

    assert workflow.process_state(decided) == "decided"
    assert workflow.process_state(still_open) == "review"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_runs_inside_the_callers_durable_transaction(city):
    document = filed_document(city)

    with transaction.atomic(durable=True):
        locked = Document.objects.select_for_update().get(pk=document.pk)
        workflow.process_start(locked)
    document.refresh_from_db()
    assert workflow.process_state(document) == "review"

    with transaction.atomic(durable=True):
        locked = Document.objects.select_for_update().get(pk=document.pk)
        locked.status = DocumentStatus.WITHDRAWN
        locked.save(update_fields=["status"])
        workflow.process_finish(locked)

    document.refresh_from_db()
    assert workflow.process_state(document) == "withdrawn"
    assert Process.objects.get(pk=document.process_id).status == PROCESS.DONE


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_leaves_no_process_when_the_caller_rolls_back(city):
    document = filed_document(city)

    with pytest.raises(RuntimeError), transaction.atomic(durable=True):
        workflow.process_start(Document.objects.select_for_update().get(pk=document.pk))
        raise RuntimeError("the filing failed later in the same transaction")

    document.refresh_from_db()
    assert document.process_id is None
    assert not Process.objects.exists()
    assert not Task.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_refuses_to_write_outside_a_transaction(city):
    document = filed_document(city)

    with pytest.raises(RuntimeError, match="inside the caller's transaction"):
        workflow.process_start(document)
    with pytest.raises(RuntimeError, match="inside the caller's transaction"):
        workflow.process_finish(close(document, DocumentStatus.DECIDED))

    assert Document.objects.get(pk=document.pk).process_id is None
    assert not Process.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("lock_document", [True, False], ids=["services-lock", "no-document-lock"])
def test_it_finishes_once_when_two_callers_race(city, lock_document):
    """With the services' document lock (viewflow's own lock is a no-op) the second waits and is refused, no
    deadlock; without it the task row lock in process_finish does the same."""
    document = filed_document(city)
    with transaction.atomic(durable=True):
        workflow.process_start(document)
    close(document, DocumentStatus.DECIDED)

    def finish() -> str:
        with transaction.atomic(durable=True):
            documents = Document.objects.select_for_update() if lock_document else Document.objects
            workflow.process_finish(documents.get(pk=document.pk))
        return "finished"

    results = race(finish, finish)

    assert results.count("finished") == 1
    assert sum(isinstance(r, ValueError) for r in results) == 1
    assert task_names(document.process) == [
        ("start", STATUS.DONE),
        ("review", STATUS.DONE),
        ("outcome", STATUS.DONE),
        ("decided", STATUS.DONE),
    ]


@pytest.mark.django_db
def test_it_keeps_the_query_counts_small(city):
    """Bulk approval finishes many processes in one request: keep an eye on the per-document cost."""
    document = filed_document(city)

    with CaptureQueriesContext(connection) as started:
        workflow.process_start(document)
    close(document, DocumentStatus.DECIDED)
    with CaptureQueriesContext(connection) as finished:
        workflow.process_finish(document)

    def real(queries):  # viewflow's savepoints are cheap and vary with the caller's transaction state
        return [q for q in queries if "SAVEPOINT" not in q["sql"]]

    assert len(real(started.captured_queries)) == 5  # process, start task, review task, its link, document
    assert len(real(finished.captured_queries)) == 10
