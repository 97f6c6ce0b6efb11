"""The accountability board: what each organisation promised and what it delivered,
beside how much the community trusts it.

Per territory, one row per responsible organisation; per organisation, one row per
territory. Each row counts commitments by status, open on time against overdue,
and the community's verdicts on the latest completion claims (confirmed, disputed,
pending). Beside it, the trust trend of the institution the organisation answers
for (police → the National Police items, and so on, as in
``panels.charts.PROVIDERS_BY_ORGANISATION``): the % trusting in the panel's primary
trust item for that institution, wave by wave, from the aggregates of the closed
waves of the territory's panels. Cells with fewer than MIN_CELL_SIZE answers are
withheld, as everywhere, except for coordinators of the territory.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from convivencia.accounts import access
from convivencia.accounts.choices import Role
from convivencia.accounts.models import Organisation
from convivencia.dialogues import permissions, services
from convivencia.dialogues.choices import Verdict
from convivencia.dialogues.models import Commitment, CommitmentStatus
from convivencia.territories.models import Territory


@dataclass
class TrustTrend:
    provider: str
    item_code: str
    labels: list[str]
    values: list[float | None]
    spark: dict[str, Any]

    @property
    def latest(self) -> float | None:
        known = [value for value in self.values if value is not None]
        return known[-1] if known else None

    @property
    def first(self) -> float | None:
        known = [value for value in self.values if value is not None]
        return known[0] if known else None

    @property
    def points(self) -> list[tuple[str, float | None]]:
        return list(zip(self.labels, self.values, strict=True))


@dataclass
class Row:
    organisation: Organisation
    territory: Territory
    statuses: list[CommitmentStatus]
    by_status: dict[int, int] = field(default_factory=dict)
    total: int = 0
    on_time: int = 0
    overdue: int = 0
    stalled: int = 0
    confirmed: int = 0
    disputed: int = 0
    pending: int = 0
    trust: TrustTrend | None = None

    @property
    def status_counts(self) -> list[tuple[CommitmentStatus, int]]:
        return [(status, self.by_status.get(status.pk, 0)) for status in self.statuses]


@dataclass
class Board:
    rows: list[Row]
    statuses: list[CommitmentStatus]
    total: int


def trust_trend(
    territory: Territory, organisation_type: str, *, reveal_small: bool = False
) -> TrustTrend | None:
    """% trusting over the closed waves of the territory's panels, or None without data."""
    key = (territory, organisation_type, reveal_small)
    return trust_trends([key])[(territory.pk, organisation_type, reveal_small)]


TrendKey = tuple[Territory, str, bool]


def trust_trends(
    keys: Iterable[TrendKey],
) -> dict[tuple[int, str, bool], TrustTrend | None]:
    """``trust_trend`` of many (territory, organisation type, reveal_small), by (territory
    id, type, reveal_small), in a fixed number of queries: the panels of every territory,
    their items (``charts.items_by_code_of_panels``) and the aggregates of every
    territory's items at once."""
    from convivencia.panels import charts
    from convivencia.panels.choices import WaveStatus
    from convivencia.panels.models import Aggregate, Panel

    wanted = list(keys)
    territory_ids = {
        territory.pk
        for territory, organisation_type, _reveal in wanted
        if charts.PROVIDERS_BY_ORGANISATION.get(organisation_type)
    }
    panels = (
        list(Panel.objects.filter(territory_id__in=territory_ids).select_related("questionnaire"))
        if territory_ids
        else []
    )
    items = charts.items_by_code_of_panels(panels)
    primary_items: dict[int, list[Any]] = defaultdict(list)  # by territory id, panel by panel
    for panel in panels:
        primary_items[panel.territory_id].append(
            charts.trust_items(items[panel.pk], primary_only=True)
        )
    item_codes: dict[tuple[int, str], str] = {}  # (territory id, organisation type) → item
    for territory, organisation_type, _reveal in wanted:
        providers = charts.PROVIDERS_BY_ORGANISATION.get(organisation_type)
        if not providers:
            continue
        for primary in primary_items[territory.pk]:
            code = next((item.code for item in primary if item.provider == providers[0]), None)
            if code is not None:
                item_codes[(territory.pk, organisation_type)] = code
                break
    # One row per panel and month: the territory's panels are pooled here, and each
    # panel's own cell is published on its dashboard, so the pool must not be the one
    # subtraction that reveals a panel's withheld cell (suppression.sum_publishable).
    pooled: dict[tuple[int, str], dict[datetime.date, list[tuple[int, int]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    if item_codes:
        rows = (
            Aggregate.objects.filter(
                territory_id__in={territory_id for territory_id, _type in item_codes},
                item_code__in=set(item_codes.values()),
                wave__status=WaveStatus.CLOSED,
                item__top_min__isnull=False,
            )
            .values_list("territory_id", "item_code", "period", "n", "n_top")
            .order_by("period")
        )
        for territory_id, item_code, period, n, n_top in rows:
            pooled[(territory_id, item_code)][period].append((n, n_top))
    trends: dict[tuple[int, str, bool], TrustTrend | None] = {}
    for territory, organisation_type, reveal_small in wanted:
        code_of_row = item_codes.get((territory.pk, organisation_type))
        trends[(territory.pk, organisation_type, reveal_small)] = (
            None
            if code_of_row is None
            else _trend(
                charts.PROVIDERS_BY_ORGANISATION[organisation_type][0],
                code_of_row,
                pooled.get((territory.pk, code_of_row), {}),
                reveal_small,
            )
        )
    return trends


def _trend(
    provider: str,
    item_code: str,
    pooled: dict[datetime.date, list[tuple[int, int]]],
    reveal_small: bool,
) -> TrustTrend | None:
    from convivencia.panels import charts, suppression

    labels: list[str] = []
    values: list[float | None] = []
    for period, parts in pooled.items():
        labels.append(period.strftime("%Y-%m"))
        n = sum(part[0] for part in parts)
        n_top = sum(part[1] for part in parts)
        if not n or not (
            reveal_small or suppression.sum_publishable(n, [part[0] for part in parts])
        ):
            values.append(None)
        else:
            values.append(round(n_top / n * 100, 1))
    if not any(value is not None for value in values):
        return None
    return TrustTrend(
        provider=charts.provider_label(provider),
        item_code=item_code,
        labels=labels,
        values=values,
        spark=charts.sparkline(values),
    )


def _count(
    row: Row, commitments: list[Commitment], states: dict[int, str | None], today: datetime.date
) -> None:
    for commitment in commitments:
        row.total += 1
        row.by_status[commitment.status_id] = row.by_status.get(commitment.status_id, 0) + 1
        flags = services.flags(commitment, today)
        if not commitment.status.is_final:
            if flags.overdue:
                row.overdue += 1
            else:
                row.on_time += 1
            row.stalled += flags.stalled
        state = states.get(commitment.pk)
        if state == Verdict.CONFIRMED:
            row.confirmed += 1
        elif state == Verdict.DISPUTED:
            row.disputed += 1
        elif state == "pending":
            row.pending += 1


def _commitments(queryset: QuerySet[Commitment]) -> list[Commitment]:
    return list(queryset.select_related("status", "responsible", "territory", "process"))


def territory_board(territory: Territory, user) -> Board:
    """One row per responsible organisation, for the commitments placed in the territory."""
    commitments = _commitments(
        permissions.visible_commitments(user).filter(territory__path__startswith=territory.path)
    )
    return _board(commitments, user, territory=territory)


def organisation_board(organisation: Organisation, user) -> Board:
    """One row per territory, for what the organisation is responsible or co-responsible for."""
    commitments = _commitments(
        permissions.visible_commitments(user)
        .filter(Q(responsible=organisation) | Q(co_responsible=organisation))
        .distinct()
    )
    return _board(commitments, user, organisation=organisation)


def _board(
    commitments: list[Commitment],
    user,
    *,
    territory: Territory | None = None,
    organisation: Organisation | None = None,
) -> Board:
    """Rows by (organisation, territory): a territory board gathers the territory and
    everything below it in one row per organisation; an organisation board counts the
    commitments it co-leads as its own."""
    statuses = list(CommitmentStatus.objects.order_by("position"))
    grouped: dict[tuple[int, int], list[Commitment]] = defaultdict(list)
    rows: dict[tuple[int, int], Row] = {}
    for commitment in commitments:
        row_organisation = organisation or commitment.responsible
        row_territory = territory or commitment.territory
        key = (row_organisation.pk, row_territory.pk)
        grouped[key].append(commitment)
        if key not in rows:
            rows[key] = Row(
                organisation=row_organisation, territory=row_territory, statuses=statuses
            )
    states = services.verification_states(commitments)
    today = timezone.localdate()
    for key, group in grouped.items():
        _count(rows[key], group, states, today)
    # The trends of every row at once; a row's trend depends on its territory and its
    # organisation's type only (a territory board's police stations share one).
    reveal = {
        territory.pk: access.has_role(user, territory, Role.COORDINATOR)
        for territory in {row.territory for row in rows.values()}
    }
    trends = trust_trends(
        (row.territory, row.organisation.type, reveal[row.territory.pk]) for row in rows.values()
    )
    for row in rows.values():
        row.trust = trends[(row.territory.pk, row.organisation.type, reveal[row.territory.pk])]
    ordered = sorted(
        rows.values(), key=lambda row: (-row.overdue, str(row.organisation), row.territory.name)
    )
    return Board(rows=ordered, statuses=statuses, total=len(commitments))
