"""The figures the panel pages, the API, the digest and the territory page show.

Everything here reads the aggregates (``Aggregate``), never the raw answers; the
one exception is the paired change test (``analysis.compare``), which needs the
same respondents' answers in two waves of one panel (~50 people).

Items are matched across waves by their code, not by their row: a panel that
switches to a new questionnaire version (local items added) keeps its trends,
and an item added later simply starts later.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.conf import settings
from django.core.cache import cache
from django.db import connection, models
from django.db.models import Count, Max, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from convivencia.accounts import access
from convivencia.accounts.choices import OrganisationType, Role
from convivencia.core import versioning
from convivencia.panels import analysis, suppression
from convivencia.panels.aggregates import is_scored
from convivencia.panels.choices import BREAKDOWNS, MISSING_CODES, FieldUse, Provider, WaveStatus
from convivencia.panels.models import (
    Aggregate,
    CellSums,
    FieldMapping,
    FormVersion,
    Item,
    Panel,
    Respondent,
    Submission,
    Wave,
    translated,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

# Who may see what. An administrator membership counts for every role (access.scope).
# Community leaders are the panel: they see its aggregates, like providers do.
PANEL_VIEW_ROLES: tuple[str, ...] = (
    Role.COORDINATOR,
    Role.ANALYST,
    Role.PROVIDER,
    Role.COMMUNITY_LEADER,
)
# Coordinators run the panel: they see cells below MIN_CELL_SIZE too.
REVEAL_ROLES: tuple[str, ...] = (Role.COORDINATOR,)
AGGREGATE_EXPORT_ROLES: tuple[str, ...] = (Role.COORDINATOR, Role.ANALYST)
# Respondent-level files carry respondent codes: coordinators only.
RESPONDENT_EXPORT_ROLES: tuple[str, ...] = (Role.COORDINATOR,)

# The institutions a provider liaison's organisation answers for.
PROVIDERS_BY_ORGANISATION: dict[str, tuple[str, ...]] = {
    OrganisationType.POLICE: (Provider.POLICE,),
    OrganisationType.ARMY: (Provider.ARMED_FORCES,),
    OrganisationType.PROSECUTOR: (Provider.PROSECUTOR,),
    OrganisationType.JUDICIARY: (Provider.JUDGES, Provider.JUSTICE_SYSTEM),
    OrganisationType.LOCAL_GOVERNMENT: (Provider.MUNICIPAL_GOVERNMENT,),
}

PROBLEMS_ITEM = "PROBLEMS"
LOCAL_PROVIDER_PLACEHOLDER = "{local_provider}"

CAVEAT = gettext_lazy(
    "These results come from a key-informant panel: about fifty community leaders chosen "
    "on purpose and asked every month. They are not a probability sample of the population; "
    "the intervals describe the variation among these leaders, not among all residents."
)


def caveat() -> str:
    return str(CAVEAT)


def min_cell_size() -> int:
    return settings.MIN_CELL_SIZE


def reveals_small_cells(user, panel: Panel) -> bool:
    """Coordinators of the panel's territory see cells below MIN_CELL_SIZE."""
    return access.has_role(user, panel.territory, *REVEAL_ROLES)


# Roles that see every item of a panel; a provider liaison sees only the items about
# the institutions their organisation answers for, and the panel-wide context items
# (security, victimisation, concerns), never another institution's trust results.
ALL_ITEMS_ROLES: tuple[str, ...] = (Role.COORDINATOR, Role.ANALYST, Role.COMMUNITY_LEADER)


class ItemAccess:
    """Which items a user may see, territory by territory (see ALL_ITEMS_ROLES)."""

    def __init__(self, user) -> None:
        self.user = user
        self.everything = access.scope(user, *ALL_ITEMS_ROLES)

    @functools.cached_property
    def institutions(self) -> list[tuple[tuple[str, ...], list[str]]]:
        # Read only for someone who is not everywhere they look a coordinator, analyst or
        # leader: most page views never need the provider memberships.
        return provider_memberships(self.user)

    def allows(self, path: str, provider: str) -> bool:
        if _covers(self.everything, path):
            return True
        return not provider or any(
            provider in providers and any(path.startswith(prefix) for prefix in paths)
            for providers, paths in self.institutions
        )

    def filter(self, panel: Panel, items: dict[str, Item]) -> dict[str, Item]:
        path = panel.territory.path
        return {code: item for code, item in items.items() if self.allows(path, item.provider)}


def item_access(user) -> ItemAccess:
    return ItemAccess(user)


def visible_panels(user, roles: Sequence[str] = PANEL_VIEW_ROLES) -> QuerySet[Panel]:
    return Panel.objects.visible_to(user, *roles).select_related("territory", "questionnaire")


def provider_label(provider: str, panel: Panel | None = None) -> str:
    if provider == Provider.LOCAL_PROVIDER and panel is not None and panel.local_provider_name:
        return panel.local_provider_name
    return str(Provider(provider).label) if provider in Provider.values else provider


def item_text(item: Item, panel: Panel | None = None) -> str:
    """The wording in the active language, with the panel's own local provider named."""
    text = translated(item.wording) or item.code
    if LOCAL_PROVIDER_PLACEHOLDER in text:
        name = (panel.local_provider_name if panel else "") or _("the local provider")
        text = text.replace(LOCAL_PROVIDER_PLACEHOLDER, name)
    return text


def item_label(item: Item, panel: Panel | None = None, *, primary: bool = True) -> str:
    """Short: the institution for a provider's main trust item, the wording otherwise.

    Other items about a provider (the police's respect, the justice system punishing
    the guilty) keep their wording: two rows both called "National Police" would mislead.
    """
    if item.provider and primary:
        return provider_label(item.provider, panel)
    return item_text(item, panel)


def primary_codes(items: dict[str, Item]) -> set[str]:
    """Codes of each provider's main trust item (the first scored one)."""
    return {item.code for item in trust_items(items, primary_only=True)}


# Waves and items


class WaveResponses(TypedDict):
    responses: int


def waves_of(
    panel: Panel, *, closed_only: bool = False
) -> list[WithAnnotations[Wave, WaveResponses]]:
    """The panel's waves by month, each with ``responses`` (submissions counted in SQL)."""
    return waves_of_panels([panel], closed_only=closed_only).get(panel.pk, [])


def waves_of_panels(
    panels: Iterable[Panel], *, closed_only: bool = False
) -> dict[int, list[WithAnnotations[Wave, WaveResponses]]]:
    """``waves_of`` for many panels in one query: {panel id: its waves by month}."""
    waves = Wave.objects.filter(panel__in=list(panels))
    if closed_only:
        waves = waves.filter(status=WaveStatus.CLOSED)
    by_panel: dict[int, list[WithAnnotations[Wave, WaveResponses]]] = defaultdict(list)
    for wave in waves.with_responses().order_by("panel_id", "period"):
        # ``with_responses`` annotates ``responses``; the stubs cannot follow a custom method.
        by_panel[wave.panel_id].append(cast("WithAnnotations[Wave, WaveResponses]", wave))
    return by_panel


def answered(waves: Iterable[Wave]) -> list[Wave]:
    return [wave for wave in waves if getattr(wave, "responses", 0)]


def latest_pair(
    waves: Sequence[Wave], chosen: Wave | None = None
) -> tuple[Wave | None, Wave | None]:
    """(wave, previous): the chosen (else the latest closed) answered wave and the one before."""
    with_answers = answered(waves)
    current = chosen
    if current is None:
        # A closed wave's figures are final; an open one is shown when chosen, or alone.
        closed = [wave for wave in with_answers if not wave.is_open]
        candidates = closed or with_answers
        current = candidates[-1] if candidates else None
    if current is None:
        return None, None
    earlier = [wave for wave in with_answers if wave.period < current.period]
    return current, (earlier[-1] if earlier else None)


def items_by_code(panel: Panel, *, with_choices: bool = True) -> dict[str, Item]:
    """Every item the panel has data or questions for, by code, in questionnaire order.

    The current questionnaire's version of an item wins (its wording is the one
    asked now); items only earlier versions had follow, so old waves still show.
    ``with_choices=False`` skips prefetching every item's choices, for pages that read
    the choices of one item at most (the dashboard: the concerns item).
    """
    # The token before the items: a change committed in between makes the items newer
    # than the token, so the next page reads them again; never the reverse.
    token = versioning.token(FormVersion)
    # The items with data, by the panel's wave ids through the (wave, item) index: a
    # subquery joining the aggregates to the waves was planned by SQLite as a look-up
    # of each item among every aggregate row of the country (0.8 s a dashboard at 12
    # million rows).
    waves = list(panel.waves.values_list("pk", flat=True))
    used = (
        set(Aggregate.objects.filter(wave_id__in=waves).values_list("item_id", flat=True))
        if waves
        else set()
    )
    if token is None:  # no triggers on this database: nothing is cached
        return _items_by_code(panel.questionnaire_id, used, with_choices)
    # Reading the items, their wordings and choices was a quarter of a liaison's page,
    # once per panel; they change only with the questionnaires (the token) or when a
    # wave has data for an item not seen before (``used``).
    described = repr((panel.questionnaire_id, token, sorted(used), with_choices))
    key = f"panels:items:{hashlib.sha256(described.encode()).hexdigest()}"
    items = cache.get(key)
    if items is None:
        items = _items_by_code(panel.questionnaire_id, used, with_choices)
        cache.set(key, items, CHANGES_TIMEOUT)
    return items


def _items_by_code(questionnaire_id: int, used: set[int], with_choices: bool) -> dict[str, Item]:
    current = Item.objects.filter(questionnaire_id=questionnaire_id)
    older = (
        Item.objects.filter(pk__in=used)
        .exclude(questionnaire_id=questionnaire_id)
        .order_by("-questionnaire__version", "position")
    )
    if with_choices:
        current, older = current.prefetch_related("choices"), older.prefetch_related("choices")
    items: dict[str, Item] = {item.code: item for item in current}
    for item in older:
        items.setdefault(item.code, item)
    return items


def items_by_code_of_panels(panels: Sequence[Panel]) -> dict[int, dict[str, Item]]:
    """``items_by_code(panel, with_choices=False)`` of many panels, by panel id, in four
    queries whatever their number (a page with a row per territory asked five a panel):
    the current items of each questionnaire, and the older items with data on the waves
    of each panel."""
    questionnaires = {panel.questionnaire_id for panel in panels}
    current: dict[int, list[Item]] = defaultdict(list)
    for item in Item.objects.filter(questionnaire_id__in=questionnaires):
        current[item.questionnaire_id].append(item)
    panel_of_wave = dict(Wave.objects.filter(panel__in=panels).values_list("pk", "panel_id"))
    used: dict[int, set[int]] = defaultdict(set)
    if panel_of_wave:
        pairs = (
            Aggregate.objects.filter(wave_id__in=panel_of_wave)
            .values_list("wave_id", "item_id")
            .order_by()
            .distinct()
        )
        for wave_id, item_id in pairs:
            used[panel_of_wave[wave_id]].add(item_id)
    used_anywhere = set().union(*used.values())
    older = (
        list(
            Item.objects.filter(pk__in=used_anywhere).order_by(
                "-questionnaire__version", "position"
            )
        )
        if used_anywhere
        else []
    )
    found: dict[int, dict[str, Item]] = {}
    for panel in panels:
        items = {item.code: item for item in current[panel.questionnaire_id]}
        for item in older:
            if item.pk in used[panel.pk] and item.questionnaire_id != panel.questionnaire_id:
                items.setdefault(item.code, item)
        found[panel.pk] = items
    return found


# Results per wave, from the aggregates


Results = dict[int, dict[str, analysis.ItemResult]]


SUM_FIELDS = CellSums._fields


def results_by_wave(
    waves: Sequence[Wave],
    breakdown: str = "all",
    *,
    reveal_small: bool,
    codes: Collection[str] | None = None,
    with_counts: bool = True,
) -> Results:
    """{wave id: {item code: result}} in two queries; an item a wave did not ask is absent.

    ``codes``: only these items (a trend of the trust items need not compute every
    item of every wave). ``with_counts=False``: results without ``counts``, whose JSON
    need not then be read and decoded per row (the trend shows no counts). Rows are read
    as plain values and each item is loaded once: building an Aggregate and an Item
    (with its JSON wording) per row cost more than the statistics.
    """
    results: Results = {wave.pk: {} for wave in waves}
    stored = Aggregate.objects.filter(wave_id__in=[wave.pk for wave in waves])
    rows: list[tuple[Any, ...]]
    if breakdown == "all":
        fields = SUM_FIELDS if with_counts else SUM_FIELDS[:-1]
        rows = list(stored.values_list("wave_id", "item_id", "item_code", *fields))
    else:  # the group's sums, where the wave has any, from the rows' breakdowns
        rows = [
            (wave_id, item_id, item_code, *sums)
            for wave_id, item_id, item_code, groups in stored.values_list(
                "wave_id", "item_id", "item_code", "breakdowns"
            )
            if (sums := groups.get(breakdown)) is not None
        ]
    # The codes are kept here, not in the query: with ``item_code IN`` SQLite may read
    # the codes' rows of every wave in the country through the map's index (0.6 s at
    # national scale) instead of the panel's waves through (wave, item).
    if codes is not None:
        wanted = set(codes)
        rows = [row for row in rows if row[2] in wanted]
    items = Item.objects.in_bulk({row[1] for row in rows})
    # Per item, not per row: whether it is scored, and the settings' threshold.
    scored = {pk: is_scored(item) for pk, item in items.items()}
    min_cell_size = settings.MIN_CELL_SIZE
    result_from = analysis.result_from
    for wave_id, item_id, item_code, *sums in rows:
        if len(sums) < len(SUM_FIELDS):
            sums.append(None)
        # The row's own item: its scale is the one the answers were given on.
        results[wave_id][item_code] = result_from(
            items[item_id],
            CellSums(*sums),
            reveal_small=reveal_small,
            min_cell_size=min_cell_size,
            scored=scored[item_id],
            with_counts=with_counts,
        )
    if not reveal_small:
        suppression.protect(results, waves, breakdown)
    return results


def asked_codes(waves: Sequence[Wave]) -> dict[int, set[str]]:
    """{wave id: item codes with answers for the whole panel}: what each wave asked."""
    codes: dict[int, set[str]] = {wave.pk: set() for wave in waves}
    rows = Aggregate.objects.filter(wave_id__in=[wave.pk for wave in waves]).values_list(
        "wave_id", "item_code"
    )
    for wave_id, code in rows:
        codes[wave_id].add(code)
    return codes


def _breakdown_keys(panel: Panel) -> set[str]:
    """Every group key in the breakdowns of the panel's aggregates, listed by the
    database's JSON functions rather than by decoding each row's breakdowns."""
    waves = list(panel.waves.values_list("pk", flat=True))
    if not waves:
        return set()
    table = connection.ops.quote_name(Aggregate._meta.db_table)
    marks = ", ".join(["%s"] * len(waves))
    if connection.vendor == "postgresql":
        sql = (
            f"SELECT DISTINCT jsonb_object_keys(breakdowns) FROM {table} "  # noqa: S608
            f"WHERE wave_id IN ({marks})"
        )
    else:
        sql = (
            f"SELECT DISTINCT key FROM {table}, json_each({table}.breakdowns) "  # noqa: S608
            f"WHERE wave_id IN ({marks})"
        )
    with connection.cursor() as cursor:
        # The table name comes from the model's meta, quoted; the ids are parameters.
        cursor.execute(sql, waves)
        return {key for (key,) in cursor.fetchall()}


def breakdown_options(panel: Panel) -> list[dict[str, Any]]:
    """The breakdowns the panel's aggregates hold, grouped by attribute, with labels."""
    keys = _breakdown_keys(panel)
    groups = []
    for attribute, choices in BREAKDOWNS.items():
        options = [
            {"key": f"{attribute}:{value}", "label": str(label)}
            for value, label in choices.choices
            if f"{attribute}:{value}" in keys
        ]
        if options:
            groups.append({"label": _attribute_label(attribute), "options": options})
    return groups


def valid_breakdown(key: str) -> bool:
    if key == "all":
        return True
    attribute, _sep, value = key.partition(":")
    choices = BREAKDOWNS.get(attribute)
    return choices is not None and value in choices.values


def breakdown_label(key: str) -> str:
    if key == "all":
        return _("All respondents")
    attribute, _sep, value = key.partition(":")
    choices = BREAKDOWNS[attribute]
    return f"{_attribute_label(attribute)}: {choices(value).label}"


def _attribute_label(attribute: str) -> str:
    """A respondent attribute's name, capitalised: "Sex", "Area"."""
    field = Respondent._meta.get_field(attribute)
    if not isinstance(field, models.Field):
        raise TypeError(f"Respondent.{attribute} is not a field of its own")
    return str(field.verbose_name).capitalize()


# Change between two waves


@dataclass
class ComparisonRow:
    item: Item
    label: str
    text: str
    current: analysis.ItemResult | None
    previous: analysis.ItemResult | None
    is_trust: bool = False
    change: analysis.Change | None = None
    # Unpaired differences between the two cells, for breakdowns (no paired test there).
    pct_difference: float | None = None
    mean_difference: float | None = None

    @property
    def pct_change(self) -> float | None:
        """Paired change in % favourable when tested, else the plain difference."""
        return self.change.pct_trust_change if self.change else self.pct_difference

    @property
    def mean_change(self) -> float | None:
        return self.change.mean_change_0_100 if self.change else self.mean_difference


def change_visible(
    change: analysis.Change,
    current: analysis.ItemResult | None,
    reveal_small: bool,
    previous: analysis.ItemResult | None,
) -> bool:
    """A change among fewer than MIN_CELL_SIZE pairs would describe a handful of people,
    and so would one whose pairs leave out a handful of either wave's respondents
    (``suppression.change_publishable``)."""
    if reveal_small:
        return True
    if current is None or current.suppressed or previous is None or previous.suppressed:
        return False
    return suppression.change_publishable(change.n_pairs, current.n or 0, previous.n or 0)


def _difference(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None else now - before


def visible_change(
    change: analysis.Change | None,
    current: analysis.ItemResult | None,
    previous: analysis.ItemResult | None,
    reveal_small: bool,
) -> analysis.Change | None:
    """The paired change as this person may see it, or None.

    The whole test when ``change_visible``. Otherwise, when both waves' cells are shown
    and there are at least MIN_CELL_SIZE pairs, the test's verdict without its figures:
    its name, the pairs and whether it is flagged, with the change in points as the
    plain difference of the two published cells and no p-values — the means among the
    pairs would be one subtraction away from the few respondents the pairs leave out.
    A providers' flagged drop stays visible either way.
    """
    if change is None or not change.test:
        return None
    if change_visible(change, current, reveal_small, previous):
        return change
    if (
        current is None
        or previous is None
        or current.suppressed
        or previous.suppressed
        or change.n_pairs < min_cell_size()
    ):
        return None
    return dataclasses.replace(
        change,
        statistic=None,
        p_value=None,
        p_adjusted=None,
        paired=False,
        mean_change_0_100=_difference(current.mean_0_100, previous.mean_0_100),
        pct_trust_change=_difference(current.pct_trust, previous.pct_trust),
    )


# Bounds how long the tests of two waves no longer current occupy the cache.
CHANGES_TIMEOUT = 24 * 60 * 60


def changes_between(wave: Wave, previous: Wave) -> dict[str, analysis.Change]:
    """The paired tests for the whole panel, by item code (the one read of raw answers).

    Cached: the tests read every answer of both waves and run one test per item, the
    largest part of a dashboard, a results API call or a provider's page. They change
    only when a submission of either wave is added, removed or replaced by an edit
    (``edits.replace`` deletes the old row and stores a new one, so the count or the
    highest id changes), or when items change (the ``FormVersion`` token, kept by
    database triggers). The key holds all of these, read in two small queries.
    """
    token = versioning.token(FormVersion)
    if token is None:  # no triggers on this database: nothing is cached
        return {change.item: change for change in analysis.compare(wave, previous)}
    signature = list(
        Submission.objects.filter(wave__in=[wave, previous])
        .order_by("wave_id")
        .values("wave_id")
        .annotate(count=Count("pk"), last=Max("pk"))
        .values_list("wave_id", "count", "last")
    )
    described = repr((wave.pk, previous.pk, wave.panel.questionnaire_id, token, signature))
    key = f"panels:changes:{hashlib.sha256(described.encode()).hexdigest()}"
    changes = cache.get(key)
    if changes is None:
        changes = analysis.compare(wave, previous)
        cache.set(key, changes, CHANGES_TIMEOUT)
    return {change.item: change for change in changes}


def comparison(
    panel: Panel,
    items: dict[str, Item],
    current: dict[str, analysis.ItemResult],
    previous: dict[str, analysis.ItemResult] | None,
    changes: dict[str, analysis.Change] | None,
    *,
    reveal_small: bool,
) -> list[ComparisonRow]:
    """One row per scored item present in either wave, in questionnaire order."""
    rows = []
    primary = primary_codes(items)
    for code, item in items.items():
        if not is_scored(item):
            continue
        now, before = current.get(code), (previous or {}).get(code)
        if now is None and before is None:
            continue
        row = ComparisonRow(
            item=item,
            label=item_label(item, panel, primary=code in primary),
            text=item_text(item, panel),
            current=now,
            previous=before,
            is_trust=code in primary,
        )
        change = visible_change((changes or {}).get(code), now, before, reveal_small)
        if change is not None:
            row.change = change
        elif changes is None and now is not None and before is not None:
            if now.pct_trust is not None and before.pct_trust is not None:
                row.pct_difference = now.pct_trust - before.pct_trust
            if now.mean_0_100 is not None and before.mean_0_100 is not None:
                row.mean_difference = now.mean_0_100 - before.mean_0_100
        rows.append(row)
    return rows


# Trends


def _rounded(value: float | None) -> float | None:
    if value is None or value != value:  # None or NaN (NaN is the one value unequal to itself)
        return None
    return round(value, 1)


def trust_items(items: dict[str, Item], *, primary_only: bool = False) -> list[Item]:
    """Scored items about a provider, in the order of the Provider choices, then position.

    ``primary_only``: the first such item per provider (the 1–7 trust question of the
    default questionnaire), for charts with one line per provider.
    """
    order = {provider: index for index, provider in enumerate(Provider.values)}
    chosen = sorted(
        (item for item in items.values() if item.provider and is_scored(item)),
        key=lambda item: (order.get(item.provider, 99), item.position),
    )
    if not primary_only:
        return chosen
    primary: dict[str, Item] = {}
    for item in chosen:
        primary.setdefault(item.provider, item)
    return list(primary.values())


TREND_FIGURES = (
    "pct_trust",
    "pct_trust_ci_low",
    "pct_trust_ci_high",
    "mean_0_100",
    "mean_ci_low",
    "mean_ci_high",
)
TREND_KEYS = ("pct", "pct_low", "pct_high", "mean", "mean_low", "mean_high")


def trend_series(
    panel: Panel, items: Sequence[Item], waves: Sequence[Wave], results: Results
) -> dict[str, Any]:
    """Chart.js-ready series: per item, % trusting and the 0–100 mean with their intervals.

    A wave that did not ask an item, or whose cell is suppressed, is ``None`` (a gap).
    """
    series = []
    several: defaultdict[str, int] = defaultdict(int)
    for item in items:
        several[item.provider] += 1
    by_wave = [results.get(wave.pk, {}) for wave in waves]
    for item in items:
        points = [wave_results.get(item.code) for wave_results in by_wave]
        if not any(point is not None for point in points):
            continue
        label = item_label(item, panel)
        if several[item.provider] > 1:
            label = f"{label} ({item.code})"
        # One pass over the points for the six figures (was one getattr per figure and
        # point): this loop is most of the Python of a long trend.
        columns: list[list[float | None]] = [[] for _ in TREND_FIGURES]
        counts: list[int | None] = []
        for point in points:
            if point is None:
                for column in columns:
                    column.append(None)
                counts.append(None)
                continue
            figures = (
                point.pct_trust,
                point.pct_trust_ci_low,
                point.pct_trust_ci_high,
                point.mean_0_100,
                point.mean_ci_low,
                point.mean_ci_high,
            )
            for column, value in zip(columns, figures, strict=True):
                column.append(_rounded(value))
            counts.append(point.n)
        serie: dict[str, Any] = {"code": item.code, "label": label}
        serie.update(zip(TREND_KEYS, columns, strict=True))
        serie["n"] = counts
        series.append(serie)
    return {"labels": [wave.label for wave in waves], "series": series}


def sparkline(values: Sequence[float | None], width: int = 200, height: int = 44) -> dict[str, Any]:
    """SVG polyline points for a 0–100 series (gaps skipped), drawn on the server."""
    known = [(index, value) for index, value in enumerate(values) if value is not None]
    if not known:
        return {"points": "", "last": None, "width": width, "height": height}
    step = width / max(1, len(values) - 1)
    pad = 3

    def y(value: float) -> float:
        return round(pad + (100 - value) / 100 * (height - 2 * pad), 1)

    points = " ".join(f"{round(index * step, 1)},{y(value)}" for index, value in known)
    last_index, last_value = known[-1]
    return {
        "points": points,
        "width": width,
        "height": height,
        "last": {"x": round(last_index * step, 1), "y": y(last_value)},
    }


# Concerns and retention


@dataclass
class Concern:
    label: str
    count: int
    share: float
    n: int = 0  # respondents who answered the item the option belongs to


@dataclass
class ConcernChart:
    """One question about community concerns, its options by how often they were chosen."""

    item: Item
    text: str
    result: analysis.ItemResult | None
    concerns: list[Concern]


def concern_items(panel: Panel, items: dict[str, Item]) -> list[Item]:
    """The items the concerns chart counts, in form order.

    A form made elsewhere says which of its questions are about concerns on its mapping
    page (``FieldUse.CONCERN``); our own questionnaire asks the PROBLEMS item.
    """
    codes = (
        FieldMapping.objects.filter(
            questionnaire_id=panel.questionnaire_id, use=FieldUse.CONCERN, item__isnull=False
        )
        .order_by("position", "pk")
        .values_list("item__code", flat=True)
    )
    mapped = [items[code] for code in codes if code in items]
    if mapped:
        return mapped
    problems = items.get(PROBLEMS_ITEM)
    return [problems] if problems is not None else []


def item_concerns(
    item: Item | None, result: analysis.ItemResult | None, limit: int = 10
) -> list[Concern]:
    """Options of one concerns item by how many respondents chose them."""
    if item is None or result is None or not result.counts or not result.n:
        return []
    labels = {choice.value: translated(choice.label) for choice in item.choices.all()}
    concerns = [
        Concern(
            label=labels.get(int(code), code),
            count=count,
            share=count / result.n * 100,
            n=result.n,
        )
        for code, count in result.counts.items()
        if int(code) not in MISSING_CODES and count
    ]
    concerns.sort(key=lambda concern: (-concern.count, concern.label))
    return concerns[:limit]


def concern_charts(
    panel: Panel,
    items: dict[str, Item],
    results: dict[str, analysis.ItemResult],
    limit: int = 10,
) -> list[ConcernChart]:
    """One chart per concerns item (``concern_items``) of a wave's ``results``."""
    charts = []
    for item in concern_items(panel, items):
        result = results.get(item.code)
        charts.append(
            ConcernChart(
                item=item,
                text=item_text(item, panel),
                result=result,
                concerns=item_concerns(item, result, limit),
            )
        )
    return charts


def top_concerns(
    panel: Panel,
    items: dict[str, Item],
    results: dict[str, analysis.ItemResult],
    limit: int = 10,
) -> list[Concern]:
    """The options of every concerns item of a wave, most chosen first (the agenda's and
    the brief's list; each concern carries the ``n`` of its own item)."""
    concerns = [
        concern
        for chart in concern_charts(panel, items, results, limit)
        for concern in chart.concerns
    ]
    concerns.sort(key=lambda concern: (-concern.count, concern.label))
    return concerns[:limit]


def retention(panel: Panel, waves: Sequence[Wave]) -> list[analysis.Retention]:
    """``analysis.retention`` in two queries whatever the number of waves.

    Same definitions: members are respondents whose membership spans the month;
    retention is the share of the previous wave's respondents who answered again.
    """
    members = list(
        Respondent.objects.filter(panel=panel).values_list("from_period", "until_period")
    )
    answered_by: dict[int, set[int]] = defaultdict(set)
    pairs = Submission.objects.filter(wave__panel=panel).values_list("wave_id", "respondent_id")
    for wave_id, respondent_id in pairs:
        answered_by[wave_id].add(respondent_id)
    rows = []
    previous_ids: set[int] | None = None
    for wave in sorted(waves, key=lambda w: w.period):
        count = sum(
            1
            for start, end in members
            if (end is None or end >= wave.period) and (start is None or start <= wave.period)
        )
        ids = answered_by.get(wave.pk, set())
        retained = len(ids & previous_ids) if previous_ids is not None else None
        rows.append(
            analysis.Retention(
                wave=wave.label,
                members=count,
                responded=len(ids),
                response_rate=len(ids) / count * 100 if count else None,
                retained=retained,
                retention_rate=(retained / len(previous_ids) * 100)
                if retained is not None and previous_ids
                else None,
            )
        )
        previous_ids = ids
    return rows


# The provider view


@dataclass
class ProviderRow:
    """How trust in one institution moved in one panel."""

    panel: Panel
    item: Item
    label: str
    is_trust: bool
    wave: Wave
    previous: Wave | None
    current: analysis.ItemResult
    change: analysis.Change | None
    trend: list[float | None]
    trend_labels: list[str]
    spark: dict[str, Any] = field(default_factory=dict)


def provider_memberships(user) -> list[tuple[tuple[str, ...], list[str]]]:
    """(institutions, territory paths) for each provider membership the user holds."""
    from convivencia.accounts.models import Membership

    if user is None or not user.is_authenticated:
        return []
    memberships = (
        Membership.objects.active()
        .filter(
            user=user, role=Role.PROVIDER, organisation__type__in=list(PROVIDERS_BY_ORGANISATION)
        )
        .select_related("organisation")
        .prefetch_related("territories")
    )
    return [
        (PROVIDERS_BY_ORGANISATION[m.organisation.type], [t.path for t in m.territories.all()])
        for m in memberships
    ]


def provider_rows(
    panel: Panel,
    providers: Iterable[str],
    *,
    up_to: Wave | None = None,
    reveal_small: bool = False,
    closed_waves: Sequence[Wave] | None = None,
) -> list[ProviderRow]:
    """Closed waves only: providers act on final figures, not on a wave still filling up.

    ``closed_waves``: the panel's closed waves as ``waves_of_panels`` read them for a page
    of many panels (a department's liaison sees every municipality's panel).
    """
    providers = set(providers)
    waves: list[Wave] = list(
        waves_of(panel, closed_only=True) if closed_waves is None else closed_waves
    )
    if up_to is not None:
        waves = [wave for wave in waves if wave.period <= up_to.period]
        if up_to.pk not in {wave.pk for wave in waves}:
            # The count waves_of annotates, set by hand on a wave it did not read.
            up_to.responses = up_to.submissions.count()  # type: ignore[attr-defined]
            waves.append(up_to)
    waves = answered(waves)
    wave, previous = latest_pair(waves)
    if wave is None:
        return []
    everything = items_by_code(panel)
    primary = primary_codes(everything)
    items = [item for item in trust_items(everything) if item.provider in providers]
    if not items:
        return []
    results = results_by_wave(waves, reveal_small=reveal_small)
    changes = changes_between(wave, previous) if previous else {}
    rows = []
    for item in items:
        current = results[wave.pk].get(item.code)
        if current is None:
            continue
        before = results[previous.pk].get(item.code) if previous else None
        change = visible_change(changes.get(item.code), current, before, reveal_small)
        trend = [_rounded(getattr(results[w.pk].get(item.code), "pct_trust", None)) for w in waves]
        rows.append(
            ProviderRow(
                panel=panel,
                item=item,
                label=item_label(item, panel, primary=item.code in primary),
                is_trust=item.code in primary,
                wave=wave,
                previous=previous,
                current=current,
                change=change,
                trend=trend,
                trend_labels=[w.label for w in waves],
                spark=sparkline(trend),
            )
        )
    # Flagged changes first: they are what a liaison should read before anything else.
    rows.sort(key=lambda row: (not (row.change and row.change.flagged),))
    return rows


def provider_panels(user) -> list[tuple[Panel, set[str]]]:
    """The panels in the user's provider scope, each with the institutions they answer for."""
    memberships = provider_memberships(user)
    if not memberships:
        return []
    condition = Q(pk__in=[])
    for _providers, paths in memberships:
        for path in paths:
            condition |= Q(territory__path__startswith=path)
    panels = Panel.objects.filter(condition).select_related("territory", "questionnaire")
    result = []
    for panel in panels.order_by("territory__name", "code"):
        institutions: set[str] = set()
        for providers, paths in memberships:
            if any(panel.territory.path.startswith(path) for path in paths):
                institutions.update(providers)
        result.append((panel, institutions))
    return result


# The map


def _covers(scope: access.Scope, path: str) -> bool:
    """``scope.covers`` for a territory known only by its path (no instance to build)."""
    return scope.everywhere or any(path.startswith(prefix) for prefix in scope.paths)
