"""Database triggers that refuse UPDATE and DELETE on the audit log, even from raw SQL."""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE TRIGGER accounts_auditentry_no_update BEFORE UPDATE ON accounts_auditentry
       BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;""",
    """CREATE TRIGGER accounts_auditentry_no_delete BEFORE DELETE ON accounts_auditentry
       BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS accounts_auditentry_no_update;",
    "DROP TRIGGER IF EXISTS accounts_auditentry_no_delete;",
]
POSTGRES_FORWARD = [
    """CREATE OR REPLACE FUNCTION accounts_auditentry_refuse() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit entries are append-only'; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER accounts_auditentry_append_only BEFORE UPDATE OR DELETE
       ON accounts_auditentry FOR EACH ROW EXECUTE FUNCTION accounts_auditentry_refuse();""",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS accounts_auditentry_append_only ON accounts_auditentry;",
    "DROP FUNCTION IF EXISTS accounts_auditentry_refuse();",
]


def forward(apps, schema_editor):
    statements = {"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}.get(
        schema_editor.connection.vendor, []
    )
    for statement in statements:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    statements = {"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}.get(
        schema_editor.connection.vendor, []
    )
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
