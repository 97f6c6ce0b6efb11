"""Panel pages: the list, a panel's dashboard, the map, the provider view, the exports.

Every page reads the aggregates through ``charts`` and scopes panels with
``Panel.objects.visible_to``: a panel outside the user's scope is a 404, exactly
like one that does not exist. Anonymous visitors are sent to the login page
(which tells them nothing about which panels exist); the public sees panel
results only on territory pages (``summary.panel_summary``).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from convivencia.accounts import access
from convivencia.core import numbers

# Registers send_wave_digest on wave close whenever the URLconf is loaded; the lead
# also imports it in PanelsConfig.ready() so that workers without URLs register it.
from convivencia.panels import charts, digest, exports, maps, permissions, summary  # noqa: F401
from convivencia.panels.models import Item, Panel, Wave, period_of
from convivencia.territories.models import Territory

MEASURES = ("pct", "mean")


def _wave_or_error(panel: Panel, text: str | None) -> Wave | HttpResponse | None:
    """The wave named by ?wave=YYYY-MM (None when absent); a response when it is wrong."""
    if not text:
        return None
    try:
        period = period_of(text)
    except ValueError:
        return HttpResponseBadRequest(
            _("“%(value)s” is not a month: write YYYY-MM.") % {"value": text},
            content_type="text/plain; charset=utf-8",
        )
    wave = Wave.objects.filter(panel=panel, period=period).first()
    if wave is None:
        raise Http404
    return wave


@require_safe
@login_required
def index(request: HttpRequest) -> HttpResponse:
    panels = list(charts.visible_panels(request.user).order_by("territory__name", "code"))
    latest = {}
    for wave in Wave.objects.filter(panel__in=panels).order_by("period"):
        latest[wave.panel_id] = wave
    rows = [{"panel": panel, "latest": latest.get(panel.pk)} for panel in panels]
    return render(
        request,
        "panels/dashboard_index.html",
        {
            "rows": rows,
            "is_provider": bool(charts.provider_memberships(request.user)),
            # Enumerators see no results, but they collect: the page leads them there.
            "collected": Panel.objects.visible_to(request.user, *permissions.COLLECTOR_ROLES)
            .order_by("territory__name", "code")
            .select_related("territory"),
            "caveat": charts.caveat(),
        },
    )


@require_safe
@login_required
def dashboard(request: HttpRequest, code: str) -> HttpResponse:
    panel = permissions.panel_or_404(request.user, code)
    chosen = _wave_or_error(panel, request.GET.get("wave"))
    if isinstance(chosen, HttpResponse):
        return chosen
    breakdown = request.GET.get("breakdown", "all") or "all"
    if not charts.valid_breakdown(breakdown):
        return HttpResponseBadRequest(
            _("“%(value)s” is not a breakdown.") % {"value": breakdown},
            content_type="text/plain; charset=utf-8",
        )
    measure = request.GET.get("measure", "pct")
    if measure not in MEASURES:
        measure = "pct"
    return render(
        request,
        "panels/dashboard.html",
        dashboard_context(request.user, panel, chosen, breakdown, measure),
    )


def dashboard_context(
    user, panel: Panel, chosen: Wave | None, breakdown: str, measure: str
) -> dict[str, Any]:
    """Everything the dashboard shows, in a bounded number of queries whatever the waves."""
    reveal = charts.reveals_small_cells(user, panel)
    waves = charts.waves_of(panel)
    if chosen is not None:
        chosen = next(wave for wave in waves if wave.pk == chosen.pk)
    wave, previous = charts.latest_pair(waves, chosen)
    # Choices are read for the concerns items only. Every item is computed for the two
    # waves compared; the trend needs only the trust items, for every wave.
    items = charts.item_access(user).filter(panel, charts.items_by_code(panel, with_choices=False))
    trend_items = charts.trust_items(items, primary_only=True)
    # Without counts: only the two waves compared show them, recomputed in full below.
    results = charts.results_by_wave(
        waves,
        breakdown,
        reveal_small=reveal,
        codes=[item.code for item in trend_items],
        with_counts=False,
    )
    results.update(
        charts.results_by_wave(
            [w for w in (wave, previous) if w is not None], breakdown, reveal_small=reveal
        )
    )
    context: dict[str, Any] = {
        "panel": panel,
        "waves": waves,
        "wave": wave,
        "previous": previous,
        "breakdown": breakdown,
        "breakdown_label": charts.breakdown_label(breakdown),
        "breakdown_groups": charts.breakdown_options(panel),
        "measure": measure,
        "reveal": reveal,
        "min_cell_size": charts.min_cell_size(),
        "caveat": charts.caveat(),
        "can_export_aggregates": access.has_role(
            user, panel.territory, *charts.AGGREGATE_EXPORT_ROLES
        ),
        "can_export_respondents": access.has_role(
            user, panel.territory, *charts.RESPONDENT_EXPORT_ROLES
        ),
        "local_items": [item for item in items.values() if item.is_local],
    }
    trend_waves = charts.answered(waves)
    context["trend"] = charts.trend_series(panel, trend_items, trend_waves, results)
    context["trend_rows"] = _trend_table(context["trend"])
    context["trend_strings"] = {
        "pct": _("% trusting"),
        "mean": _("Mean 0–100"),
        "interval": _("95% interval"),
        "answers": _("answers"),
    }
    if wave is None:
        return context
    # The paired tests are for the whole panel; a breakdown shows plain differences.
    changes = None
    if previous is not None and breakdown == "all":
        changes = charts.changes_between(wave, previous)
    context["comparison"] = charts.comparison(
        panel,
        items,
        results[wave.pk],
        results[previous.pk] if previous else None,
        changes,
        reveal_small=reveal,
    )
    context["paired"] = changes is not None
    context["concern_charts"] = charts.concern_charts(panel, items, results[wave.pk])
    context["retention"] = list(zip(charts.retention(panel, waves), waves, strict=True))
    return context


def _trend_table(trend: dict[str, Any]) -> list[dict[str, Any]]:
    """The chart's figures as table rows (the accessible and no-JavaScript version).

    Written out here (``numbers.written``, as ``floatformat:1`` would): 36 waves × the
    providers' series made three filters per cell most of the dashboard's rendering.
    """
    rows = []
    for index, label in enumerate(trend["labels"]):
        cells = []
        for series in trend["series"]:
            cells.append(
                {
                    "pct": numbers.written(series["pct"][index]),
                    "pct_low": numbers.written(series["pct_low"][index]),
                    "pct_high": numbers.written(series["pct_high"][index]),
                    "mean": series["mean"][index],
                    "n": series["n"][index],
                }
            )
        rows.append({"wave": label, "cells": cells})
    return rows


@require_safe
@login_required
def provider(request: HttpRequest) -> HttpResponse:
    """A liaison's institution, in every panel of their territories; aggregates only."""
    if not charts.provider_memberships(request.user):
        raise Http404
    sections = []
    panels = charts.provider_panels(request.user)
    closed = charts.waves_of_panels((panel for panel, _ in panels), closed_only=True)
    for panel, institutions in panels:
        rows = charts.provider_rows(panel, institutions, closed_waves=closed.get(panel.pk, []))
        sections.append(
            {
                "panel": panel,
                "rows": rows,
                "flagged": any(row.change and row.change.flagged for row in rows),
                "institutions": [charts.provider_label(p, panel) for p in sorted(institutions)],
            }
        )
    # Panels with a significant change first (the sort keeps territory order otherwise).
    sections.sort(key=lambda section: not section["flagged"])
    return render(
        request,
        "panels/provider.html",
        {
            "sections": sections,
            "caveat": charts.caveat(),
            "min_cell_size": charts.min_cell_size(),
        },
    )


@require_safe
@login_required
def map_view(request: HttpRequest) -> HttpResponse:
    if not charts.visible_panels(request.user).exists():
        raise Http404
    choices = maps.map_choices(request.user)
    item_code = request.GET.get("item") or (choices["items"][0].code if choices["items"] else "")
    period_text = request.GET.get("period") or (
        choices["periods"][0].strftime("%Y-%m") if choices["periods"] else ""
    )
    problem = _map_problem(item_code, period_text, choices)
    if problem:
        return HttpResponseBadRequest(problem, content_type="text/plain; charset=utf-8")
    regions = maps.map_regions(request.user)
    within = _within(request, regions)
    if isinstance(within, HttpResponse):
        return within
    period = period_of(period_text) if period_text else None
    cells = maps.map_cells(request.user, item_code, period) if period else []
    item = next((i for i in choices["items"] if i.code == item_code), None)
    primary = charts.primary_codes({option.code: option for option in choices["items"]})
    return render(
        request,
        "panels/map.html",
        {
            "choices": choices,
            "item_options": _item_options(choices["items"], primary),
            "map_strings": {
                "no_data": _("No data"),
                "suppressed": _(
                    "Withheld: fewer than %(k)s answers, a wave still collecting, "
                    "or a figure that would reveal a smaller group by subtraction."
                )
                % {"k": charts.min_cell_size()},
                "answers": _("answers"),
                "favourable": _("favourable"),
            },
            "item": item,
            "item_label": charts.item_label(item, primary=item.code in primary) if item else "",
            "item_code": item_code,
            "period": period,
            "period_text": period_text,
            "regions": regions,
            "within": within,
            # The country and departments drawn under the municipalities.
            "land_territory": within or next(iter(regions), None),
            "rows": maps.table_rows(
                [cell for cell in cells if within is None or cell.path.startswith(within.path)]
            ),
            "legend": maps.map_legend(),
            "no_data_colour": maps.NO_DATA_COLOUR,
            "min_cell_size": charts.min_cell_size(),
            "caveat": charts.caveat(),
        },
    )


def _item_options(items: list[Item], primary: set[str]) -> list[dict[str, str]]:
    """The map's item choices: "Trust: <institution>" for trust items, the wording else."""
    return [
        {
            "code": item.code,
            "label": _("Trust: %(provider)s") % {"provider": charts.item_label(item)}
            if item.code in primary
            else charts.item_text(item),
        }
        for item in items
    ]


def _map_problem(item_code: str, period_text: str, choices: dict[str, Any]) -> str:
    if period_text:
        try:
            period_of(period_text)
        except ValueError:
            return _("“%(value)s” is not a month: write YYYY-MM.") % {"value": period_text}
    if item_code and item_code not in {item.code for item in choices["items"]}:
        return _("“%(value)s” is not an item with a favourable threshold in your panels.") % {
            "value": item_code
        }
    return ""


def _within(request: HttpRequest, regions: list[Territory]) -> Territory | HttpResponse | None:
    text = request.GET.get("within")
    if not text:
        return None
    found = next((region for region in regions if str(region.pk) == text), None)
    if found is None:
        return HttpResponseBadRequest(
            _("“%(value)s” is not one of the regions on the map.") % {"value": text},
            content_type="text/plain; charset=utf-8",
        )
    return found


@require_safe
@login_required
def map_data(request: HttpRequest) -> HttpResponseBase:
    """The map's GeoJSON: boundaries with the value, or the no-data status, of each."""
    choices = maps.map_choices(request.user)
    item_code = request.GET.get("item", "")
    period_text = request.GET.get("period", "")
    problem = _map_problem(item_code, period_text, choices)
    if problem or not item_code or not period_text:
        return JsonResponse({"error": problem or _("Choose an item and a month.")}, status=400)
    within = _within(request, maps.map_regions(request.user))
    if isinstance(within, HttpResponse):
        return JsonResponse({"error": within.content.decode()}, status=400)
    return JsonResponse(maps.map_geojson(request.user, item_code, period_of(period_text), within))


@require_safe
@login_required
def export(request: HttpRequest, code: str, kind: str) -> HttpResponseBase:
    """Respondent-level files for coordinators; aggregates for coordinators and analysts."""
    roles = (
        charts.RESPONDENT_EXPORT_ROLES
        if kind in exports.RESPONDENT_LEVEL
        else charts.AGGREGATE_EXPORT_ROLES
    )
    panel = permissions.panel_or_404(request.user, code, roles)
    return exports.response(
        request, panel, kind, reveal_small=charts.reveals_small_cells(request.user, panel)
    )


@require_safe
def territory_slot(request: HttpRequest, pk: int) -> HttpResponse:
    """The territory page's panel section for the signed-in user (fetched by htmx)."""
    territory = get_object_or_404(Territory, pk=pk)
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        return HttpResponseBadRequest(
            _("“%(value)s” is not a page number.") % {"value": request.GET["page"]},
            content_type="text/plain; charset=utf-8",
        )
    context = summary.panel_summary(territory, request.user, page=page)
    context["territory"] = territory
    if request.headers.get("HX-Request"):
        return render(request, "panels/_territory_slot.html", context)
    # Followed without JavaScript (a page link): the section inside the site's layout.
    return render(request, "panels/territory_panels.html", context)
