"""The bridge from approvals/services.py to the viewflow process of a document (approvals/flows.py).

viewflow only records the lifecycle — filed → under review → decided / rejected / withdrawn; the route itself is
walked by the services. Both writers here run inside the caller's `transaction.atomic(durable=True)`, after the
caller has locked the document row with `select_for_update()`, and open no durable transaction of their own.

Locking: `ApprovalFlow` keeps viewflow's default `lock_impl = lock.no_lock`, whose only effect is a non-durable
`transaction.atomic()` — a savepoint inside the caller's transaction. That is the right choice here:

- the services' document row lock already serialises everything done to one document, and a process belongs to
  exactly one document (`Document.process` is one-to-one), so a second lock guards nothing more; process_finish
  also reads the open task FOR UPDATE (same SELECT, no extra query), so even a caller that skipped the document
  lock cannot finish a process twice;
- the graph has no Join, the one node no_lock is unsafe for (viewflow's system check viewflow.W001);
- `select_for_update_lock` costs one more query per call and, inside an outer transaction, its retry loop is
  broken on PostgreSQL: a contended `FOR UPDATE NOWAIT` is caught inside its own savepoint without rolling it back,
  so the retry fails with "current transaction is aborted" (tried: it gives up with InternalError after ~0.4 s).
  Uncontended (always, behind our document lock) it works and cannot deadlock — it is just useless;
- `cache_lock` excludes nothing inside a longer transaction: it deletes its cache key when the viewflow call
  returns, before the caller commits, and it sleeps between retries while our row locks are held.

Cost per call, the same on SQLite and PostgreSQL (tests/approvals/test_workflow.py keeps an eye on it):
`process_start` 9 statements = 5 queries (INSERT process, INSERT start task, INSERT review task, INSERT its
`previous` link, UPDATE document.process) + 2 viewflow savepoints (SAVEPOINT/RELEASE each); `process_finish`
16 statements = 10 queries (SELECT review task + process, UPDATE review, INSERT switch task + link, UPDATE switch,
INSERT end task + link, COUNT open tasks, UPDATE process, UPDATE end task) + 3 savepoints.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from viewflow.workflow import PROCESS, STATUS
from viewflow.workflow.models import Process, Task

from approvals.flows import ApprovalFlow
from approvals.models import CLOSED_STATUSES, Document


def process_start(document: Document) -> Process:
    """Start the lifecycle process of a document being filed and link it (`document.process`, only that column
    is saved). Leaves the `review` task open."""
    _require_transaction()
    if document.pk is None:
        raise ValueError("Save the document before starting its process.")
    if document.process_id is not None:
        raise ValueError(f"Document {document.pk} already has process {document.process_id}.")
    process = ApprovalFlow.start.run(document=document)  # ApprovalFlow.attach_document sets document.process
    document.save(update_fields=["process"])
    return process


def process_finish(document: Document) -> None:
    """Close the `review` task of a document whose final status the caller has just set and saved; the process
    then routes to the End matching that status and is marked done.

    The Switch reads `document.status` from this very object (no re-read), so pass the instance the services
    saved. Raises ValueError when the status is not final, the document has no process, or its process is
    already past review — nothing is written then.
    """
    _require_transaction()
    if document.status not in CLOSED_STATUSES:
        raise ValueError(f"Document {document.pk} is {document.status}, not decided, rejected or withdrawn.")
    if document.process_id is None:
        raise ValueError(f"Document {document.pk} has no process.")
    # FOR UPDATE on the task row (PostgreSQL; free, it is the same SELECT): should a caller ever skip the document
    # lock, a second finisher waits here, then finds the task DONE and gets the ValueError below.
    task = (
        Task.objects.select_related("process")
        .select_for_update(of=("self",))
        .filter(process_id=document.process_id, flow_task=ApprovalFlow.review, status=STATUS.NEW)
        .first()
    )
    if task is None:
        raise ValueError(f"The process of document {document.pk} is not under review (already finished?).")
    # Link the two loaded rows both ways, so the Switch reads the status without fetching the document again.
    document.process = task.process
    # What ApprovalFlow.review.run(task) does, minus its task.refresh_from_db(): that re-read (and the process and
    # document fetches it would cause) buys nothing, the task was just read under the caller's document lock.
    with ApprovalFlow.lock(task.process_id):
        activation = ApprovalFlow.review.activation_class(task)
        activation.run(None)
        activation.execute()


def processes_finish(documents: Sequence[Document]) -> None:
    """process_finish for many documents at once (a bulk decision), writing the same rows in a fixed number of
    statements instead of ~10 per document: each review task done, a Switch task and the End task matching the
    document's status (each linked to the task before it, as viewflow links them), the process done. The rows are
    the ones viewflow's activations write (tests/approvals/test_workflow.py compares the two); viewflow's task
    signals are not sent (nothing in the portal listens to them)."""
    _require_transaction()
    if not documents:
        return
    for document in documents:
        if document.status not in CLOSED_STATUSES or document.process_id is None:
            raise ValueError(f"Document {document.pk} is {document.status} or has no process.")
    reviews = {
        task.process_id: task
        for task in Task.objects.select_for_update(of=("self",)).filter(
            process_id__in=[d.process_id for d in documents], flow_task=ApprovalFlow.review, status=STATUS.NEW
        )
    }
    missing = [d.pk for d in documents if d.process_id not in reviews]
    if missing:
        raise ValueError(f"The processes of documents {missing} are not under review (already finished?).")
    now = timezone.now()
    Task.objects.filter(pk__in=[t.pk for t in reviews.values()]).update(status=STATUS.DONE, started=now, finished=now)
    switches = Task.objects.bulk_create(
        [
            Task(
                process_id=d.process_id,
                flow_task=ApprovalFlow.outcome,
                flow_task_type="SWITCH",
                status=STATUS.DONE,
                created=now,
                finished=now,
                token=reviews[d.process_id].token,
            )
            for d in documents
        ]
    )
    ends = Task.objects.bulk_create(
        [
            Task(
                process_id=d.process_id,
                flow_task=getattr(ApprovalFlow, str(d.status)),
                flow_task_type="END",
                status=STATUS.DONE,
                created=now,
                started=now,
                finished=now,
                token=reviews[d.process_id].token,
            )
            for d in documents
        ]
    )
    link = Task.previous.through
    link.objects.bulk_create(
        [link(from_task_id=s.pk, to_task_id=reviews[s.process_id].pk) for s in switches]
        + [link(from_task_id=e.pk, to_task_id=s.pk) for s, e in zip(switches, ends, strict=True)]
    )
    Process.objects.filter(pk__in=[d.process_id for d in documents]).update(status=PROCESS.DONE, finished=now)


def process_state(document: Document) -> str | None:
    """Where the document's process stands: "review" while the route is walked, then the End it reached
    ("decided", "rejected" or "withdrawn"); None before filing. One query."""
    if document.process_id is None:
        return None
    flow_task = (
        Task.objects.filter(process_id=document.process_id)
        .exclude(status=STATUS.CANCELED)
        .order_by("-pk")
        .values_list("flow_task", flat=True)
        .first()
    )
    return flow_task.name if flow_task is not None else None


def _require_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("approvals.workflow writes only inside the caller's transaction.atomic().")
