"""How long uploaded files stay on disk.

Uploads carry people's answers, rosters and crime records. A file staged for a dry
run that nobody confirmed, or the upload and error file of a job that finished long
ago, is a copy of sensitive data that serves no one; these functions delete them.
The job rows themselves stay: they are the record of who imported what, and when.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.files.storage import Storage, default_storage
from django.db import transaction
from django.utils import timezone

from convivencia.jobs.models import Job

# Where the import pages keep a file between its dry run and the person's "import".
STAGED_DIRECTORIES = ("evidence/staged", "indicators/staged", "panels/staged")


@dataclass
class Purged:
    staged: list[str] = field(default_factory=list)
    job_files: list[str] = field(default_factory=list)
    jobs: int = 0

    @property
    def files(self) -> int:
        return len(self.staged) + len(self.job_files)


def purge(
    *,
    staged_older_than: timedelta,
    jobs_older_than: timedelta,
    now: datetime | None = None,
    dry_run: bool = False,
    storage: Storage = default_storage,
) -> Purged:
    """Delete abandoned staged files and the files of jobs finished long ago."""
    now = now or timezone.now()
    purged = Purged()
    for directory in STAGED_DIRECTORIES:
        purged.staged += _old_files(storage, directory, now - staged_older_than)
    for job in Job.objects.files_to_purge(now - jobs_older_than):
        names = [name for name in (job.upload.name, (job.result or {}).get("error_file")) if name]
        purged.job_files += [name for name in names if storage.exists(name)]
        purged.jobs += 1
        if not dry_run:
            with transaction.atomic():
                _forget_files(job)
    if not dry_run:
        for name in purged.staged + purged.job_files:
            storage.delete(name)
    return purged


def _old_files(storage: Storage, directory: str, before: datetime) -> list[str]:
    if not storage.exists(directory):
        return []
    _directories, files = storage.listdir(directory)
    names = [f"{directory}/{name}" for name in files]
    return sorted(name for name in names if storage.get_modified_time(name) < before)


def _forget_files(job: Job) -> None:
    result = dict(job.result or {})
    result.pop("error_file", None)
    result.pop("error_file_url", None)
    job.result = result
    job.upload = ""
    job.files_purged_at = timezone.now()
    job.save(update_fields=["result", "upload", "files_purged_at"])
