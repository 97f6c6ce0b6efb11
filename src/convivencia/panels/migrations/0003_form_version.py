"""The forms' version token, kept current by database triggers on items and choices.

The triggers are not part of Django's model state (SQLite and PostgreSQL need
different SQL), hence RunPython (see ``convivencia.core.versioning``). On any
other database nothing is installed and imports read the items every batch.
"""

import uuid

from django.db import migrations, models

from convivencia.core import versioning

WATCHED = ["item", "choice"]
TRIGGER_PREFIX = "panels_form_changed"
PG_FUNCTION = "panels_form_changed"


def _tables(apps) -> list[str]:
    return [apps.get_model("panels", name)._meta.db_table for name in WATCHED]


def install(apps, schema_editor) -> None:
    if schema_editor.connection.vendor not in versioning.VENDORS:
        return
    version = apps.get_model("panels", "FormVersion")
    versioning.install_triggers(
        schema_editor, version_table=version._meta.db_table, tables=_tables(apps),
        prefix=TRIGGER_PREFIX, function=PG_FUNCTION,
    )
    version.objects.create(pk=versioning.TOKEN_ID, token=uuid.uuid4().hex)


def uninstall(apps, schema_editor) -> None:
    versioning.uninstall_triggers(schema_editor, tables=_tables(apps), prefix=TRIGGER_PREFIX,
                                  function=PG_FUNCTION)


class Migration(migrations.Migration):

    dependencies = [
        ("panels", "0002_drop_redundant_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="FormVersion",
            fields=[
                ("id", models.BigAutoField(
                    auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                )),
                ("token", models.CharField(max_length=40, verbose_name="token")),
            ],
            options={
                "verbose_name": "form version",
                "verbose_name_plural": "form versions",
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
