"""insert_rows: every row arrives as given, however many statements it takes."""

from django.db import connection

from convivencia.core.bulk import insert_rows
from convivencia.panels.models import FormVersion


def test_more_rows_than_one_statement_holds_all_arrive_unchanged(db):
    FormVersion.objects.all().delete()
    per_statement = connection.ops.bulk_batch_size(["id", "token"], [])
    count = per_statement * 2 + 7  # two full statements and a short one on SQLite
    rows = [(number, f"tóken «{number}» 'quoted' %s") for number in range(1, count + 1)]
    insert_rows(FormVersion, ("id", "token"), iter(rows))
    assert list(FormVersion.objects.order_by("pk").values_list("pk", "token")) == rows


def test_no_rows_write_nothing(db):
    before = FormVersion.objects.count()
    insert_rows(FormVersion, ("id", "token"), [])
    assert FormVersion.objects.count() == before
