"""Answers lose their (item, submission) index: every read goes by submission."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('panels', '0004_aggregate_indexes_for_all_rows'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='answer',
            name='panels_answ_item_id_e019af_idx',
        ),
    ]
