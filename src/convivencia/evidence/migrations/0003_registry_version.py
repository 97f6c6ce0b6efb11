"""The registry's version token, kept current by database triggers; and, on PostgreSQL,
an index in the table's default order.

The triggers and the PostgreSQL index are not part of Django's model state
(SQLite and PostgreSQL need different SQL), hence RunPython with a vendor check.
On any other database neither is created, the version row is not either, and
the public pages then cache nothing (see ``convivencia.evidence.caching``).
"""

import uuid

from django.db import migrations, models

# What the public pages summarise: a change in any of these may change a count.
WATCHED = ["intervention", "interventiontag", "evidencerating", "evaluation"]
EVENTS = ["INSERT", "UPDATE", "DELETE"]
PG_FUNCTION = "evidence_registry_changed"
# PostgreSQL sorts NULLs first in a DESC index; the dashboard's default order puts
# unknown years last, which only an index saying NULLS LAST serves (SQLite cannot
# parse NULLS LAST in an index, and its DESC already puts NULLs last).
PG_ORDER_INDEX = "evidence_default_order_pg"


def _tables(apps) -> list[str]:
    return [apps.get_model("evidence", name)._meta.db_table for name in WATCHED]


def _sqlite_trigger(table: str, event: str) -> str:
    return f"evidence_changed_{table}_{event.lower()}"


def install(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        return
    quote = schema_editor.quote_name
    version = apps.get_model("evidence", "RegistryVersion")
    version_table = quote(version._meta.db_table)
    if vendor == "sqlite":
        # Row-level (the only kind SQLite has): SQLite serialises writers anyway.
        for table in _tables(apps):
            for event in EVENTS:
                schema_editor.execute(
                    f"CREATE TRIGGER {quote(_sqlite_trigger(table, event))}"
                    f" AFTER {event} ON {quote(table)} BEGIN"
                    f" UPDATE {version_table} SET token = lower(hex(randomblob(16)));"
                    " END"
                )
    else:
        # Statement-level: a bulk insert of thousands of rows replaces the token once.
        schema_editor.execute(
            f"CREATE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$"
            f" BEGIN UPDATE {version_table}"
            " SET token = md5(random()::text || clock_timestamp()::text);"
            " RETURN NULL; END $$"
        )
        for table in _tables(apps):
            schema_editor.execute(
                f"CREATE TRIGGER evidence_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE"
                f" ON {quote(table)} FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()"
            )
        intervention = apps.get_model("evidence", "Intervention")._meta.db_table
        schema_editor.execute(
            f"CREATE INDEX {PG_ORDER_INDEX} ON {quote(intervention)}"
            " (curation, start_year DESC NULLS LAST, name, id)"
        )
    version.objects.create(pk=1, token=uuid.uuid4().hex)


def uninstall(apps, schema_editor) -> None:
    quote = schema_editor.quote_name
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for table in _tables(apps):
            for event in EVENTS:
                schema_editor.execute(
                    f"DROP TRIGGER IF EXISTS {quote(_sqlite_trigger(table, event))}"
                )
    elif vendor == "postgresql":
        for table in _tables(apps):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS evidence_changed ON {quote(table)}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()")
        schema_editor.execute(f"DROP INDEX IF EXISTS {PG_ORDER_INDEX}")


class Migration(migrations.Migration):

    dependencies = [
        ("evidence", "0002_intervention_evidence_dashboard_counts_and_more"),
    ]

    operations = [
        migrations.CreateModel(
            name="RegistryVersion",
            fields=[
                ("id", models.BigAutoField(
                    auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                )),
                ("token", models.CharField(max_length=40, verbose_name="token")),
            ],
            options={
                "verbose_name": "registry version",
                "verbose_name_plural": "registry versions",
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
