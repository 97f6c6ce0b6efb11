"""What changed between an extraction and the one it replaced.

Official figures are "subject to change": the Policía's file for 2023 extracted
in May 2024 differs from the one extracted in January. Each import of a newer
file keeps the older values (soft-deleted), so the change can be shown cell by
cell: per data element, territory, period, source and disaggregation.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from convivencia.indicators.models import DataValue, Extraction
from convivencia.territories.models import Territory

ADDED, REMOVED, CHANGED, UNCHANGED = "added", "removed", "changed", "unchanged"


@dataclass(frozen=True, order=True)
class Cell:
    """The identity of a value across extractions (the fields of the unique constraint)."""

    element: str  # the data element's code, so that cells read the same in files and reports
    territory_id: int
    period: str
    source: str
    sex: str = ""
    age_group: str = ""
    weapon: str = ""
    subtype: str = ""

    def undisaggregated(self) -> Cell:
        """The same cell summed over sex, age group, weapon and subtype."""
        return Cell(self.element, self.territory_id, self.period, self.source)


def cells(extraction: Extraction) -> dict[Cell, float]:
    """An extraction's values by cell, whether they are still current or were replaced."""
    rows = DataValue.objects.filter(extraction=extraction).values_list(
        "element__code",
        "territory_id",
        "period",
        "source",
        "sex",
        "age_group",
        "weapon",
        "subtype",
        "value",
    )
    return {Cell(*row[:-1]): row[-1] for row in rows.iterator(chunk_size=10_000)}


def _summed(values: Mapping[Cell, float]) -> dict[Cell, float]:
    summed: dict[Cell, float] = defaultdict(float)
    for cell, value in values.items():
        summed[cell.undisaggregated()] += value
    return dict(summed)


def compare(
    old: Mapping[Cell, float],
    new: Mapping[Cell, float],
    *,
    disaggregated: bool = True,
    include_unchanged: bool = False,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Rows {element, territory, period, source, sex, age_group, weapon, subtype, old, new,
    change, status}, largest absolute change first.

    ``old`` or ``new`` is None in a row when the cell was added or removed; ``change``
    is then the whole new value, or minus the whole old one. With ``disaggregated``
    false, cells are first summed over the disaggregations: a reclassified weapon
    changes two disaggregated cells but not the municipality's total.
    """
    if not disaggregated:
        old, new = _summed(old), _summed(new)
    rows: list[dict[str, Any]] = []
    for cell in old.keys() | new.keys():
        before, after = old.get(cell), new.get(cell)
        if before is None:
            status, change = ADDED, after
        elif after is None:
            status, change = REMOVED, -before
        elif before != after:
            status, change = CHANGED, after - before
        else:
            status, change = UNCHANGED, 0.0
        if status == UNCHANGED and not include_unchanged:
            continue
        rows.append(
            {
                "element": cell.element,
                "territory_id": cell.territory_id,
                "period": cell.period,
                "source": cell.source,
                "sex": cell.sex,
                "age_group": cell.age_group,
                "weapon": cell.weapon,
                "subtype": cell.subtype,
                "old": before,
                "new": after,
                "change": change,
                "status": status,
            }
        )
    # Ties are broken by the cell itself, so the same extraction always lists the same way.
    rows.sort(
        key=lambda row: (
            -abs(row["change"]),
            row["element"],
            row["territory_id"],
            row["period"],
            row["sex"],
            row["age_group"],
            row["weapon"],
            row["subtype"],
            row["source"],
        )
    )
    if limit is not None:
        rows = rows[:limit]
    _name_territories(rows)
    return rows


def _name_territories(rows: list[dict[str, Any]]) -> None:
    ids = {row["territory_id"] for row in rows}
    names = dict(Territory.objects.filter(pk__in=ids).values_list("pk", "name"))
    for row in rows:
        row["territory"] = names.get(row["territory_id"], "")


def diff(
    extraction: Extraction,
    *,
    disaggregated: bool = True,
    include_unchanged: bool = False,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """The extraction compared with the one it replaced (see ``compare``).

    An extraction that replaced nothing has no differences: an empty list.
    """
    if extraction.replaces is None:
        return []
    return compare(
        cells(extraction.replaces),
        cells(extraction),
        disaggregated=disaggregated,
        include_unchanged=include_unchanged,
        limit=limit,
    )


def summary(old: Mapping[Cell, float], new: Mapping[Cell, float]) -> dict[str, float]:
    """How many cells were added, removed, changed or left alone, and both totals."""
    counts = dict.fromkeys((ADDED, REMOVED, CHANGED, UNCHANGED), 0)
    for cell in old.keys() | new.keys():
        before, after = old.get(cell), new.get(cell)
        if before is None:
            counts[ADDED] += 1
        elif after is None:
            counts[REMOVED] += 1
        elif before != after:
            counts[CHANGED] += 1
        else:
            counts[UNCHANGED] += 1
    return {**counts, "old_total": sum(old.values()), "new_total": sum(new.values())}


def extraction_summary(extraction: Extraction) -> dict[str, float]:
    """``summary`` of an extraction against the one it replaced (nothing: all added)."""
    old = cells(extraction.replaces) if extraction.replaces is not None else {}
    return summary(old, cells(extraction))
