"""convivencia doctor: each check finds what is wrong and says what to do."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from convivencia.core import doctor
from convivencia.jobs.choices import JobStatus
from convivencia.panels import crypto
from tests.core.factories import make_job
from tests.core.test_static_files import PRODUCTION_STORAGES
from tests.factories import make_colombia, make_user
from tests.panels import add_respondent, make_default_panel

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": doctor.DATABASE_TASKS}}


@pytest.fixture
def key(settings):
    settings.CONTACT_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    crypto._fernet.cache_clear()
    yield settings.CONTACT_ENCRYPTION_KEYS[0]
    crypto._fernet.cache_clear()


def test_the_migrated_test_database_is_reachable_and_up_to_date():
    assert doctor.database().ok
    assert doctor.migrations().ok


def test_a_job_waiting_for_minutes_means_no_worker_is_running(database_tasks):
    assert doctor.worker().ok
    make_job(
        make_user("ana"), status=JobStatus.QUEUED, created_at=timezone.now() - timedelta(minutes=6)
    )
    finding = doctor.worker()
    assert not finding.ok
    assert "convivencia worker" in finding.fix


def test_a_running_job_without_a_heartbeat_means_its_worker_stopped(database_tasks):
    make_job(
        make_user("ana"),
        status=JobStatus.RUNNING,
        heartbeat_at=timezone.now() - timedelta(minutes=11),
    )
    finding = doctor.worker()
    assert not finding.ok
    assert "stopped" in finding.detail


def test_with_jobs_run_in_the_request_no_worker_is_needed(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    make_job(make_user("ana"), created_at=timezone.now() - timedelta(hours=1))
    assert doctor.worker().ok


def test_the_contact_key_is_required_in_production_and_must_be_a_fernet_key(settings):
    settings.DEBUG = False
    settings.CONTACT_ENCRYPTION_KEYS = []
    assert not doctor.contact_key().ok
    settings.CONTACT_ENCRYPTION_KEYS = ["not-a-key"]
    finding = doctor.contact_key()
    assert (finding.ok, finding.detail) == (False, "not a valid Fernet key")


def test_the_contact_key_must_open_the_contact_data_already_stored(settings, key):
    panel = make_default_panel(make_colombia().popayan)
    add_respondent(panel, "LID-001", contact={"phone": "3001234567"})
    assert doctor.contact_key().ok

    settings.CONTACT_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    finding = doctor.contact_key()
    assert not finding.ok
    assert "another key" in finding.detail

    settings.CONTACT_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), key]  # rotated
    assert doctor.contact_key().ok


def test_static_files_must_be_collected_when_debug_is_off(settings, tmp_path: Path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = PRODUCTION_STORAGES
    finding = doctor.static_files()
    assert not finding.ok
    assert "collectstatic" in finding.fix

    call_command("collectstatic", interactive=False, verbosity=0, stdout=StringIO())
    assert doctor.static_files().ok


def test_an_unreachable_cache_is_reported(settings):
    assert doctor.cache_backend().ok
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    finding = doctor.cache_backend()
    assert not finding.ok
    assert "CACHE_URL" in finding.fix


def test_the_command_prints_each_check_and_fails_when_one_finds_a_problem(database_tasks):
    out = StringIO()
    call_command("doctor", stdout=out)
    assert "database:" in out.getvalue() and "in order" in out.getvalue()

    make_job(make_user("ana"), created_at=timezone.now() - timedelta(hours=1))
    out = StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("doctor", stdout=out)
    assert "→ Start one: convivencia worker" in out.getvalue()
