"""Version tokens kept by the database: a one-row table whose token changes on every write
to the tables it watches, whichever process or code path writes.

A page or a batch that caches something derived from those tables keys it by the
token, read once (one primary-key look-up): no write path can forget to
invalidate — not ``bulk_create``, ``QuerySet.update``, another process, nor SQL
typed by hand. Tokens are random rather than counted, so a rolled-back change can
never make an old token current again.

SQLite has row triggers only (it serialises writers anyway); PostgreSQL gets one
statement trigger per table, so a bulk insert of thousands of rows replaces the
token once. On PostgreSQL the token row stays locked from a watched write until
its transaction commits, so such writes wait for each other. On other databases
nothing is installed and ``token`` returns None: callers then cache nothing.
"""

from __future__ import annotations

import uuid

from django.db import connection, models

VENDORS = ("sqlite", "postgresql")
EVENTS = ("INSERT", "UPDATE", "DELETE")
TOKEN_ID = 1


def install_triggers(
    schema_editor, *, version_table: str, tables: list[str], prefix: str, function: str
) -> None:
    """Triggers named after ``prefix`` that replace ``version_table``'s token (for migrations)."""
    vendor = schema_editor.connection.vendor
    quote = schema_editor.quote_name
    if vendor == "sqlite":
        for name, table, event in _sqlite_triggers(prefix, tables):
            schema_editor.execute(
                # Names come from migrations, never from input.
                f"CREATE TRIGGER {quote(name)} AFTER {event} ON {quote(table)} BEGIN"  # noqa: S608
                f" UPDATE {quote(version_table)} SET token = lower(hex(randomblob(16)));"
                " END"
            )
    elif vendor == "postgresql":
        schema_editor.execute(
            f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$"  # noqa: S608
            f" BEGIN UPDATE {quote(version_table)}"
            " SET token = md5(random()::text || clock_timestamp()::text);"
            " RETURN NULL; END $$"
        )
        for table in tables:
            schema_editor.execute(
                f"CREATE TRIGGER {prefix} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE"
                f" ON {quote(table)} FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
            )


def uninstall_triggers(schema_editor, *, tables: list[str], prefix: str, function: str) -> None:
    vendor = schema_editor.connection.vendor
    quote = schema_editor.quote_name
    if vendor == "sqlite":
        for name, _table, _event in _sqlite_triggers(prefix, tables):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {quote(name)}")
    elif vendor == "postgresql":
        for table in tables:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {prefix} ON {quote(table)}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {function}()")


def _sqlite_triggers(prefix: str, tables: list[str]) -> list[tuple[str, str, str]]:
    """(trigger name, table, event): one row trigger per table and event on SQLite."""
    return [
        (f"{prefix}_{table}_{event.lower()}", table, event) for table in tables for event in EVENTS
    ]


def token(model: type[models.Model]) -> str | None:
    """The current token of a version model (a ``token`` column, one row with id 1).

    None where no triggers are installed. A row deleted by ``flush`` (which empties
    every table while the triggers, part of the schema, stay) is put back.
    """
    found = model._default_manager.filter(pk=TOKEN_ID).values_list("token", flat=True).first()
    if found is None and connection.vendor in VENDORS:
        model._default_manager.bulk_create(
            [model(pk=TOKEN_ID, token=uuid.uuid4().hex)], ignore_conflicts=True
        )
        found = model._default_manager.filter(pk=TOKEN_ID).values_list("token", flat=True).first()
    return found
