"""Backing up and restoring the database, while the site runs.

SQLite is copied page by page through SQLite's online backup API, which gives a
consistent snapshot even while other processes write. PostgreSQL is dumped with
``pg_dump -Fc`` and restored with ``pg_restore --clean --if-exists`` in a single
transaction, so a restore that fails half-way leaves the database as it was.

What a backup holds: every table (people, rosters with their contact data still
encrypted, answers, aggregates, indicators, dialogues, the audit log). What it does
not hold: ``CONTACT_ENCRYPTION_KEY`` (kept apart on purpose: a stolen backup
without the key does not reveal who the leaders are, and a restored backup without
the key cannot show their contact data either), the other settings, and the files
under ``MEDIA_ROOT``, which are only uploads waiting for an import or kept for a
finished job's retention period (see ``purge_uploads``).
"""

from __future__ import annotations

import datetime
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django.utils.translation import gettext as _

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
CLIENT_PACKAGE = "postgresql-client"
SUFFIXES = {"sqlite": ".sqlite3", "postgresql": ".dump"}


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


def vendor() -> str:
    if connection.vendor not in SUFFIXES:
        raise BackupError(
            _("Backups cover SQLite and PostgreSQL, not %(vendor)s.")
            % {"vendor": connection.vendor}
        )
    return connection.vendor


def default_path(now: datetime.datetime | None = None) -> Path:
    """convivencia-YYYY-MM-DD-HHMMSS.<sqlite3|dump> in the current directory, local time."""
    moment = timezone.localtime(now or timezone.now())
    return Path(f"convivencia-{moment:%Y-%m-%d-%H%M%S}{SUFFIXES[vendor()]}")


def backup(output: Path, *, force: bool = False) -> Path:
    """Write a consistent copy of the database to ``output``; the path written.

    The copy goes to a temporary file beside ``output`` first and is renamed when
    complete, so a backup that fails or is interrupted never leaves a file that looks
    whole. The file is readable by its owner only: it holds people's answers.
    """
    output = Path(output)
    if output.exists() and not force:
        raise BackupError(
            _("%(path)s exists already; choose another --output or add --force to replace it.")
            % {"path": output}
        )
    if not output.parent.is_dir():
        raise BackupError(_("There is no directory %(path)s.") % {"path": output.parent})
    partial = output.with_name(f".{output.name}.partial")
    _private_empty_file(partial)
    try:
        if vendor() == "sqlite":
            _sqlite_backup(partial)
        else:
            _pg_dump(partial)
        partial.replace(output)
    finally:
        partial.unlink(missing_ok=True)
    return output


def _private_empty_file(path: Path) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(descriptor)
    path.chmod(0o600)  # an older partial file may have had other permissions


def _sqlite_backup(path: Path) -> None:
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)
        # The live database runs in WAL mode; the copy is one self-contained file.
        target.execute("PRAGMA journal_mode=DELETE")
        _sqlite_quick_check(target, path)
    finally:
        target.close()


def _sqlite_quick_check(database: sqlite3.Connection, path: Path) -> None:
    try:
        verdict = database.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        verdict = str(exc)
    if verdict != "ok":
        raise BackupError(
            _("%(path)s is damaged (SQLite says: %(verdict)s).")
            % {"path": path, "verdict": verdict}
        )


def restore(source: Path) -> None:
    """Replace the whole database with the backup in ``source``.

    Checks that the file is a backup of this kind of database before touching
    anything. Then check the result with ``pending_migrations`` and the aggregates.
    """
    source = Path(source)
    if not source.is_file():
        raise BackupError(_("There is no file %(path)s.") % {"path": source})
    if connection.in_atomic_block:
        raise BackupError(_("A restore cannot run inside a database transaction."))
    kind = _kind_of(source)
    if kind is None:
        raise BackupError(
            _(
                "%(path)s is not a backup made by `convivencia backup` (neither an SQLite "
                "database nor a pg_dump archive)."
            )
            % {"path": source}
        )
    if kind != vendor():
        raise BackupError(
            _("%(path)s is a %(kind)s backup, and this site runs on %(vendor)s.")
            % {"path": source, "kind": kind, "vendor": vendor()}
        )
    if kind == "sqlite":
        _sqlite_restore(source)
    else:
        _pg_restore(source)
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()  # ids may differ in the restored database


def _kind_of(path: Path) -> str | None:
    with path.open("rb") as handle:
        start = handle.read(len(SQLITE_MAGIC))
    if start.startswith(SQLITE_MAGIC):
        return "sqlite"
    if start.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    return None


def _sqlite_restore(path: Path) -> None:
    backup_file = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        _sqlite_quick_check(backup_file, path)
        has_migrations = backup_file.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'"
        ).fetchone()
        if not has_migrations:
            raise BackupError(
                _("%(path)s is an SQLite database but not a Convivencia backup.") % {"path": path}
            )
        connection.ensure_connection()
        # Page by page into the live file, under SQLite's own lock: other processes
        # see the old database or the restored one, never a mixture.
        backup_file.backup(connection.connection)
    finally:
        backup_file.close()


def pending_migrations() -> list[str]:
    """Migrations the code has and the database has not applied ("app.name")."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


# --- PostgreSQL through its client tools ---------------------------------------------------


def client_tool(name: str) -> str:
    """The full path of pg_dump or pg_restore, or a message naming the package to install."""
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            _(
                "%(tool)s is not installed: install Debian's %(package)s package "
                "(apt-get install %(package)s), of the same major version as the server or newer."
            )
            % {"tool": name, "package": CLIENT_PACKAGE}
        )
    return found


def _pg_environment() -> dict[str, str]:
    """libpq's variables for Django's connection: no password on a command line."""
    settings = connection.settings_dict
    variables = {
        "PGDATABASE": settings["NAME"],
        "PGHOST": settings.get("HOST") or "",
        "PGPORT": str(settings.get("PORT") or ""),
        "PGUSER": settings.get("USER") or "",
        "PGPASSWORD": settings.get("PASSWORD") or "",
        "PGSSLMODE": str(settings.get("OPTIONS", {}).get("sslmode") or ""),
    }
    environment = dict(os.environ)
    environment.update({name: value for name, value in variables.items() if value})
    return environment


def _run(command: list[str], what: str) -> None:
    finished = subprocess.run(  # noqa: S603 (full path of a client tool, our own arguments)
        command,
        env=_pg_environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    if finished.returncode != 0:
        raise BackupError(
            _("%(what)s failed: %(error)s")
            % {"what": what, "error": finished.stderr.strip() or finished.returncode}
        )


def _pg_dump(path: Path) -> None:
    _run([client_tool("pg_dump"), "--format=custom", f"--file={path}"], "pg_dump")


def _pg_restore(path: Path) -> None:
    tool = client_tool("pg_restore")
    _run([tool, "--list", str(path)], "pg_restore --list")  # a readable dump, or nothing
    # Django's own idle connection would only wait on the restore's locks.
    connection.close()
    _run(
        [
            tool,
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            f"--dbname={connection.settings_dict['NAME']}",
            str(path),
        ],
        "pg_restore",
    )
