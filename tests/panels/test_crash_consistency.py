"""A process killed with SIGKILL in the middle of a panel import or of an aggregate rebuild
leaves the database consistent: the aggregates match the answers, and an import is stored
whole or not at all.

The commands run in real processes against a database of their own: a file-based
SQLite database (and a PostgreSQL database created for the test, when the suite runs
on PostgreSQL). A panel of a few thousand leaders answering the default questionnaire
makes an import last a second or two. Each run is watched until it holds a write
transaction open (SQLite's write lock taken; a PostgreSQL transaction with an id), then
killed a random fraction of a second later, several times, in a fresh copy of the same
database. Waiting for the write rather than for a fixed time keeps the kills inside the
work however loaded the machine is. The seed of the delays is printed, so a failure can
be replayed with CRASH_SEED.
"""

from __future__ import annotations

import contextlib
import csv
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection

REPO = Path(__file__).resolve().parents[2]
CONVIVENCIA = str(Path(sys.executable).with_name("convivencia"))
PANEL = "crash"
WAVE = "2024-03"
LEADERS = 2000
KILLS = 2
# Every required item of the default questionnaire; VIC1 = 1 asks VIC1_REPORT.
ANSWERS = {
    "B18": "6",
    "B12": "5",
    "B10A": "3",
    "B32": "4",
    "PROSEC": "2",
    "JUDGES": "88",
    "LOCALPROV": "7",
    "AOJ11": "2",
    "AOJ12": "3",
    "UNSAFE_WALK": "1",
    "VIC1": "1",
    "VIC1_REPORT": "0",
    "POLRESPECT": "2",
    "POLTIME": "3",
    "SAFER": "2",
    "ROADS": "1",
    "PROBLEMS": "1 3",
}


def build_world(leaders: int, export: str) -> None:
    """Run in the child process (see ``World``): territory, panel, roster, and the export."""
    from convivencia.panels.models import Panel, Respondent
    from convivencia.panels.questionnaire_default import ensure_default_questionnaire
    from tests.factories import make_colombia

    places = make_colombia()
    panel = Panel.objects.create(
        code=PANEL,
        territory=places.popayan,
        questionnaire=ensure_default_questionnaire(),
        local_provider_name="la Guardia Indígena",
    )
    sexes, areas = ("female", "male"), ("rural", "urban")
    Respondent.objects.bulk_create(
        [
            Respondent(
                panel=panel,
                code=f"R{number:05d}",
                role="jac",
                sex=sexes[number % 2],
                area=areas[number % 3 == 0],
            )
            for number in range(1, leaders + 1)
        ]
    )
    scores = [str(value) for value in range(1, 8)]
    with open(export, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["respondent", "_uuid", *ANSWERS])
        for number in range(1, leaders + 1):
            answers = dict(ANSWERS, B18=scores[number % 7], B12=scores[(number * 3) % 7])
            writer.writerow([f"R{number:05d}", f"uuid:crash-{number}", *answers.values()])


@dataclass
class World:
    """A database outside the test's own, and how to run commands against it."""

    environment: dict[str, str]
    export: Path
    copy: Callable[[], World]
    writing: Callable[[], bool]  # whether a process holds a write transaction open

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run(
            [CONVIVENCIA, *args],
            env=self.environment,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def python(self, code: str) -> str:
        finished = subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {code}"],
            env=self.environment,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert finished.returncode == 0, finished.stderr
        return finished.stdout

    def state(self) -> tuple[int, int]:
        """(submissions, answers) stored, once ``convivencia check_aggregates`` has passed.

        One process for both: starting Django is most of the time of a check.
        """
        printed = self.python(
            "from django.core.management import call_command; "
            "from convivencia.panels.models import Answer, Submission; "
            f"call_command('check_aggregates', '--panel', {PANEL!r}); "
            "print(Submission.objects.count(), Answer.objects.count())"
        )
        submissions, answers = printed.split()[-2:]
        return int(submissions), int(answers)

    def start_writing(self, args: list[str]) -> subprocess.Popen:
        """Start a command; return once it holds a write transaction open, or has ended."""
        process = subprocess.Popen(
            [CONVIVENCIA, *args],
            env=self.environment,
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        while process.poll() is None:
            if self.writing():
                # Still writing a moment later: the long transaction, not opening the wave.
                time.sleep(0.02)
                if self.writing():
                    break
            time.sleep(0.005)
        return process

    def killed(self, args: list[str], delay: float) -> bool:
        """Run a command and SIGKILL it ``delay`` seconds after it starts writing; whether it
        was still running then."""
        process = self.start_writing(args)
        try:
            time.sleep(delay)
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                return True
            return False
        finally:
            process.wait()


def environment_for(database_url: str, var_dir: Path) -> dict[str, str]:
    environment = dict(os.environ)
    environment.update(
        {
            "DATABASE_URL": database_url,
            "VAR_DIR": str(var_dir),
            "DEBUG": "true",
            "DJANGO_SETTINGS_MODULE": "convivencia.settings",
            "LANGUAGE_CODE": "en",
            "PYTHONPATH": str(REPO),
        }
    )
    return environment


@contextlib.contextmanager
def sqlite_world(tmp_path: Path) -> Iterator[World]:
    base = tmp_path / "base.sqlite3"
    copies = iter(range(1, 1000))

    def make(path: Path) -> World:
        def copy() -> World:
            target = tmp_path / f"copy-{next(copies)}.sqlite3"
            shutil.copyfile(path, target)  # the base is closed: its WAL is checkpointed
            return make(target)

        def writing() -> bool:
            probe = sqlite3.connect(path, timeout=0, isolation_level=None)
            try:
                probe.execute("BEGIN IMMEDIATE")  # refused while another writer holds the lock
                probe.execute("ROLLBACK")
                return False
            except sqlite3.OperationalError:
                return True
            finally:
                probe.close()

        return World(
            environment_for(f"sqlite:///{path}", tmp_path / "var"),
            tmp_path / "export.csv",
            copy,
            writing,
        )

    yield make(base)


@contextlib.contextmanager
def postgresql_world(tmp_path: Path) -> Iterator[World]:
    """A database of its own on the test's server, copied with CREATE DATABASE … TEMPLATE."""
    import psycopg

    settings = connection.settings_dict
    server = {
        "host": settings["HOST"] or None,
        "port": settings["PORT"] or None,
        "user": settings["USER"] or None,
        "password": settings["PASSWORD"] or None,
    }
    base = f"crash_{uuid.uuid4().hex[:12]}"
    made: list[str] = []

    def admin(sql: str) -> None:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin_connection:
            admin_connection.execute(sql)

    def url(name: str) -> str:
        user = server["user"] or ""
        password = f":{server['password']}" if server["password"] else ""
        return (
            f"postgresql://{user}{password}@{server['host'] or ''}:{server['port'] or 5432}/{name}"
        )

    def make(name: str) -> World:
        def copy() -> World:
            target = f"{base}_{len(made)}"
            admin(f'CREATE DATABASE "{target}" TEMPLATE "{name}"')
            made.append(target)
            return make(target)

        def writing() -> bool:
            with psycopg.connect(dbname="postgres", autocommit=True, **server) as probe:
                return (
                    probe.execute(
                        "SELECT 1 FROM pg_stat_activity WHERE datname = %s"
                        " AND backend_xid IS NOT NULL",
                        [name],
                    ).fetchone()
                    is not None
                )

        return World(
            environment_for(url(name), tmp_path / "var"), tmp_path / "export.csv", copy, writing
        )

    admin(f'CREATE DATABASE "{base}"')
    made.append(base)
    try:
        yield make(base)
    finally:
        for name in made:
            admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def world(tmp_path_factory, django_db_setup, django_db_blocker) -> Iterator[World]:
    """Migrated, with the panel and its roster; the export written beside it."""
    tmp_path = tmp_path_factory.mktemp("crash")
    with django_db_blocker.unblock():
        vendor = connection.vendor
    maker = postgresql_world if vendor == "postgresql" else sqlite_world
    with maker(tmp_path) as base:
        migrated = base.run("migrate", "--no-input", timeout=300)
        assert migrated.returncode == 0, migrated.stderr
        base.python(
            f"from tests.panels.test_crash_consistency import build_world; "
            f"build_world({LEADERS}, {str(base.export)!r})"
        )
        yield base


@pytest.fixture(scope="module")
def moments() -> random.Random:
    seed = int(os.environ.get("CRASH_SEED", random.randrange(1_000_000)))
    print(f"CRASH_SEED={seed}")  # shown with a failure, to replay it
    return random.Random(seed)


def writing_time(world: World, args: list[str]) -> float:
    """How long the command writes here, from its first write to its end: a quiet machine
    finishes in a fraction of the time a loaded one takes, so kills are timed from this."""
    process = world.start_writing(args)
    started = time.monotonic()
    process.wait()
    assert process.returncode == 0, f"{args[0]} failed"
    return max(time.monotonic() - started, 0.01)


def delays(moments: random.Random, writing: float) -> list[float]:
    """How long after the writing starts each kill comes: within the writing, and late
    enough for an import that committed row by row to have stored some rows (a mutant of
    that kind fails this test)."""
    return [moments.uniform(0.05, 0.8) * writing for _kill in range(KILLS)]


def import_args(world: World) -> list[str]:
    return ["import_responses", str(world.export), "--panel", PANEL, "--wave", WAVE]


def test_an_import_killed_at_any_moment_stores_everything_or_nothing(world, moments):
    complete = world.copy()
    writing = writing_time(complete, import_args(complete))
    whole = complete.state()
    assert whole[0] == LEADERS and whole[1] > LEADERS * len(ANSWERS)  # PROBLEMS holds two
    killed_in_time = 0
    for delay in delays(moments, writing):
        attempt = world.copy()
        killed_in_time += attempt.killed(import_args(attempt), delay)
        assert attempt.state() in {(0, 0), whole}, f"killed {delay:.2f} s into the writing"
    assert killed_in_time, "every import ended before it could be killed"
    # The database a kill left behind takes the same import again, whole.
    again = attempt.run(*import_args(attempt))
    assert again.returncode == 0, again.stderr
    assert attempt.state() == whole


def test_a_rebuild_killed_at_any_moment_leaves_the_aggregates_matching(world, moments):
    imported = world.copy()
    assert imported.run(*import_args(imported)).returncode == 0
    killed_in_time = 0
    for delay in delays(moments, writing_time(imported, ["rebuild_aggregates"])):
        killed_in_time += imported.killed(["rebuild_aggregates"], delay)
        imported.state()  # check_aggregates passes
    assert killed_in_time, "every rebuild ended before it could be killed"


def test_a_backup_taken_while_an_import_writes_holds_all_of_it_or_none(world, tmp_path):
    importing = world.copy()
    copy = tmp_path / "during-import.backup"
    process = importing.start_writing(import_args(importing))
    try:
        backed_up = importing.run("backup", "--output", str(copy))
    finally:
        process.wait()
    assert backed_up.returncode == 0, backed_up.stderr
    assert process.returncode == 0
    whole = importing.state()
    restored = world.copy()
    # restore checks the migrations and the aggregates of what it restored
    finished = restored.run("restore", str(copy), "--no-input")
    assert finished.returncode == 0, finished.stderr
    assert restored.state() in {(0, 0), whole}
