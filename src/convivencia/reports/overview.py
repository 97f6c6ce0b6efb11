"""The regional overview: territories side by side, for donors and policy dialogues.

One row per territory (the countries, or the children of a chosen territory), each
summing up its subtree:

- the trust index per provider type: the mean of the panels' provider indices as the
  territory pages publish them (``panels.summary.panel_summary``, which applies the
  suppression rule and reveals small cells to coordinators only). A mean of published
  figures reveals nothing the pages do not, so no cell is recomputed here;
- the homicide rate (and every other standard rate) from ``indicators.explorer.trend``;
- commitments the reader may see, with their completion rate (``dialogues.permissions``);
- and, below the table, the evidence registry's published interventions counted by focus
  and by rating (``evidence.reporting.count_matching``), in the chosen country.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from convivencia.dialogues import permissions as dialogue_permissions
from convivencia.evidence import reporting
from convivencia.evidence.choices import RATING_ORDER, Focus, Rating
from convivencia.evidence.models import Intervention
from convivencia.indicators.models import Indicator
from convivencia.indicators.periods import parse
from convivencia.indicators.summary import latest_year
from convivencia.panels import summary as panel_summary
from convivencia.reports import figures
from convivencia.territories.choices import Level, Scheme, source_name
from convivencia.territories.models import Territory

RATE_INDICATOR = "homicide_rate"


@dataclass
class Row:
    territory: Territory
    trust: dict[str, float | None] = field(default_factory=dict)
    trust_panels: int = 0
    rate: float | None = None
    rate_low: float | None = None
    rate_high: float | None = None
    rate_count: float | None = None
    population_source: str = ""
    commitments: int = 0
    completed: int = 0
    overdue: int = 0

    @property
    def completion_rate(self) -> float | None:
        return round(self.completed / self.commitments * 100, 1) if self.commitments else None


@dataclass
class Overview:
    parent: Territory | None
    year: int | None
    providers: list[str]
    rows: list[Row]
    rate_label: str
    evidence_country: str
    by_focus: list[tuple[str, int]]
    by_rating: list[tuple[str, int]]
    evidence_total: int


def _country_code(territory: Territory | None) -> str:
    if territory is None:
        return ""
    root = territory.ancestors()[0] if territory.level > Level.COUNTRY else territory
    code = root.codes.filter(scheme=Scheme.ISO).values_list("code", flat=True).first()
    return (code or "")[:2].upper()


def build(user, parent: Territory | None, year: int | None) -> Overview:
    if parent is not None:
        territories = list(parent.children.order_by("name"))
    else:
        territories = list(Territory.objects.filter(level=Level.COUNTRY).order_by("name"))
    if year is None:
        years = [y for y in (latest_year(t) for t in ([parent] if parent else territories)) if y]
        year = max(years) if years else timezone.localdate().year - 1
    rows = {territory.pk: Row(territory=territory) for territory in territories}
    providers: list[str] = []
    by_path = sorted(territories, key=lambda t: -len(t.path))

    def owner(path: str) -> Row | None:
        for territory in by_path:
            if path.startswith(territory.path):
                return rows[territory.pk]
        return None

    # Trust: what each territory page publishes, panel by panel, gathered per row.
    scope = parent if parent is not None else None
    # The year's last closed wave of each panel, so that a past year shows its own trust.
    until = datetime.date(year, 12, 31)
    panel_lists = (
        [panel_summary.panel_summary(scope, user, until, page=None)]
        if scope is not None
        else [panel_summary.panel_summary(t, user, until, page=None) for t in territories]
    )
    sums: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    counted: dict[int, set[int]] = defaultdict(set)
    for context in panel_lists:
        for entry in context["panel_summary"]["panels"]:
            row = owner(entry["panel"].territory.path)
            if row is None:
                continue
            for provider in entry["providers"]:
                if provider["value"] is None:
                    continue
                sums[row.territory.pk][provider["label"]].append(provider["value"])
                counted[row.territory.pk].add(entry["panel"].pk)
                if provider["label"] not in providers:
                    providers.append(provider["label"])
    for pk, by_provider in sums.items():
        rows[pk].trust = {
            label: round(sum(values) / len(values), 1) for label, values in by_provider.items()
        }
        rows[pk].trust_panels = len(counted[pk])
    # Crime: the homicide rate of the year.
    indicator = Indicator.objects.filter(code=RATE_INDICATOR).first()
    rate_label = str(indicator) if indicator else ""
    if indicator is not None:
        from convivencia.indicators import explorer

        span = parse(str(year))
        for row in rows.values():
            rate = explorer.trend(indicator, row.territory, [span], None)[0]
            row.rate = None if rate.value is None else round(rate.value, 1)
            row.rate_low = None if rate.ci_low is None else round(rate.ci_low, 1)
            row.rate_high = None if rate.ci_high is None else round(rate.ci_high, 1)
            row.rate_count = rate.numerator
            if rate.population_source:
                source = source_name(rate.population_source)
                row.population_source = f"{source} {rate.population_year or ''}"
    # Commitments the reader may see.
    today = timezone.localdate()
    visible = dialogue_permissions.visible_commitments(user).select_related("status", "territory")
    if parent is not None:
        visible = visible.filter(territory__path__startswith=parent.path)
    for commitment in visible:
        row = owner(commitment.territory.path)
        if row is None:
            continue
        if commitment.status.is_final and not figures.is_completed(commitment.status):
            continue  # cancelled: neither promised any more nor done
        row.commitments += 1
        row.completed += figures.is_completed(commitment.status)
        row.overdue += not commitment.status.is_final and commitment.due_date < today
    # The evidence registry, in the chosen country.
    country = _country_code(parent)
    published = Intervention.objects.published()
    if country:
        published = published.filter(country_code=country)
    counts, _listed = reporting.count_matching(published)
    labels = dict(Focus.choices)
    by_focus = sorted(
        ((str(labels.get(code, code)), n) for code, n in counts.by_focus.items()),
        key=lambda pair: (-pair[1], pair[0]),
    )
    rating_labels = dict(Rating.choices)
    by_rating = [
        (str(rating_labels.get(rating, rating)), counts.tally.by_rating.get(rating, 0))
        for rating in RATING_ORDER
    ]
    return Overview(
        parent=parent,
        year=year,
        providers=providers,
        rows=list(rows.values()),
        rate_label=rate_label,
        evidence_country=country,
        by_focus=by_focus,
        by_rating=by_rating,
        evidence_total=counts.tally.total,
    )


def header(overview: Overview) -> list[str]:
    return [
        _("territory"),
        _("level"),
        *[_("trust index: %(provider)s") % {"provider": p} for p in overview.providers],
        _("panels"),
        _("%(rate)s %(year)s") % {"rate": overview.rate_label or _("rate"), "year": overview.year},
        _("interval low"),
        _("interval high"),
        _("recorded"),
        _("population source"),
        _("commitments"),
        _("completed"),
        _("overdue"),
        _("completion rate %"),
    ]


def table(overview: Overview) -> list[list[Any]]:
    """The rows as the CSV and the workbook write them (blank where withheld or missing)."""
    lines = []
    for row in overview.rows:
        lines.append(
            [
                row.territory.name,
                row.territory.get_level_display(),
                *[row.trust.get(p) for p in overview.providers],
                row.trust_panels,
                row.rate,
                row.rate_low,
                row.rate_high,
                row.rate_count,
                row.population_source,
                row.commitments,
                row.completed,
                row.overdue,
                row.completion_rate,
            ]
        )
    return lines
