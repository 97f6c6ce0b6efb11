"""The perception-panel section of a territory page.

Public by design: anyone may see, for each panel in the territory (and below
it), the latest trust index per provider from the last closed wave, where the
index rests on at least MIN_CELL_SIZE answers, with the key-informant caveat.
Coordinators of the panel's territory also see smaller cells, and people who
may open a panel's dashboard get a link to it. Nothing else about panels is
public.

Heavy statistics imports stay inside the functions: territories.services
imports this module, and the territory pages must not load scipy to start.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Subquery
from django.urls import reverse

from convivencia.accounts import access
from convivencia.panels.choices import Provider, WaveStatus
from convivencia.panels.models import Aggregate, Panel, Submission, Wave

# Panels listed on one territory page: a department holds up to 125 municipalities'
# panels and the country 1,122; each listed panel costs its aggregates' reading.
PAGE_SIZE = 24


def panel_summary(
    territory,
    user=None,
    until: datetime.date | None = None,
    page: int | None = 1,
) -> dict[str, Any]:
    """Context keys for ``panels/_territory_slot.html``; ``until`` keeps waves up to that
    day (the regional overview of a past year), else the latest closed wave.

    ``page`` lists PAGE_SIZE panels (in the order of their territories' names) with links
    to the neighbouring pages; None lists every panel (the regional overview's report).
    """
    from convivencia.panels import analysis, charts

    every = (
        Panel.objects.filter(territory__path__startswith=territory.path)
        .select_related("territory")
        .order_by("territory__name", "code")
    )
    # Django's paginator, as the site's other lists: a page past the end shows the last.
    listed = Paginator(every, PAGE_SIZE).get_page(page) if page is not None else None
    panels = list(listed if listed is not None else every)
    signed_in = user is not None and user.is_authenticated
    slot_url = reverse("panels:territory_slot", args=[territory.pk])
    context: dict[str, Any] = {
        "panel_summary": {
            "panels": [],
            "caveat": charts.caveat(),
            "min_cell_size": charts.min_cell_size(),
            "signed_in": signed_in,
            # The page is rendered without the user; htmx fetches the personal version.
            "upgrade_url": slot_url if user is None else "",
            "total": listed.paginator.count if listed is not None else len(panels),
            "pages": listed.paginator.num_pages if listed is not None else 1,
            "first": listed.start_index() if listed is not None else 1,
            "last": listed.end_index() if listed is not None else len(panels),
            "previous_url": f"{slot_url}?page={listed.previous_page_number()}"
            if listed is not None and listed.has_previous()
            else "",
            "next_url": f"{slot_url}?page={listed.next_page_number()}"
            if listed is not None and listed.has_next()
            else "",
        }
    }
    if not panels:
        return context

    latest = _latest_closed_waves(panels, until)
    visible: set[int] = set()
    reveal_scope = access.Scope()
    if signed_in:
        visible = set(
            charts.visible_panels(user)
            .filter(pk__in=[p.pk for p in panels])
            .values_list("pk", flat=True)
        )
        reveal_scope = access.scope(user, *charts.REVEAL_ROLES)
    rows_by_wave: dict[int, list[Aggregate]] = defaultdict(list)
    rows = (
        Aggregate.objects.filter(
            wave_id__in=[wave.pk for wave in latest.values()],
            item__provider__gt="",
        )
        .select_related("item")
        .defer("breakdowns")
    )  # the whole panels' figures only
    for row in rows:
        rows_by_wave[row.wave_id].append(row)
    order = {provider: index for index, provider in enumerate(Provider.values)}
    # Labels once per page, not once per panel and provider (a country lists every
    # municipality's panel); the local provider's is the panel's own name when it has one.
    labels = {provider: charts.provider_label(provider) for provider in order}
    for panel in panels:
        wave = latest.get(panel.pk)
        reveal = reveal_scope.covers(panel.territory)
        providers = []
        if wave is not None:
            results = [
                analysis.result_from(row.item, row, reveal_small=reveal)
                for row in rows_by_wave[wave.pk]
            ]
            smallest: dict[str, int] = {}
            for result in results:
                if result.mean_0_100 is not None and result.n is not None:
                    smallest[result.provider] = min(
                        smallest.get(result.provider, result.n), result.n
                    )
            indices = analysis.provider_index(results)
            for provider in sorted(indices, key=lambda p: order.get(p, 99)):
                if indices[provider] is None:
                    continue
                label = (
                    charts.provider_label(provider, panel)
                    if provider == Provider.LOCAL_PROVIDER or provider not in labels
                    else labels[provider]
                )
                providers.append(
                    {
                        "label": label,
                        "value": indices[provider],
                        "n": smallest.get(provider),
                    }
                )
        context["panel_summary"]["panels"].append(
            {
                "panel": panel,
                "wave": wave,
                "providers": providers,
                "url": reverse("panels:dashboard", args=[panel.code])
                if panel.pk in visible
                else "",
            }
        )
    return context


def _latest_closed_waves(
    panels: list[Panel], until: datetime.date | None = None
) -> dict[int, Wave]:
    """{panel id: its latest closed wave with at least one submission (up to ``until``)}.

    One row per panel, found by the (panel, period) unique index and one submission
    look-up per wave tried, newest first. Counting every submission of every closed
    wave and keeping the last in Python read the whole panel history: 54 s for the
    country page with 1,122 panels × 36 waves (2 M submissions) under load.
    """
    answered = Submission.objects.filter(wave=OuterRef("pk"))
    closed = Wave.objects.filter(panel=OuterRef("pk"), status=WaveStatus.CLOSED)
    if until is not None:
        closed = closed.filter(period__lte=until)
    newest = closed.filter(Exists(answered)).order_by("-period").values("pk")[:1]
    wave_ids = dict(
        Panel.objects.filter(pk__in=[panel.pk for panel in panels])
        .annotate(latest=Subquery(newest))
        .filter(latest__isnull=False)
        .values_list("pk", "latest")
    )
    waves = Wave.objects.in_bulk(list(wave_ids.values()))
    return {panel_id: waves[wave_id] for panel_id, wave_id in wave_ids.items()}
