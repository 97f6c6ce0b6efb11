"""The panels' map: which items and months a user may map, one cell per municipality
with its suppression applied (``suppression.protect``/``sum_publishable`` as everywhere),
its colour on a colour-blind-safe scale, and the GeoJSON the map page draws."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse

from convivencia.accounts import access
from convivencia.core.numbers import written
from convivencia.panels import analysis, charts, suppression
from convivencia.panels.choices import WaveStatus
from convivencia.panels.models import (
    Aggregate,
    Item,
    Panel,
    Questionnaire,
    Submission,
    Wave,
)
from convivencia.territories.models import Boundary, Territory


def map_choices(user) -> dict[str, Any]:
    """Items (with a favourable threshold) and months the user's panels have data for."""
    visible = Panel.objects.visible_to(user, *charts.PANEL_VIEW_ROLES)
    periods = _answered_periods(visible)
    questionnaires = set(visible.values_list("questionnaire_id", flat=True))
    frontier = set(questionnaires)
    while frontier:  # the earlier versions, a short chain each
        frontier = (
            set(
                Questionnaire.objects.filter(pk__in=frontier, based_on__isnull=False).values_list(
                    "based_on_id", flat=True
                )
            )
            - questionnaires
        )
        questionnaires |= frontier
    # The items of those questionnaires with answers in some panel's territory in scope,
    # newest version first, in one query: an EXISTS per item (a few dozen rows).
    answered = Aggregate.objects.filter(
        territory_id__in=visible.values("territory_id"), item_code=OuterRef("code")
    )
    items: dict[str, Item] = {}
    for item in (
        Item.objects.filter(questionnaire_id__in=questionnaires, top_min__isnull=False)
        .filter(Exists(answered))
        .order_by("-questionnaire__version", "position")
    ):
        items.setdefault(item.code, item)
    ordered = charts.trust_items(items) + [i for i in items.values() if not i.provider]
    allowed = charts.item_access(user)
    if allowed.everything.is_empty:  # a provider liaison only: their institutions' items
        theirs = {provider for providers, _paths in allowed.institutions for provider in providers}
        ordered = [item for item in ordered if not item.provider or item.provider in theirs]
    return {"items": ordered, "periods": periods}


def _answered_periods(panels: QuerySet[Panel]) -> list[datetime.date]:
    """The months in which a wave of ``panels`` has a submission, newest first.

    One query: the distinct months of all waves (a few dozen), each kept when one of its
    waves in scope has a submission (an index seek). A DISTINCT over the aggregates in
    scope read 670,000 rows at national scale, and one EXISTS query per month from
    Python was most of a national map page (36 round trips).
    """
    try:
        scope_sql, scope_params = panels.values("pk").query.sql_with_params()
    except EmptyResultSet:  # no role: the scope is .none()
        return []
    quote = connection.ops.quote_name
    wave, submission = quote(Wave._meta.db_table), quote(Submission._meta.db_table)
    with connection.cursor() as cursor:
        # Table names come from the models; the scope is the ORM's own SQL and parameters.
        cursor.execute(
            f"SELECT months.period FROM (SELECT DISTINCT period FROM {wave}) months"  # noqa: S608
            f" WHERE EXISTS (SELECT 1 FROM {wave} w WHERE w.period = months.period"
            f" AND w.panel_id IN ({scope_sql})"
            f" AND EXISTS (SELECT 1 FROM {submission} s WHERE s.wave_id = w.id))"
            " ORDER BY months.period DESC",
            scope_params,
        )
        # SQLite hands dates back as text.
        return [
            datetime.date.fromisoformat(value) if isinstance(value, str) else value
            for (value,) in cursor.fetchall()
        ]


@dataclass
class MapCell:
    territory_id: int
    name: str
    path: str
    n: int = 0
    n_top: int = 0
    panels: list[str] = field(default_factory=list)
    reveal: bool = False
    value: float | None = None
    low: float | None = None
    high: float | None = None
    suppressed: bool = False


def map_cells(user, item_code: str, period) -> list[MapCell]:
    """% favourable per territory (panels in one territory pooled) for one item and month.

    One query of plain values: building a territory, wave, panel and item instance per
    row was most of the time of a national map (1,122 rows).
    """
    user_scope = access.scope(user, *charts.PANEL_VIEW_ROLES)
    reveal_scope = access.scope(user, *charts.REVEAL_ROLES)
    allowed = charts.item_access(user)
    rows = user_scope.filter(
        Aggregate.objects.filter(item_code=item_code, period=period, item__top_min__isnull=False),
        "territory",
    ).values_list(
        "territory_id",
        "territory__name",
        "territory__path",
        "wave__panel__code",
        "n",
        "n_top",
        "wave__status",
        "item__provider",
    )
    cells: dict[int, MapCell] = {}
    parts: dict[int, list[int]] = defaultdict(list)
    still_open: set[int] = set()
    for territory_id, name, path, panel_code, n, n_top, status, provider in rows:
        if not allowed.allows(path, provider):
            continue
        cell = cells.get(territory_id)
        if cell is None:
            cell = cells[territory_id] = MapCell(territory_id, name, path)
            cell.reveal = charts._covers(reveal_scope, path)
        cell.n += n
        cell.n_top += n_top
        cell.panels.append(panel_code)
        parts[territory_id].append(n)
        if status == WaveStatus.OPEN:
            still_open.add(territory_id)
    for cell in cells.values():
        # Panels pooled in one territory: each panel's cell is published on its own
        # dashboard, so the pool is held to suppression.sum_publishable.
        if not cell.reveal and (
            cell.territory_id in still_open
            or not suppression.sum_publishable(cell.n, parts[cell.territory_id])
        ):
            cell.suppressed = True
            cell.n = cell.n_top = 0
            continue
        if cell.n:
            cell.value = cell.n_top / cell.n * 100
            cell.low, cell.high = analysis.wilson(cell.n_top, cell.n)
    return sorted(cells.values(), key=lambda cell: cell.name)


@dataclass
class TableRow:
    """A line of the table under the map, its figures already written out."""

    name: str
    url: str
    suppressed: bool
    n: int
    value: str = ""
    low: str = ""
    high: str = ""


def table_rows(cells: list[MapCell]) -> list[TableRow]:
    """The table under the map, formatted once here rather than per row in the template.

    A national map has 1,122 rows: three ``floatformat`` filters and a ``{% url %}`` per
    row were most of the page's time (8 of 10.7 s of a request under load). The figures
    round half up to one decimal and use the language's decimal separator, as
    ``floatformat:1`` does.
    """
    # One reverse() for every row: the detail path differs only by the territory's id.
    marker = 987654321
    link = reverse("territories:detail", args=[marker]).replace(str(marker), "{}")
    return [
        TableRow(
            name=cell.name,
            url=link.format(cell.territory_id),
            suppressed=cell.suppressed,
            n=cell.n,
            value=written(cell.value),
            low=written(cell.low),
            high=written(cell.high),
        )
        for cell in cells
    ]


# Colour bins for the map: % favourable, light to dark (colour-blind safe, ColorBrewer Blues).
MAP_BINS: list[tuple[float, str]] = [
    (20, "#deebf7"),
    (40, "#9ecae1"),
    (60, "#4292c6"),
    (80, "#2171b5"),
    (100.01, "#08306b"),
]


# Grey, and drawn with a dashed outline: never mistaken for a low share.
NO_DATA_COLOUR = "#d4d4d4"


def map_colour(value: float | None) -> str:
    if value is None:
        return NO_DATA_COLOUR
    for upper, colour in MAP_BINS:
        if value < upper:
            return colour
    return MAP_BINS[-1][1]


def map_legend() -> list[dict[str, str]]:
    legend = []
    lower = 0
    for upper, colour in MAP_BINS:
        top = min(100, int(upper))
        legend.append({"colour": colour, "label": f"{lower}–{top} %"})
        lower = top
    return legend


def map_regions(user) -> list[Territory]:
    """The territories whose children the map draws: the parents of the visible panels'."""
    parent_ids = {
        parent_id
        for parent_id in charts.visible_panels(user)
        .exclude(territory__parent__isnull=True)
        .values_list("territory__parent_id", flat=True)
        if parent_id is not None  # as excluded above; the checker cannot see it
    }
    return list(Territory.objects.filter(pk__in=parent_ids).order_by("name"))


def map_geojson(user, item_code: str, period, within: Territory | None = None) -> dict[str, Any]:
    """Every territory beside a visible panel, coloured by its value or marked as no data.

    Territories without a panel, and suppressed cells, are drawn as no data, so that
    the map never suggests there is nothing to see where nobody was asked.
    """
    regions = map_regions(user)
    if within is not None:
        regions = [region for region in regions if region.path.startswith(within.path)]
    cells = {cell.territory_id: cell for cell in map_cells(user, item_code, period)}
    boundaries = Boundary.objects.filter(territory__parent__in=regions).select_related("territory")
    features = []
    for boundary in boundaries:
        cell = cells.get(boundary.territory_id)
        if cell is None:
            status = "no_data"
        elif cell.suppressed:
            status = "suppressed"
        else:
            status = "data" if cell.value is not None else "no_data"
        features.append(
            {
                "type": "Feature",
                "geometry": boundary.geometry,
                "properties": {
                    "id": boundary.territory_id,
                    "name": boundary.territory.name,
                    "status": status,
                    "value": charts._rounded(cell.value) if cell else None,
                    "low": charts._rounded(cell.low) if cell else None,
                    "high": charts._rounded(cell.high) if cell else None,
                    "n": cell.n if cell and not cell.suppressed else None,
                    "colour": map_colour(cell.value if cell else None),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}
