"""One aggregate row per item × wave: the breakdown rows move into its ``breakdowns``.

The column is added nullable first (SQLite adds it in place) and the breakdown
rows are packed and deleted before any step that rebuilds the table on SQLite,
so that rebuild copies one row in eighteen.
"""

from collections import defaultdict

from django.db import migrations, models

SUMS = ("n", "n_missing", "n_top", "total", "total_sq", "counts")
BATCH = 500


def check_now(schema_editor):
    """On PostgreSQL, foreign keys checked as each row is written rather than at the
    commit: the table is altered after the rows are moved, in the same transaction,
    and PostgreSQL refuses to alter a table with checks still pending."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def pack(apps, schema_editor):
    check_now(schema_editor)
    Aggregate = apps.get_model("panels", "Aggregate")
    db = schema_editor.connection.alias
    rows = Aggregate.objects.using(db)
    wave_ids = rows.exclude(breakdown="all").values_list("wave_id", flat=True).distinct()
    for wave_id in list(wave_ids):
        groups = defaultdict(dict)
        for row in rows.filter(wave_id=wave_id).exclude(breakdown="all"):
            groups[row.item_id][row.breakdown] = [getattr(row, name) for name in SUMS]
        whole = {row.item_id: row for row in rows.filter(wave_id=wave_id, breakdown="all")}
        for item_id, breakdowns in groups.items():
            row = whole.get(item_id)
            if row is None:
                # Every respondent is in "all", so this is a row written by hand; keep
                # its groups on an empty "all" row rather than lose them.
                first = rows.filter(wave_id=wave_id, item_id=item_id).first()
                row = Aggregate(wave_id=wave_id, item_id=item_id, item_code=first.item_code,
                                territory_id=first.territory_id, period=first.period,
                                breakdown="all")
            row.breakdowns = breakdowns
            row.save()
        rows.filter(wave_id=wave_id).exclude(breakdown="all").delete()
    rows.filter(breakdowns__isnull=True).update(breakdowns={})


def unpack(apps, schema_editor):
    check_now(schema_editor)
    Aggregate = apps.get_model("panels", "Aggregate")
    rows = Aggregate.objects.using(schema_editor.connection.alias)
    ids = list(rows.filter(breakdowns__isnull=False).values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        created = [
            Aggregate(wave_id=row.wave_id, item_id=row.item_id, item_code=row.item_code,
                      territory_id=row.territory_id, period=row.period, breakdown=key,
                      **dict(zip(SUMS, sums, strict=True)))
            for row in rows.filter(pk__in=ids[start:start + BATCH])
            for key, sums in (row.breakdowns or {}).items()
        ]
        rows.bulk_create(created)


class Migration(migrations.Migration):

    dependencies = [
        ('panels', '0005_answer_without_item_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='aggregate',
            name='breakdowns',
            field=models.JSONField(null=True, verbose_name='sums per group of respondents'),
        ),
        migrations.RunPython(pack, unpack, elidable=False),
        migrations.RemoveConstraint(
            model_name='aggregate',
            name='one_aggregate_per_cell',
        ),
        migrations.RemoveIndex(
            model_name='aggregate',
            name='panels_aggregate_all_by_item',
        ),
        migrations.RemoveIndex(
            model_name='aggregate',
            name='panels_aggregate_all_by_place',
        ),
        migrations.RemoveField(
            model_name='aggregate',
            name='breakdown',
        ),
        migrations.AlterField(
            model_name='aggregate',
            name='breakdowns',
            field=models.JSONField(default=dict, help_text='The same sums for each group ("sex:female", "role:jac", …).', verbose_name='sums per group of respondents'),
        ),
        migrations.AddConstraint(
            model_name='aggregate',
            constraint=models.UniqueConstraint(fields=('wave', 'item'), name='one_aggregate_per_item_and_wave'),
        ),
        migrations.AddIndex(
            model_name='aggregate',
            index=models.Index(fields=['item_code', 'period'], name='panels_aggregate_by_item'),
        ),
        migrations.AddIndex(
            model_name='aggregate',
            index=models.Index(fields=['territory', 'item_code', 'period'], name='panels_aggregate_by_place'),
        ),
    ]
