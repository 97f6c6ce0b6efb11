"""What the public evidence pages count: tallies, charts, map and gap map figures.

The views read the request and render; the figures come from here. The number
of queries does not depend on the number of interventions, and the filters
(EXISTS subqueries on tags, ratings and evaluations) are evaluated as few
times as possible: once when few rows match, and otherwise inside a handful of
GROUP BY queries (see ``count_matching``). What is counted over the whole
published registry (the unfiltered dashboard, the gap map, the countries to
filter by) is cached until the registry changes (see ``caching``).
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
from collections import Counter
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from convivencia.evidence import caching, geo
from convivencia.evidence.choices import (
    RATING_ORDER,
    RATING_RANK,
    Design,
    Focus,
    Problem,
    Rating,
    TagKind,
)
from convivencia.evidence.filters import InterventionFilterForm
from convivencia.evidence.models import (
    Evaluation,
    EvidenceRating,
    Intervention,
    InterventionTag,
)
from convivencia.evidence.ratings import ROBUST_SMS
from convivencia.territories.models import Territory

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Up to this many matching interventions, the filters are evaluated once and the
# charts tallied in Python (see count_matching()). Not much more: Django prepares each
# id of an IN list one by one, about 10 µs apiece.
SMALL_SET = 1_000
# Budget histogram: one bin per power of ten, in US dollars.
BUDGET_EDGES = [10**power for power in range(4, 10)]  # 10 k … 1 000 M
# Colours per rating (also the gap map's legend); dark ones take white text.
RATING_COLOURS = {
    Rating.EFFECTIVE: "#1a7f37",
    Rating.PROMISING: "#74b84a",
    Rating.MIXED: "#e3a21a",
    Rating.NO_EFFECT: "#7b8794",
    Rating.HARMFUL: "#b42318",
    Rating.INSUFFICIENT: "#c9d3dd",
    Rating.NOT_EVALUATED: "#eef1f4",
}


@dataclasses.dataclass
class Tally:
    """How many filtered interventions per country, start year, best rating and budget bin."""

    total: int = 0
    by_country: Counter[str] = dataclasses.field(default_factory=Counter)
    by_year: Counter[int | None] = dataclasses.field(default_factory=Counter)
    by_rating: Counter[str] = dataclasses.field(default_factory=Counter)
    # Per budget bin (index into the histogram), None for an unknown budget.
    by_budget: Counter[int | None] = dataclasses.field(default_factory=Counter)


def budget_bin(amount: Decimal | None) -> int | None:
    """0 below the first edge, 1 up to the second… (the SQL path's bins, in Python)."""
    return None if amount is None else bisect.bisect_right(BUDGET_EDGES, amount)


def _tally_rows(rows: list[tuple[Any, ...]]) -> Tally:
    tally = Tally(total=len(rows))
    for _pk, country, year, rating, budget in rows:
        tally.by_country[country] += 1
        tally.by_year[year] += 1
        tally.by_rating[rating] += 1
        tally.by_budget[budget_bin(budget)] += 1
    return tally


def _tally_sql(interventions: QuerySet[Intervention]) -> Tally:
    """The same tally for a large set, in two passes: per year (with conditional
    counts per rating and budget bin), and per country (an index-only scan)."""
    counts: dict[str, Any] = {"n": Count("pk")}
    for rating in RATING_ORDER:
        counts[f"rating_{rating}"] = Count("pk", filter=Q(best_rating=rating))
    for index in range(len(BUDGET_EDGES) + 1):
        in_bin = Q(budget_usd__isnull=False)
        if index > 0:
            in_bin &= Q(budget_usd__gte=BUDGET_EDGES[index - 1])
        if index < len(BUDGET_EDGES):
            in_bin &= Q(budget_usd__lt=BUDGET_EDGES[index])
        counts[f"budget_{index}"] = Count("pk", filter=in_bin)
    tally = Tally()
    # The counts' names are built in the loop above, so the rows cannot be typed by key.
    rows: Iterable[Mapping[str, Any]] = (
        interventions.values("start_year").annotate(**counts).order_by()
    )
    for row in rows:
        tally.total += row["n"]
        tally.by_year[row["start_year"]] += row["n"]
        for rating in RATING_ORDER:
            tally.by_rating[rating] += row[f"rating_{rating}"]
        for index in range(len(BUDGET_EDGES) + 1):
            tally.by_budget[index] += row[f"budget_{index}"]
    tally.by_budget[None] = tally.total - sum(tally.by_budget.values())
    tally.by_country.update(
        dict(interventions.values_list("country_code").annotate(n=Count("pk")).order_by())
    )
    return tally


@dataclasses.dataclass
class Counts:
    """What the dashboard counts over a set of interventions (data only: it is cached)."""

    tally: Tally
    robust: int
    by_focus: dict[str, int]


def count_matching(interventions: QuerySet[Intervention]) -> tuple[Counts, QuerySet[Intervention]]:
    """The counts, and the interventions to list (by id when few match).

    The filters are evaluated once when few rows match (up to SMALL_SET): their
    ids and the columns the charts need are read in one query, tallied here, and
    the tags, evaluations and the table's page are then read by id. A larger set
    is aggregated in the database instead.
    """
    interventions = interventions.order_by()
    columns = ("pk", "country_code", "start_year", "best_rating", "budget_usd")
    rows = list(interventions.values_list(*columns)[: SMALL_SET + 1])
    robust_evaluations = Evaluation.objects.filter(sms_level__gte=ROBUST_SMS).exclude(
        design=Design.QUALITATIVE
    )
    listed: QuerySet[Intervention]
    if len(rows) <= SMALL_SET:
        ids = [row[0] for row in rows]
        tally = _tally_rows(rows)
        members: Any = ids
        robust = (
            robust_evaluations.filter(intervention_id__in=ids)
            .order_by()
            .values("intervention")
            .distinct()
            .count()
            if ids
            else 0
        )
        listed = Intervention.objects.filter(pk__in=ids)
    else:
        tally = _tally_sql(interventions)
        members = interventions.values("pk")
        robust = interventions.filter(pk__in=robust_evaluations.values("intervention_id")).count()
        listed = interventions
    # Grouped by (kind, code) over the matching ids only: filtering on kind first makes
    # SQLite walk every focus tag of the registry instead of the few that match.
    by_focus = (
        {
            code: n
            for kind, code, n in InterventionTag.objects.filter(intervention_id__in=members)
            .values_list("kind", "code")
            .annotate(n=Count("pk"))
            .order_by()
            if kind == TagKind.FOCUS
        }
        if tally.total
        else {}
    )
    return Counts(tally=tally, robust=robust, by_focus=by_focus), listed


def summarise(
    interventions: QuerySet[Intervention],
    query: QueryDict,
    *,
    cache_version: str | None = None,
) -> dict[str, Any]:
    """Count, evidence share, map and chart data for the filtered interventions.

    ``cache_version`` (the registry's version, given only when no filter narrows
    the published set): the counts, hundreds of milliseconds at 100,000
    interventions, are cached for that version. A filtered set is counted on
    each request.
    """
    interventions = interventions.order_by()
    if cache_version is not None:
        counts = caching.cached(
            "dashboard-counts", cache_version, lambda: count_matching(interventions)[0]
        )
        listed = interventions
    else:
        counts, listed = count_matching(interventions)
    return {
        "total": counts.tally.total,
        "listed": listed,
        "robust": counts.robust,
        "robust_sms": ROBUST_SMS,
        "map": _map_data(counts.tally.by_country, query),
        "charts": {
            "focus": _focus_chart(counts.by_focus),
            "years": _years_chart(counts.tally.by_year),
            "ratings": _ratings_chart(counts.tally.by_rating),
            "budget": _budget_chart(counts.tally.by_budget),
        },
    }


def _map_data(by_country: Counter[str], query: QueryDict) -> dict[str, Any]:
    """Circles per country (with a link narrowing the filters to it), and what has no place."""
    points, elsewhere = [], []
    for code, count in sorted(by_country.items(), key=lambda item: (-item[1], item[0])):
        if not code:
            continue
        link = query.copy()
        link.setlist("country", [code])
        link.pop("page", None)
        entry = {
            "code": code,
            "name": geo.country_name(code),
            "count": count,
            "url": f"?{link.urlencode()}",
        }
        if code in geo.CENTROIDS:
            entry["lat"], entry["lng"] = geo.CENTROIDS[code]
            points.append(entry)
        else:
            elsewhere.append(entry)
    return {"points": points, "elsewhere": elsewhere, "multi_country": by_country.get("", 0)}


def _focus_chart(by_focus: dict[str, int]) -> dict[str, Any]:
    ordered = sorted(Focus, key=lambda focus: (-by_focus.get(focus.value, 0), focus.label))
    rows = [
        {"label": focus.label, "count": by_focus.get(focus.value, 0), "code": focus.value}
        for focus in ordered
    ]
    return {
        "title": _("Interventions by focus"),
        "kind": "hbar",
        "rows": rows,
        "note": _("An intervention may have several focuses."),
    }


def _years_chart(by_year: Counter[int | None]) -> dict[str, Any]:
    years = sorted(year for year in by_year if year is not None)
    rows = []
    if years:
        rows = [
            {"label": str(year), "count": by_year.get(year, 0)}
            for year in range(years[0], years[-1] + 1)
        ]
    note = ""
    if by_year.get(None):
        note = _("%(count)d without a start year are not shown.") % {"count": by_year[None]}
    return {"title": _("Interventions by start year"), "kind": "bar", "rows": rows, "note": note}


def _ratings_chart(by_rating: Counter[str]) -> dict[str, Any]:
    rows = [
        {
            "label": Rating(rating).label,
            "count": by_rating[rating],
            "code": rating,
            "colour": RATING_COLOURS[rating],
        }
        for rating in RATING_ORDER
    ]
    return {
        "title": _("Interventions by best evidence rating"),
        "kind": "hbar",
        "rows": rows,
        "note": _("The best rating over all outcomes an intervention was rated on."),
    }


def budget_bin_labels() -> list[str]:
    """ "< 10 k", "10 k–100 k", …, "≥ 1 bn" (US dollars: the chart's title says so)."""

    def short(amount: int) -> str:
        if amount >= 10**9:
            return _("%(amount)d bn") % {"amount": amount // 10**9}
        if amount >= 10**6:
            return _("%(amount)d M") % {"amount": amount // 10**6}
        return _("%(amount)d k") % {"amount": amount // 10**3}

    labels = [f"< {short(BUDGET_EDGES[0])}"]
    labels += [f"{short(low)}–{short(high)}" for low, high in itertools.pairwise(BUDGET_EDGES)]
    labels.append(f"≥ {short(BUDGET_EDGES[-1])}")
    return labels


def _budget_chart(by_budget: Counter[int | None]) -> dict[str, Any]:
    rows = [
        {"label": label, "count": by_budget[index]}
        for index, label in enumerate(budget_bin_labels())
    ]
    unknown = by_budget[None]
    note = _("Bins grow tenfold (a logarithmic scale).")
    if unknown:
        note += " " + _("%(count)d with no known budget in US dollars are not shown.") % {
            "count": unknown
        }
    return {"title": _("Budget (US dollars)"), "kind": "bar", "rows": rows, "note": note}


def legend() -> list[dict[str, StrOrPromise]]:
    return [
        {"code": rating, "label": Rating(rating).label, "colour": RATING_COLOURS[rating]}
        for rating in RATING_ORDER
    ]


def gap_matrix(
    form: InterventionFilterForm, query: QueryDict, version: str | None = None
) -> dict[str, Any]:
    """Focus × outcome: how many filtered interventions have a rating there, and the best.

    Only ratings the filters ask for count (the rating and outcome filters), so
    that each cell's number is what the dashboard shows for its link. Over the
    whole published set, the cells are cached for the registry's ``version``.
    """
    data = form.cleaned_data
    if form.is_filtered:
        cells = _gap_cells(form)
    else:
        # Over every published intervention: cached until the registry changes.
        cells = caching.cached("gap-map-cells", version, lambda: _gap_cells(form))
    focuses = [f for f in Focus if not data["focus"] or f.value in data["focus"]]
    outcomes = [o for o in Problem if not data["outcome"] or o.value in data["outcome"]]
    rows = []
    for focus in focuses:
        row_cells: list[dict[str, Any]] = []
        for outcome in outcomes:
            count, best = cells.get((focus.value, outcome.value), (0, None))
            rating = RATING_ORDER[best] if count and best is not None else None
            link = query.copy()
            link.setlist("focus", [focus.value])
            link.setlist("outcome", [outcome.value])
            link.pop("page", None)
            labels = {"focus": focus.label, "outcome": outcome.label, "count": count}
            if rating is not None:
                labels["rating"] = Rating(rating).label
                title = (
                    ngettext(
                        "%(focus)s × %(outcome)s: %(count)d intervention, best rating %(rating)s",
                        "%(focus)s × %(outcome)s: %(count)d interventions, best rating %(rating)s",
                        count,
                    )
                    % labels
                )
            else:
                title = _("%(focus)s × %(outcome)s: no rated intervention") % labels
            row_cells.append(
                {
                    "outcome": outcome,
                    "count": count,
                    "rating": rating,
                    "title": title,
                    "rating_label": Rating(rating).label if rating else "",
                    "colour": RATING_COLOURS[rating] if rating else "",
                    "dark": rating in (Rating.EFFECTIVE, Rating.HARMFUL, Rating.NO_EFFECT),
                    "url": f"{reverse('evidence:dashboard')}?{link.urlencode()}",
                }
            )
        rows.append(
            {"focus": focus, "cells": row_cells, "total": sum(cell["count"] for cell in row_cells)}
        )
    return {"rows": rows, "outcomes": outcomes, "cells_with_evidence": len(cells)}


def _gap_cells(form: InterventionFilterForm) -> dict[tuple[str, str], list[int]]:
    """(focus, outcome) → [how many filtered interventions are rated there, best rank].

    The two lists (ratings, focus tags of the rated) are joined here rather than
    in SQL: SQLite would drive a join from the much longer list of tags.
    """
    data = form.cleaned_data
    interventions = form.filter().order_by()
    ids = list(interventions.values_list("pk", flat=True)[: SMALL_SET + 1])
    members: Any = ids if len(ids) <= SMALL_SET else interventions.values("pk")
    ratings = EvidenceRating.objects.filter(intervention_id__in=members).order_by()
    if data["rating"]:
        ratings = ratings.filter(value__in=data["rating"])
    if data["outcome"]:
        ratings = ratings.filter(outcome__in=data["outcome"])
    rated = list(ratings.values_list("intervention_id", "outcome", "value"))
    tags = InterventionTag.objects.filter(
        kind=TagKind.FOCUS, intervention_id__in=ratings.values("intervention_id")
    )
    if data["focus"]:
        tags = tags.filter(code__in=data["focus"])
    focuses_of: dict[int, list[str]] = {}
    for intervention_id, code in tags.order_by().values_list("intervention_id", "code"):
        focuses_of.setdefault(intervention_id, []).append(code)
    cells: dict[tuple[str, str], list[int]] = {}  # (focus, outcome) → [count, best rank]
    for intervention_id, outcome, value in rated:
        for code in focuses_of.get(intervention_id, ()):
            cell = cells.setdefault((code, outcome), [0, len(RATING_ORDER)])
            cell[0] += 1
            cell[1] = min(cell[1], RATING_RANK[value])
    return cells


def published_countries(version: str | None) -> list[str]:
    """Countries with a published intervention, for the country filter's choices.

    Cached until the registry changes: every page with the filter form needs it.
    Computed with one indexed probe per country (a few hundred) instead of a
    DISTINCT over every published row.
    """
    return caching.cached("published-countries", version, _find_published_countries)


def _find_published_countries() -> list[str]:
    published = Intervention.objects.published().filter(country_code=OuterRef("codes__code"))
    return sorted(
        Territory.objects.countries()
        .filter(codes__scheme="iso")
        .filter(Exists(published))
        .values_list("codes__code", flat=True)
    )
