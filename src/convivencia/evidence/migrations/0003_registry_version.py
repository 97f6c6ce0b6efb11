"""The registry's version token, kept current by database triggers; and, on PostgreSQL,
an index in the table's default order.

The triggers and the PostgreSQL index are not part of Django's model state
(SQLite and PostgreSQL need different SQL), hence RunPython with a vendor check.
On any other database neither is created, the version row is not either, and
the public pages then cache nothing (see ``convivencia.evidence.caching``).
"""

import uuid

from django.db import migrations, models

from convivencia.core import versioning

# What the public pages summarise: a change in any of these may change a count.
WATCHED = ["intervention", "interventiontag", "evidencerating", "evaluation"]
TRIGGER_PREFIX = "evidence_changed"
PG_FUNCTION = "evidence_registry_changed"
# PostgreSQL sorts NULLs first in a DESC index; the dashboard's default order puts
# unknown years last, which only an index saying NULLS LAST serves (SQLite cannot
# parse NULLS LAST in an index, and its DESC already puts NULLs last).
PG_ORDER_INDEX = "evidence_default_order_pg"


def _tables(apps) -> list[str]:
    return [apps.get_model("evidence", name)._meta.db_table for name in WATCHED]


def install(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in versioning.VENDORS:
        return
    version = apps.get_model("evidence", "RegistryVersion")
    versioning.install_triggers(
        schema_editor, version_table=version._meta.db_table, tables=_tables(apps),
        prefix=TRIGGER_PREFIX, function=PG_FUNCTION,
    )
    if vendor == "postgresql":
        intervention = apps.get_model("evidence", "Intervention")._meta.db_table
        schema_editor.execute(
            f"CREATE INDEX {PG_ORDER_INDEX} ON {schema_editor.quote_name(intervention)}"
            " (curation, start_year DESC NULLS LAST, name, id)"
        )
    version.objects.create(pk=1, token=uuid.uuid4().hex)


def uninstall(apps, schema_editor) -> None:
    versioning.uninstall_triggers(schema_editor, tables=_tables(apps), prefix=TRIGGER_PREFIX,
                                  function=PG_FUNCTION)
    if schema_editor.connection.vendor == "postgresql":
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
