"""Background jobs: they run, report, fail with a reason, and never half-write."""

from datetime import timedelta

import pytest
from django.utils import timezone

from convivencia.accounts.models import Organisation
from convivencia.jobs import services
from convivencia.jobs.choices import JobStatus
from convivencia.jobs.models import Job
from tests.factories import make_user


@services.handler("tests.create_organisations")
def create_organisations(context: services.JobContext) -> dict:
    names = context.params["names"]
    for done, _name in enumerate(names, start=1):
        context.progress(done, len(names), "checking")
    with context.writing():
        for name in names:
            Organisation.objects.create(name=name, type="civil_society")
            if name == "boom":
                raise RuntimeError("the disk caught fire")
    if context.params.get("refuse"):
        raise services.JobFailed("Row 3, column 'name': not a name")
    return {"created": len(names)}


@pytest.mark.django_db(transaction=True)
def test_a_job_runs_to_the_end_and_keeps_its_summary():
    job = services.enqueue("tests.create_organisations", "Two", {"names": ["A", "B"]})
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.result == {"created": 2}
    assert job.percent == 100
    assert Organisation.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_while_the_job_checks_its_input():
    seen = []

    @services.handler("tests.watch")
    def watch(context: services.JobContext) -> dict:
        context.progress(1, 4, "one of four")
        seen.append(Job.objects.get(pk=context.job.pk).percent)
        return {}

    services.enqueue("tests.watch", "Watch")
    assert seen == [25]


@pytest.mark.django_db(transaction=True)
def test_a_job_that_crashes_while_writing_leaves_nothing_behind():
    job = services.enqueue("tests.create_organisations", "Crash", {"names": ["A", "boom"]})
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "the disk caught fire" in job.error
    assert Organisation.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_job_can_fail_with_a_message_for_the_user():
    job = services.enqueue("tests.create_organisations", "Refuse", {"names": [], "refuse": True})
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == "Row 3, column 'name': not a name"


@pytest.mark.django_db
def test_an_unknown_kind_of_job_is_refused_at_once():
    with pytest.raises(ValueError, match="no job handler"):
        services.enqueue("tests.nothing", "Nothing")


@pytest.mark.django_db
def test_a_job_abandoned_by_a_dead_worker_is_marked_failed_with_an_explanation():
    job = Job.objects.create(
        kind="tests.create_organisations",
        label="Lost",
        status=JobStatus.RUNNING,
        heartbeat_at=timezone.now() - timedelta(hours=2),
    )
    fresh = Job.objects.create(
        kind="tests.create_organisations",
        label="Busy",
        status=JobStatus.RUNNING,
        heartbeat_at=timezone.now(),
    )
    assert services.fail_abandoned(timedelta(minutes=10)) == 1
    job.refresh_from_db()
    fresh.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error
    assert fresh.status == JobStatus.RUNNING


@pytest.mark.django_db
def test_the_job_page_is_only_for_whoever_started_the_job(client):
    camila = make_user("camila")
    nadia = make_user("nadia")
    job = Job.objects.create(kind="x", label="Import", created_by=camila)
    assert client.get(f"/jobs/{job.pk}/").status_code == 302
    client.force_login(nadia)
    assert client.get(f"/jobs/{job.pk}/").status_code == 404
    client.force_login(camila)
    response = client.get(f"/jobs/{job.pk}/")
    assert response.status_code == 200
    fragment = client.get(f"/jobs/{job.pk}/", headers={"HX-Request": "true"})
    assert b"<html" not in fragment.content


@pytest.mark.django_db(transaction=True)
def test_the_worker_command_runs_queued_jobs(settings):
    from django.core.management import call_command

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    job = services.enqueue("tests.create_organisations", "Queued", {"names": ["Q"]})
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED
    call_command("worker", "--batch", "--interval", "0")
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED


@pytest.mark.django_db
def test_a_local_file_in_the_job_result_is_a_download_link(client):
    camila = make_user("camila")
    job = Job.objects.create(
        kind="x",
        label="Import",
        created_by=camila,
        status="succeeded",
        result={
            "created": 3,
            "error_file_url": "/panels/collect/err.csv",
            "note_url": "https://evil.example/",
        },
    )
    client.force_login(camila)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'href="/panels/collect/err.csv"' in page
    assert 'href="https://evil.example/"' not in page
