"""`convivencia backup` and `convivencia restore`: a copy taken, the data changed, the copy
put back, and every table and aggregate is as it was — on SQLite through its backup API,
on PostgreSQL (when the suite runs there) through pg_dump and pg_restore.

Camila coordinates Cauca; the Popayán panel has ten leaders who answered March.
The tests commit (a restore cannot run inside a transaction), so they run with
transactional_db.
"""

from __future__ import annotations

import datetime
import importlib
import stat
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import translation

from convivencia.accounts.choices import Role
from convivencia.core import backup
from convivencia.panels import collection
from convivencia.panels.choices import SubmissionSource
from convivencia.panels.models import Aggregate, Respondent, Submission
from tests.factories import grant, make_colombia, make_organisation, make_user
from tests.panels.builders import make_panel, make_wave, raw

pytestmark = pytest.mark.django_db(transaction=True)


def _sqlite_audit_triggers(*, on: bool) -> None:
    """The SQLite triggers that keep the audit log append-only refuse the DELETE with which
    transactional_db empties the tables after a test (PostgreSQL's TRUNCATE passes)."""
    if connection.vendor != "sqlite":
        return
    migration = importlib.import_module("convivencia.accounts.migrations.0002_audit_append_only")
    with connection.cursor() as cursor:
        for statement in migration.SQLITE_BACKWARD + (migration.SQLITE_FORWARD if on else []):
            cursor.execute(statement)


@pytest.fixture(autouse=True)
def _in_english(settings) -> Iterator[None]:
    """The commands' messages are read in English (tests/core's pages are in Spanish)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(scope="module", autouse=True)
def _audit_triggers_back_after_the_module(django_db_setup, django_db_blocker) -> Iterator[None]:
    yield
    with django_db_blocker.unblock():
        _sqlite_audit_triggers(on=True)


@pytest.fixture(autouse=True)
def _audit_log_flushable(transactional_db) -> Iterator[None]:
    _sqlite_audit_triggers(on=True)
    yield
    _sqlite_audit_triggers(on=False)


def answers(number: int) -> dict[str, object]:
    return {
        "B18": number % 7 + 1,
        "AOJ11": number % 4 + 1,
        "VIC1": number % 2,
        "PROBLEMS": "1 3" if number % 3 else "2",
    }


@pytest.fixture
def world() -> SimpleNamespace:
    places = make_colombia()
    camila = make_user("camila")
    grant(camila, make_organisation("Programa Convivencia"), Role.COORDINATOR, [places.cauca])
    panel = make_panel(places.popayan, size=10)
    march = make_wave(panel, "2024-03")
    stored = collection.accept(
        march, [raw(f"R{n:03d}", **answers(n)) for n in range(1, 11)], SubmissionSource.FILE
    )
    assert stored.created == 10
    return SimpleNamespace(places=places, panel=panel, march=march)


def row_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def aggregate_rows() -> list[tuple]:
    return list(
        Aggregate.objects.order_by("wave_id", "item_id").values_list(
            "wave_id",
            "item_code",
            "n",
            "n_missing",
            "n_top",
            "total",
            "total_sq",
            "counts",
            "breakdowns",
        )
    )


def change_everything(world: SimpleNamespace) -> None:
    """New answers in a new wave, a leader gone, a user more: what a restore must undo."""
    april = make_wave(world.panel, "2024-04")
    collection.accept(
        april, [raw(f"R{n:03d}", **answers(n + 1)) for n in range(1, 6)], SubmissionSource.WEB
    )
    make_user("intruso")
    Respondent.objects.filter(code="R001").update(area="urban")


def test_a_restored_backup_gives_back_every_row_and_aggregate(world, tmp_path, capsys):
    counts, sums = row_counts(), aggregate_rows()
    output = tmp_path / "copia.backup"
    call_command("backup", "--output", str(output))
    assert output.is_file()
    change_everything(world)
    assert row_counts() != counts and aggregate_rows() != sums
    call_command("restore", str(output), "--no-input")
    assert row_counts() == counts
    assert aggregate_rows() == sums
    assert not Respondent.objects.filter(code="R001", area="urban").exists()
    printed = capsys.readouterr().out
    assert str(output) in printed and "match the raw answers" in printed


def test_the_restored_database_takes_new_answers_without_clashing_ids(world, tmp_path):
    output = tmp_path / "copia.backup"
    call_command("backup", "--output", str(output))
    change_everything(world)
    call_command("restore", str(output), "--no-input")
    april = make_wave(world.panel, "2024-04")
    stored = collection.accept(april, [raw("R001", **answers(1))], SubmissionSource.WEB)
    assert stored.created == 1
    assert Submission.objects.count() == 11
    call_command("check_aggregates")


def test_a_backup_does_not_overwrite_a_file_unless_forced(world, tmp_path):
    output = tmp_path / "copia.backup"
    output.write_bytes(b"something precious")
    with pytest.raises(CommandError, match="--force"):
        call_command("backup", "--output", str(output))
    assert output.read_bytes() == b"something precious"
    call_command("backup", "--output", str(output), "--force")
    assert output.read_bytes() != b"something precious"


def test_a_backup_is_readable_by_its_owner_only_and_leaves_no_partial_file(world, tmp_path):
    output = tmp_path / "copia.backup"
    call_command("backup", "--output", str(output))
    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    assert [path.name for path in tmp_path.iterdir()] == ["copia.backup"]


def test_the_default_backup_file_is_named_with_the_date(world, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    call_command("backup")
    [written] = list(tmp_path.iterdir())
    today = datetime.date.today().isoformat()
    suffix = ".sqlite3" if connection.vendor == "sqlite" else ".dump"
    assert written.name.startswith(f"convivencia-{today[:7]}") and written.suffix == suffix


def test_a_restore_asks_first_and_changes_nothing_when_the_answer_is_not_yes(
    world, tmp_path, monkeypatch
):
    output = tmp_path / "copia.backup"
    call_command("backup", "--output", str(output))
    change_everything(world)
    counts = row_counts()
    questions = []
    monkeypatch.setattr("builtins.input", lambda text: questions.append(text) or "no")
    with pytest.raises(CommandError, match="cancelled"):
        call_command("restore", str(output))
    assert len(questions) == 1 and str(output) in questions[0]
    assert row_counts() == counts
    monkeypatch.setattr("builtins.input", lambda text: "yes")
    call_command("restore", str(output))
    assert Submission.objects.count() == 10


def test_a_file_that_is_no_backup_is_refused_before_anything_changes(world, tmp_path):
    counts = row_counts()
    junk = tmp_path / "notas.txt"
    junk.write_text("no soy una copia")
    with pytest.raises(CommandError, match="not a backup"):
        call_command("restore", str(junk), "--no-input")
    with pytest.raises(CommandError, match="no file"):
        call_command("restore", str(tmp_path / "missing.backup"), "--no-input")
    assert row_counts() == counts


def test_a_backup_of_the_other_database_kind_is_refused(world, tmp_path):
    other = tmp_path / "other.backup"
    other.write_bytes(
        backup.PG_DUMP_MAGIC if connection.vendor == "sqlite" else backup.SQLITE_MAGIC
    )
    with pytest.raises(CommandError, match="backup, and this site runs on"):
        call_command("restore", str(other), "--no-input")


def test_a_restore_reports_aggregates_that_do_not_match_the_answers(world, tmp_path):
    Aggregate.objects.filter(item_code="B18").update(n=99)
    output = tmp_path / "copia.backup"
    call_command("backup", "--output", str(output))
    call_command("rebuild_aggregates")
    with pytest.raises(CommandError, match="differ from the raw answers"):
        call_command("restore", str(output), "--no-input")


def test_a_missing_postgresql_client_is_named_with_its_debian_package(monkeypatch):
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    with pytest.raises(backup.BackupError, match="postgresql-client") as raised:
        backup.client_tool("pg_dump")
    assert "pg_dump" in str(raised.value)


@pytest.mark.skipif("not __import__('shutil').which('pg_restore')")
def test_a_damaged_dump_is_refused_by_pg_restore_before_anything_changes(world, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("pg_restore reads PostgreSQL dumps; this run is on SQLite")
    counts = row_counts()
    damaged = tmp_path / "damaged.dump"
    damaged.write_bytes(backup.PG_DUMP_MAGIC + b"\x00" * 64)
    with pytest.raises(CommandError, match="pg_restore"):
        call_command("restore", str(damaged), "--no-input")
    assert row_counts() == counts


def test_a_damaged_sqlite_backup_is_refused_before_anything_changes(world, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite backups only restore into SQLite")
    counts = row_counts()
    output = tmp_path / "copia.sqlite3"
    call_command("backup", "--output", str(output))
    data = bytearray(output.read_bytes())
    data[4096 * 3 : 4096 * 6] = b"\xff" * (4096 * 3)  # pages past the header, overwritten
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="damaged"):
        call_command("restore", str(damaged), "--no-input")
    assert row_counts() == counts


def test_the_backup_path_must_be_in_an_existing_directory(world, tmp_path):
    with pytest.raises(CommandError, match="no directory"):
        call_command("backup", "--output", str(tmp_path / "no" / "such" / "copia.backup"))
