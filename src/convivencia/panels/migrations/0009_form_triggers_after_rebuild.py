"""The forms' version triggers again, on items and choices.

SQLite cannot add a column with a default to an existing table in place: Django rebuilds
the table, and a rebuilt table loses its triggers. 0007 rebuilt ``panels_choice`` that way,
so a choice deleted or changed in bulk no longer replaced the forms' token on SQLite and
the next batch read a stale form (a deleted option accepted). Dropping and installing them
again is the same on PostgreSQL, where nothing was lost.
"""

from django.db import migrations

from convivencia.core import versioning

WATCHED = ["item", "choice"]
TRIGGER_PREFIX = "panels_form_changed"
PG_FUNCTION = "panels_form_changed"


def _tables(apps) -> list[str]:
    return [apps.get_model("panels", name)._meta.db_table for name in WATCHED]


def reinstall(apps, schema_editor) -> None:
    if schema_editor.connection.vendor not in versioning.VENDORS:
        return
    versioning.uninstall_triggers(
        schema_editor, tables=_tables(apps), prefix=TRIGGER_PREFIX, function=PG_FUNCTION
    )
    versioning.install_triggers(
        schema_editor,
        version_table=apps.get_model("panels", "FormVersion")._meta.db_table,
        tables=_tables(apps),
        prefix=TRIGGER_PREFIX,
        function=PG_FUNCTION,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("panels", "0008_submission_edits_and_collect_passwords"),
    ]

    operations = [
        migrations.RunPython(reinstall, migrations.RunPython.noop),
    ]
