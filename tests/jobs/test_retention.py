"""Uploads are forgotten when nobody needs them: staged dry runs and old job files."""

import os
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from convivencia.jobs import retention
from convivencia.jobs.choices import JobStatus
from convivencia.jobs.models import Job
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def stage(name: str, age: timedelta) -> str:
    stored = default_storage.save(name, ContentFile(b"respondent_code,B18\nCAU-001,2\n"))
    moment = (timezone.now() - age).timestamp()
    os.utime(default_storage.path(stored), (moment, moment))
    return stored


def finished_job(age: timedelta, *, error_file: str | None = None) -> Job:
    job = Job(
        kind="panels.import_responses",
        label="Respuestas de Popayán",
        status=JobStatus.SUCCEEDED,
        finished_at=timezone.now() - age,
        created_by=make_user(f"camila{Job.objects.count()}"),
    )
    job.upload.save("kobo.csv", ContentFile(b"_uuid,B18\n1,2\n"), save=False)
    if error_file:
        job.result = {
            "accepted": 48,
            "error_file": error_file,
            "error_file_url": "/panels/demo/jobs/x/rejected.csv",
        }
    job.save()
    return job


def test_staged_files_older_than_a_day_are_deleted_and_fresh_ones_kept():
    old = stage("panels/staged/old.csv", timedelta(hours=30))
    fresh = stage("indicators/staged/fresh.xlsx", timedelta(hours=2))
    purged = retention.purge(
        staged_older_than=timedelta(hours=24), jobs_older_than=timedelta(days=30)
    )
    assert purged.staged == [old]
    assert not default_storage.exists(old)
    assert default_storage.exists(fresh)


def test_a_job_past_its_retention_loses_its_files_but_keeps_its_record():
    errors = stage("panels/errors/rejected.csv", timedelta(days=40))
    job = finished_job(timedelta(days=40), error_file=errors)
    upload = job.upload.name
    recent = finished_job(timedelta(days=3))
    purged = retention.purge(
        staged_older_than=timedelta(hours=24), jobs_older_than=timedelta(days=30)
    )
    assert sorted(purged.job_files) == sorted([upload, errors])
    assert not default_storage.exists(upload) and not default_storage.exists(errors)
    job.refresh_from_db()
    assert job.upload.name == ""
    assert job.result == {"accepted": 48}
    assert job.files_purged_at is not None
    assert default_storage.exists(recent.upload.name)
    # Once forgotten, a job is not purged again.
    assert Job.objects.files_to_purge(timezone.now()).filter(pk=job.pk).count() == 0


def test_unfinished_jobs_keep_their_files_however_old():
    job = finished_job(timedelta(days=90))
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    retention.purge(staged_older_than=timedelta(hours=24), jobs_older_than=timedelta(days=30))
    assert default_storage.exists(job.upload.name)


def test_a_dry_run_lists_what_it_would_delete_and_deletes_nothing(capsys):
    old = stage("evidence/staged/old.xlsx", timedelta(days=2))
    job = finished_job(timedelta(days=60))
    call_command("purge_uploads", "--dry-run")
    out = capsys.readouterr().out
    assert old in out and job.upload.name in out
    assert "Would delete 1 staged file(s)" in out
    assert default_storage.exists(old) and default_storage.exists(job.upload.name)
    job.refresh_from_db()
    assert job.files_purged_at is None


def test_the_command_takes_its_limits_from_options_and_settings(settings, capsys):
    settings.UPLOAD_RETENTION_DAYS = 90
    job = finished_job(timedelta(days=60))
    call_command("purge_uploads")
    assert default_storage.exists(job.upload.name)
    call_command("purge_uploads", "--job-days", "45")
    assert not default_storage.exists(job.upload.name)
    assert "of 1 job(s) finished more than 45 days ago" in capsys.readouterr().out


def test_the_job_page_says_when_its_files_were_deleted(client):
    job = finished_job(timedelta(days=40))
    retention.purge(staged_older_than=timedelta(hours=24), jobs_older_than=timedelta(days=30))
    client.force_login(job.created_by)
    response = client.get(f"/jobs/{job.pk}/")
    assert b'data-testid="files-purged"' in response.content


def test_a_bad_limit_is_refused_with_a_clear_message():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="staged-hours"):
        call_command("purge_uploads", "--staged-hours", "0")
