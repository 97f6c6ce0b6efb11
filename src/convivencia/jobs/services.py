"""Running jobs: a registry of handlers, enqueueing, and one all-or-nothing run.

A handler receives a JobContext and returns a JSON-able summary. Handlers
work in two phases: read and check (reporting progress, which is committed at
once so the status page can follow it), then write everything inside
``context.writing()``, one transaction. If the handler raises, or the worker
dies while writing, the transaction is rolled back and nothing is half-written.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from convivencia.jobs.choices import JobStatus
from convivencia.jobs.models import Job

logger = logging.getLogger(__name__)

Handler = Callable[["JobContext"], dict[str, Any]]
HANDLERS: dict[str, Handler] = {}


class JobFailed(Exception):
    """A handler's way of saying why the job failed, in words for the user."""


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register a function as the handler of jobs of ``kind``."""

    def register(function: Handler) -> Handler:
        HANDLERS[kind] = function
        return function

    return register


@dataclass
class JobContext:
    job: Job

    @property
    def params(self) -> dict[str, Any]:
        return self.job.params

    def progress(self, done: int, total: int, message: str = "") -> None:
        self.job.progress_done = done
        self.job.progress_total = total
        self.job.message = message[:500]
        if transaction.get_connection().in_atomic_block:
            return  # inside the write phase the row would only be seen after commit
        Job.objects.filter(pk=self.job.pk).update(
            progress_done=done,
            progress_total=total,
            message=self.job.message,
            heartbeat_at=timezone.now(),
        )

    def writing(self, message: str = "") -> transaction.Atomic:
        """The write phase: one transaction, all or nothing."""
        self.progress(self.job.progress_done, self.job.progress_total, message or _("Saving…"))
        return transaction.atomic()


def enqueue(
    kind: str,
    label: str,
    params: dict[str, Any] | None = None,
    *,
    user=None,
    upload: UploadedFile | None = None,
) -> Job:
    """Create a job and hand it to the task backend once the transaction commits."""
    if kind not in HANDLERS:
        raise ValueError(f"no job handler for {kind!r}")
    job = Job(kind=kind, label=label[:200], params=params or {}, created_by=user)
    if upload is not None:
        job.upload.save(upload.name or "upload", upload, save=False)
    job.save()
    from convivencia.jobs.tasks import run_job

    transaction.on_commit(lambda: run_job.enqueue(str(job.pk)))
    return job


def run(job_id: str) -> Job:
    """Run one job to its end. Never raises for a handler's failure: it is recorded."""
    job = Job.objects.get(pk=job_id)
    if job.is_finished:
        return job
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=now, heartbeat_at=now)
    job.refresh_from_db()
    context = JobContext(job)
    try:
        function = HANDLERS[job.kind]
        result = function(context) or {}
    except JobFailed as exc:
        return _finish(job, JobStatus.FAILED, error=str(exc))
    except Exception as exc:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        return _finish(job, JobStatus.FAILED, error=f"{type(exc).__name__}: {exc}")
    return _finish(job, JobStatus.SUCCEEDED, result=result)


def _finish(job: Job, status: str, *, result: dict | None = None, error: str = "") -> Job:
    job.status = status
    job.result = result or {}
    job.error = error
    job.finished_at = timezone.now()
    if status == JobStatus.SUCCEEDED and job.progress_total:
        job.progress_done = job.progress_total
    job.save(update_fields=["status", "result", "error", "finished_at", "progress_done"])
    return job


def fail_abandoned(older_than: timedelta) -> int:
    """Mark running jobs whose worker went silent as failed; their writes were rolled back."""
    message = _(
        "The worker stopped while running this job. Nothing it wrote was kept; run it again."
    )
    count = 0
    for job in Job.objects.abandoned(older_than):
        _finish(job, JobStatus.FAILED, error=message)
        count += 1
    return count
