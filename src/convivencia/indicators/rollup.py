"""Keep the Total table (values summed over disaggregations) in step with DataValue."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Sum

from convivencia.core.bulk import column_name
from convivencia.indicators import caching
from convivencia.indicators.models import DataValue, Total

# Total's columns in the order of the SELECT below (its values() then the sum).
_COLUMNS = ("element", "territory", "period", "period_type", "start", "end", "source", "value")


@transaction.atomic
def refresh(
    element_ids: Iterable[int],
    sources: Iterable[str],
    start: datetime.date,
    end: datetime.date,
) -> int:
    """Recompute totals for these elements and sources over [start, end]."""
    element_ids, sources = list(element_ids), list(sources)
    # In this transaction: cached maps and trends of the old totals stop being served
    # when, and only if, the new ones commit.
    caching.bump()
    Total.objects.filter(
        element_id__in=element_ids, source__in=sources, start__gte=start, end__lte=end
    ).delete()
    rows = (
        DataValue.objects.current()
        .filter(element_id__in=element_ids, source__in=sources, start__gte=start, end__lte=end)
        .values("element_id", "territory_id", "period", "period_type", "start", "end", "source")
        .annotate(total=Sum("value"))
        .order_by()
    )
    # INSERT … SELECT: the sums go from one table to the other inside the database.
    # Bringing them into Python as model instances and back through bulk_create cost
    # as much as the summing (a year of one element is 13,464 totals per import).
    select, params = rows.query.sql_with_params()
    quote = connection.ops.quote_name
    columns = ", ".join(quote(column_name(Total, name)) for name in _COLUMNS)
    with connection.cursor() as cursor:
        # The table and columns come from the model; values travel as parameters.
        cursor.execute(
            f"INSERT INTO {quote(Total._meta.db_table)} ({columns}) {select}",
            params,
        )
        return cursor.rowcount
