"""Keep the Total table (values summed over disaggregations) in step with DataValue."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Sum

from convivencia.indicators.models import DataValue, Total


@transaction.atomic
def refresh(
    element_ids: Iterable[int],
    sources: Iterable[str],
    start: datetime.date,
    end: datetime.date,
) -> int:
    """Recompute totals for these elements and sources over [start, end]."""
    element_ids, sources = list(element_ids), list(sources)
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
    totals = [
        Total(
            element_id=row["element_id"], territory_id=row["territory_id"], period=row["period"],
            period_type=row["period_type"], start=row["start"], end=row["end"],
            source=row["source"], value=row["total"],
        )
        for row in rows.iterator(chunk_size=10_000)
    ]
    Total.objects.bulk_create(totals, batch_size=5_000)
    return len(totals)
