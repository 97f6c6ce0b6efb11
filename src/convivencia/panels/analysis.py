"""Honest numbers from the aggregates: shares with Wilson intervals, 0–100 means with
t-intervals, paired change tests between waves with Benjamini–Hochberg correction.

A panel of ~50 purposively chosen leaders is a key-informant panel, not a
probability sample: the intervals describe the variation among these leaders,
not the municipality's population. Pages say so beside the numbers.
"""

from __future__ import annotations

import functools
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from scipy import stats
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.multitest import multipletests

from convivencia.panels import suppression
from convivencia.panels.aggregates import is_scored
from convivencia.panels.choices import ItemType, Provider
from convivencia.panels.models import Aggregate, Answer, Item, Submission, Wave

ALPHA = 0.05
# The two-sided normal quantile of Wilson's interval, computed once: statsmodels'
# proportion_confint recomputes it (and goes through numpy) on every call, which was
# most of the time of a 36-wave trend or a national map.
WILSON_Z = float(stats.norm.isf(ALPHA / 2))
WILSON_Z2 = WILSON_Z * WILSON_Z


class Sums(Protocol):
    """What the results need from an aggregate row (an Aggregate or a plain-value row).

    Read-only: the results only read the sums, and CellSums is a named tuple.
    """

    @property
    def n(self) -> int: ...
    @property
    def n_missing(self) -> int: ...
    @property
    def n_top(self) -> int: ...
    @property
    def total(self) -> float: ...
    @property
    def total_sq(self) -> float: ...
    @property
    def counts(self) -> dict[str, int]: ...


@dataclass
class ItemResult:
    item: str
    provider: str
    # None when suppressed: a withheld cell does not say how small it is.
    n: int | None
    n_missing: int | None
    suppressed: bool
    pct_trust: float | None = None
    pct_trust_ci_low: float | None = None
    pct_trust_ci_high: float | None = None
    mean_0_100: float | None = None
    mean_ci_low: float | None = None
    mean_ci_high: float | None = None
    counts: dict[str, int] | None = None


def wilson(successes: int, n: int) -> tuple[float, float]:
    """Wilson score interval in %, the formula of statsmodels' proportion_confint
    (method="wilson", clipped to 0–1), written out: it is called per item × wave and per
    map cell. tests/panels/test_analysis.py checks it against statsmodels."""
    share = successes / n
    denominator = 1 + WILSON_Z2 / n
    centre = (share + WILSON_Z2 / (2 * n)) / denominator
    half = WILSON_Z * math.sqrt(share * (1.0 - share) / n + WILSON_Z2 / (4.0 * n * n))
    half /= denominator
    return min(max(centre - half, 0.0), 1.0) * 100, min(max(centre + half, 0.0), 1.0) * 100


@functools.lru_cache(maxsize=1024)
def _t_critical(degrees_of_freedom: int) -> float:
    """Two-sided t quantile; cached because panels have ~50 respondents, so few distinct
    degrees of freedom, and scipy's ppf costs ~50 µs a call."""
    return float(stats.t.ppf(1 - ALPHA / 2, degrees_of_freedom))


def mean_interval(total: float, total_sq: float, n: int) -> tuple[float, float, float]:
    """Mean and t-interval from sums; the interval is undefined below two answers."""
    mean = total / n
    if n < 2:
        return mean, math.nan, math.nan
    variance = max(0.0, (total_sq - total * total / n) / (n - 1))
    half = _t_critical(n - 1) * math.sqrt(variance / n)
    return mean, mean - half, mean + half


def result_from(
    item: Item,
    row: Sums | None,
    *,
    reveal_small: bool,
    min_cell_size: int | None = None,
    scored: bool | None = None,
    with_counts: bool = True,
) -> ItemResult:
    """The figures of one item in one cell.

    ``min_cell_size`` and ``scored`` can be worked out once by a caller computing many
    cells (reading the lazy settings and checking the item per cell was a good part of
    a 36-wave trend); ``with_counts=False`` leaves ``counts`` out, for the trend, which
    shows none of them.
    """
    n = row.n if row else 0
    result = ItemResult(
        item=item.code,
        provider=item.provider,
        n=n,
        n_missing=row.n_missing if row else 0,
        suppressed=False,
    )
    if min_cell_size is None:
        min_cell_size = settings.MIN_CELL_SIZE
    if n < min_cell_size and not reveal_small:
        return suppression.withhold(result)
    if row is None or n == 0:
        return result
    if with_counts:
        result.counts = dict(row.counts)
    if is_scored(item) if scored is None else scored:
        if item.top_min is not None:
            result.pct_trust = row.n_top / n * 100
            result.pct_trust_ci_low, result.pct_trust_ci_high = wilson(row.n_top, n)
        mean, low, high = mean_interval(row.total, row.total_sq, n)
        result.mean_0_100 = item.to_0_100(mean)
        if not math.isnan(low):
            result.mean_ci_low = max(0.0, item.to_0_100(low))
            result.mean_ci_high = min(100.0, item.to_0_100(high))
    return result


def wave_results(
    wave: Wave, breakdown: str = "all", *, reveal_small: bool = False
) -> list[ItemResult]:
    """One result per item of the wave's questionnaire, from the aggregates."""
    items = list(wave.panel.questionnaire.items.all())
    # By code, not id: after local items are added the panel asks a new questionnaire
    # version, whose items are new rows with the same codes.
    rows = Aggregate.objects.filter(wave=wave)
    if breakdown == "all":
        rows = rows.defer("breakdowns")
    cells = {row.item_code: row.cell(breakdown) for row in rows}
    results = [result_from(item, cells.get(item.code), reveal_small=reveal_small) for item in items]
    if not reveal_small:
        suppression.protect({wave.pk: {r.item: r for r in results}}, [wave], breakdown)
    return results


@dataclass
class Change:
    item: str
    test: str
    n_pairs: int
    statistic: float | None
    p_value: float | None
    p_adjusted: float | None = None
    flagged: bool = False
    mean_change_0_100: float | None = None
    pct_trust_change: float | None = None
    # False when the changes are the plain differences of the two waves' published cells
    # rather than among the pairs (see charts.visible_change).
    paired: bool = True


Pairs = list[tuple[float, float]]


def _paired_scores(item_codes: list[str], wave: Wave, previous: Wave) -> dict[str, Pairs]:
    """Scores of the same respondents in both waves (replacements are new people), per
    item code, read in one query for all the items: one query per item dominated
    ``compare`` on PostgreSQL (the demo's agenda compares many pairs of waves).

    The answers are asked for by explicit submission and item ids, not by joining
    answers to submissions and items: without fresh statistics (a large import in the
    same transaction) PostgreSQL planned that join as a walk over every answer in the
    table, minutes per call; by ids it seeks the ~100 submissions through the index.
    """
    submissions = {
        pk: (respondent_id, wave_id)
        for pk, respondent_id, wave_id in Submission.objects.filter(
            wave__in=[wave, previous]
        ).values_list("pk", "respondent_id", "wave_id")
    }
    # By code, as the aggregates: the two waves may ask different questionnaire
    # versions, whose items are different rows (each scored by its own reverse coding).
    items = {item.pk: item for item in Item.objects.filter(code__in=item_codes)}
    scores: dict[str, dict[int, dict[int, float]]] = defaultdict(lambda: defaultdict(dict))
    if submissions and items:
        answers = Answer.objects.filter(
            submission_id__in=list(submissions),
            item_id__in=list(items),
            missing__isnull=True,
            number__isnull=False,
        ).values_list("submission_id", "item_id", "number")
        for submission_id, item_id, number in answers:
            item = items[item_id]
            if number is None:  # excluded by the query
                continue
            respondent_id, wave_id = submissions[submission_id]
            scores[item.code][respondent_id][wave_id] = item.score(number)
    return {
        code: [
            (by_wave[previous.pk], by_wave[wave.pk])
            for by_wave in scores[code].values()
            if previous.pk in by_wave and wave.pk in by_wave
        ]
        for code in item_codes
    }


def compare(wave: Wave, previous: Wave) -> list[Change]:
    """Paired change per item: McNemar for yes/no items, Wilcoxon signed-rank for scales.

    p-values are corrected with Benjamini–Hochberg across the items compared; a
    change is flagged when the corrected p-value is below 0.05.
    """
    changes = []
    scored = [item for item in wave.panel.questionnaire.items.all() if is_scored(item)]
    paired = _paired_scores([item.code for item in scored], wave, previous) if scored else {}
    for item in scored:
        pairs = paired[item.code]
        change = Change(item=item.code, test="", n_pairs=len(pairs), statistic=None, p_value=None)
        if len(pairs) >= 2:
            before = [b for b, _ in pairs]
            after = [a for _, a in pairs]
            change.mean_change_0_100 = item.to_0_100(sum(after) / len(after)) - item.to_0_100(
                sum(before) / len(before)
            )
            if item.top_min is not None:
                top_before = sum(item.is_top(b) for b in before)
                top_after = sum(item.is_top(a) for a in after)
                change.pct_trust_change = (top_after - top_before) / len(pairs) * 100
            if item.type == ItemType.YES_NO or (item.scale_max or 0) - (item.scale_min or 0) <= 1:
                change.test = "mcnemar"
                change.statistic, change.p_value = _mcnemar(item, pairs)
            else:
                change.test = "wilcoxon"
                change.statistic, change.p_value = _wilcoxon(pairs)
        changes.append(change)
    tested = [c for c in changes if c.p_value is not None]
    if tested:
        _reject, adjusted, _s, _b = multipletests([c.p_value for c in tested], method="fdr_bh")
        for change, p in zip(tested, adjusted, strict=True):
            change.p_adjusted = float(p)
            change.flagged = bool(p < ALPHA)
    return changes


def _mcnemar(item: Item, pairs: Pairs) -> tuple[float, float]:
    table = [[0, 0], [0, 0]]
    for before, after in pairs:
        table[int(item.is_top(before))][int(item.is_top(after))] += 1
    discordant = table[0][1] + table[1][0]
    result = mcnemar(table, exact=discordant < 25, correction=True)
    return float(result.statistic), float(result.pvalue)


def _wilcoxon(pairs: Pairs) -> tuple[float | None, float]:
    differences = [after - before for before, after in pairs]
    if all(d == 0 for d in differences):
        return None, 1.0
    result = stats.wilcoxon(differences, zero_method="wilcox")
    return float(result.statistic), float(result.pvalue)


@dataclass
class Retention:
    wave: str
    members: int
    responded: int
    response_rate: float | None
    retained: int | None
    retention_rate: float | None


def retention(waves: list[Wave]) -> list[Retention]:
    """Response rate per wave and how many of the previous wave's respondents answered again."""
    from convivencia.panels.models import Respondent

    rows = []
    previous_ids: set[int] | None = None
    for wave in sorted(waves, key=lambda w: w.period):
        members = (
            Respondent.objects.filter(panel=wave.panel)
            .exclude(until_period__lt=wave.period)
            .exclude(from_period__gt=wave.period)
            .count()
        )
        ids = set(wave.submissions.values_list("respondent_id", flat=True))
        retained = len(ids & previous_ids) if previous_ids is not None else None
        rows.append(
            Retention(
                wave=wave.label,
                members=members,
                responded=len(ids),
                response_rate=len(ids) / members * 100 if members else None,
                retained=retained,
                retention_rate=(retained / len(previous_ids) * 100)
                if retained is not None and previous_ids
                else None,
            )
        )
        previous_ids = ids
    return rows


def provider_index(results: list[ItemResult]) -> dict[str, float | None]:
    """Mean of each provider's trust items, 0–100 (None when all are suppressed)."""
    by_provider: dict[str, list[float]] = defaultdict(list)
    for result in results:
        if result.provider and result.mean_0_100 is not None:
            by_provider[result.provider].append(result.mean_0_100)
    return {
        provider: (sum(values) / len(values) if values else None)
        for provider in Provider.values
        if (values := by_provider.get(provider)) is not None
    }
