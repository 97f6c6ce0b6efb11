"""The aggregates' map and place indexes for the "all" rows only; no index on item."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('panels', '0003_form_version'),
        ('territories', '0001_initial'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='aggregate',
            name='panels_aggr_item_co_2eb728_idx',
        ),
        migrations.RemoveIndex(
            model_name='aggregate',
            name='panels_aggr_territo_599074_idx',
        ),
        # Only the index goes: Django's AlterField would rebuild the whole table on
        # SQLite for it, which on a national database is millions of rows copied.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='aggregate',
                    name='item',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='panels.item', verbose_name='item'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "panels_aggregate_item_id_a7092e0b"',
                    reverse_sql='CREATE INDEX "panels_aggregate_item_id_a7092e0b" ON "panels_aggregate" ("item_id")',
                ),
            ],
        ),
        migrations.AddIndex(
            model_name='aggregate',
            index=models.Index(condition=models.Q(('breakdown', 'all')), fields=['item_code', 'period'], name='panels_aggregate_all_by_item'),
        ),
        migrations.AddIndex(
            model_name='aggregate',
            index=models.Index(condition=models.Q(('breakdown', 'all')), fields=['territory', 'item_code', 'period'], name='panels_aggregate_all_by_place'),
        ),
    ]
