"""Totals lose the element's own index: the unique constraint and the map's covering
index both start with the element, and PostgreSQL chose this one for a national map,
reading every year of the element from the table (30 ms) instead of the index alone."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('indicators', '0005_total_covering_index'),
    ]

    operations = [
        # Only the index goes: Django's AlterField would rebuild the whole table on
        # SQLite for it, which on a national database is millions of rows copied.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='total',
                    name='element',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='indicators.dataelement'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "indicators_total_element_id_75888d6c"',
                    reverse_sql='CREATE INDEX "indicators_total_element_id_75888d6c" ON "indicators_total" ("element_id")',
                ),
            ],
        ),
    ]
