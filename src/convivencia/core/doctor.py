"""``convivencia doctor``: is this installation able to serve? Each check says what it found
and, when something is wrong, what to do about it. Nothing here changes data."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django.utils.translation import gettext as _

# A job waiting longer than this means no worker is taking jobs.
QUEUE_PATIENCE = timedelta(minutes=5)
# The worker's own default (--stale-after): a running job silent this long was abandoned.
HEARTBEAT_PATIENCE = timedelta(minutes=10)
DATABASE_TASKS = "django_tasks_db.DatabaseBackend"


@dataclass(frozen=True)
class Finding:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def database() -> Finding:
    name = _("database")
    try:
        connection.ensure_connection()
    except DatabaseError as exc:
        return Finding(
            name,
            False,
            _("cannot connect: %(error)s") % {"error": exc},
            _("Check DATABASE_URL and that the database server is running."),
        )
    return Finding(
        name,
        True,
        _("%(vendor)s, database %(db)s")
        % {"vendor": connection.vendor, "db": connection.settings_dict["NAME"]},
    )


def migrations() -> Finding:
    name = _("migrations")
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return Finding(
            name,
            False,
            _("cannot read them: %(error)s") % {"error": exc},
            _("Fix the database connection first."),
        )
    if plan:
        pending = ", ".join(
            f"{migration.app_label}.{migration.name}" for migration, _backwards in plan[:5]
        )
        return Finding(
            name,
            False,
            _("%(count)s not applied (%(names)s)") % {"count": len(plan), "names": pending},
            _("Run: convivencia migrate"),
        )
    return Finding(name, True, _("all applied"))


def worker() -> Finding:
    """Jobs run by a worker process; one that waits or stopped beating says none is running."""
    from convivencia.jobs.choices import JobStatus
    from convivencia.jobs.models import Job

    name = _("background worker")
    backend = settings.TASKS["default"]["BACKEND"]
    if backend != DATABASE_TASKS:
        return Finding(
            name, True, _("jobs run by %(backend)s, no worker needed") % {"backend": backend}
        )
    now = timezone.now()
    try:
        waiting = Job.objects.filter(
            status=JobStatus.QUEUED, created_at__lt=now - QUEUE_PATIENCE
        ).count()
        abandoned = Job.objects.abandoned(HEARTBEAT_PATIENCE).count()
        last = Job.objects.filter(finished_at__isnull=False).order_by("-finished_at").first()
    except DatabaseError as exc:
        return Finding(
            name,
            False,
            _("cannot read the jobs: %(error)s") % {"error": exc},
            _("Fix the database connection and migrations first."),
        )
    start = _("Start one: convivencia worker (see docs/deploy.md for a systemd unit).")
    if waiting:
        return Finding(
            name,
            False,
            _(
                "%(count)s job(s) waiting for more than %(minutes)s "
                "minutes: no worker is taking jobs"
            )
            % {"count": waiting, "minutes": int(QUEUE_PATIENCE.total_seconds() // 60)},
            start,
        )
    if abandoned:
        return Finding(
            name,
            False,
            _(
                "%(count)s running job(s) without a heartbeat for "
                "%(minutes)s minutes: their worker stopped"
            )
            % {"count": abandoned, "minutes": int(HEARTBEAT_PATIENCE.total_seconds() // 60)},
            start,
        )
    if last is None:
        return Finding(name, True, _("no job has run yet; nothing is waiting"))
    return Finding(
        name,
        True,
        _("nothing waiting; the last job finished %(when)s")
        % {"when": timezone.localtime(last.finished_at).strftime("%Y-%m-%d %H:%M")},
    )


def contact_key() -> Finding:
    """The key is there, is a Fernet key, and opens the contact data already stored.

    A stored token's signature is checked (``extract_timestamp``) without decrypting it, so
    the check reads nobody's contact data.
    """
    from cryptography.fernet import Fernet, InvalidToken, MultiFernet

    from convivencia.panels.models import Respondent

    name = _("contact encryption key")
    keys = list(settings.CONTACT_ENCRYPTION_KEYS)
    make_one = _("Set CONTACT_ENCRYPTION_KEY (or CONTACT_ENCRYPTION_KEY_FILE); see README.")
    if not keys:
        if settings.DEBUG:
            return Finding(name, True, _("none set: debug mode derives one from SECRET_KEY"))
        return Finding(name, False, _("not set"), make_one)
    try:
        fernet = MultiFernet([Fernet(key) for key in keys])
    except ValueError:
        return Finding(name, False, _("not a valid Fernet key"), make_one)
    try:
        token = (
            Respondent.objects.exclude(contact_encrypted="")
            .values_list("contact_encrypted", flat=True)
            .order_by("-pk")
            .first()
        )
    except DatabaseError:
        token = None
    if token is None:
        return Finding(
            name, True, _("%(count)s key(s); no contact data stored yet") % {"count": len(keys)}
        )
    try:
        fernet.extract_timestamp(token.encode())
    except InvalidToken:
        return Finding(
            name,
            False,
            _("the stored contact data was encrypted with another key"),
            _(
                "Put the key it was encrypted with back in CONTACT_ENCRYPTION_KEY, "
                "after the new one when rotating."
            ),
        )
    return Finding(
        name, True, _("%(count)s key(s); they open the stored contact data") % {"count": len(keys)}
    )


def static_files() -> Finding:
    from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage

    name = _("static files")
    if not isinstance(staticfiles_storage, ManifestFilesMixin):
        return Finding(name, True, _("served from the source directories (debug mode)"))
    manifest = Path(settings.STATIC_ROOT) / staticfiles_storage.manifest_name
    collect = _("Run: convivencia collectstatic --no-input")
    if not manifest.is_file():
        return Finding(
            name, False, _("not collected: %(path)s is missing") % {"path": manifest}, collect
        )
    try:
        staticfiles_storage.stored_name("convivencia/site.css")
    except ValueError:
        return Finding(name, False, _("collected before this version's files"), collect)
    return Finding(name, True, _("collected in %(path)s") % {"path": settings.STATIC_ROOT})


def cache_backend() -> Finding:
    name = _("cache")
    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    key, value = f"doctor:{secrets.token_hex(8)}", secrets.token_hex(8)
    try:
        cache.set(key, value, timeout=30)
        read = cache.get(key)
        cache.delete(key)
    except Exception as exc:  # every backend (locmem, Redis, …) raises its own errors
        return Finding(
            name,
            False,
            _("%(backend)s unreachable: %(error)s") % {"backend": backend, "error": exc},
            _("Check CACHE_URL and that the cache server is running."),
        )
    if backend == "DummyCache":
        return Finding(name, True, _("none (CACHE_URL=dummy://): pages are computed each time"))
    if read != value:
        return Finding(
            name,
            False,
            _("%(backend)s does not keep what is written") % {"backend": backend},
            _("Check CACHE_URL."),
        )
    return Finding(name, True, backend)


CHECKS: list[Callable[[], Finding]] = [
    database,
    migrations,
    worker,
    contact_key,
    static_files,
    cache_backend,
]


def examine() -> list[Finding]:
    return [check() for check in CHECKS]
