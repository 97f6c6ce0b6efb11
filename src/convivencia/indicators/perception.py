"""Official records beside what a perception panel's leaders say about being victims.

Two items of the panel's questionnaire:

- ``VIC1``: "In the past month, have you been the victim of any crime?" (yes/no);
- ``VIC1_REPORT``: "Did you report it?" (yes/no), asked only of those who said yes.

From the panel's aggregates (the whole panel's figures, summed over the waves of
one year) come the share of answers saying "victim", the share of victims who did
not report (the "cifra negra", the dark figure of crime) and, from the share
who did report, an under-reporting multiplier ``1 / share reporting``: how many
crimes for each one that reached the authorities. Intervals are Wilson 95%
intervals; the multiplier's comes from the Wilson bounds of the reporting share.

Yes answers are read from ``counts["1"]`` (answers per code) rather than
``n_top``: the default questionnaire gives ``VIC1`` no "favourable" threshold
(being a victim is not favourable), so its ``n_top`` stays zero.

The pages say it in plain words: a panel of leaders is a key-informant panel,
chosen on purpose, not a sample of the population; these numbers indicate,
they do not estimate the population's under-reporting. The same leaders answer
every month, so summing waves counts answers, not people, and the intervals
(which treat answers as independent) are too narrow. Cells with fewer than
``MIN_CELL_SIZE`` answers are suppressed for everyone: these pages are public.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings

from convivencia.indicators.rates import Rate
from convivencia.panels.analysis import wilson
from convivencia.panels.choices import WaveStatus
from convivencia.panels.models import Aggregate
from convivencia.panels.suppression import sum_publishable
from convivencia.territories.models import Territory

VICTIM_ITEM = "VIC1"
REPORT_ITEM = "VIC1_REPORT"
YES, NO = "1", "0"
# Data elements whose crimes VIC1 names (robbery, theft, assault, fraud, extortion,
# threats): the official records that make sense beside its answers.
ASKED_ABOUT = ("robbery", "theft", "extortion", "injuries", "threats_to_leaders")


@dataclass
class Share:
    """A share of answers in percent, with its Wilson 95% interval; empty when suppressed."""

    n: int
    count: int | None
    percent: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    suppressed: bool = False


@dataclass
class Multiplier:
    """Crimes per crime reported: 1 / share reporting. ``high`` None: no upper bound."""

    value: float | None
    low: float | None
    high: float | None
    suppressed: bool = False


@dataclass
class Perception:
    territory: Territory
    year: int
    waves: int
    victims: Share
    not_reporting: Share
    multiplier: Multiplier
    # Official rates shown beside the panel's answers: (what is counted, rate).
    official: list[tuple[str, Rate]] = field(default_factory=list)

    @property
    def suppressed(self) -> bool:
        return self.victims.suppressed and self.not_reporting.suppressed


def share(count: int, n: int) -> Share:
    """``count`` of ``n`` answers, suppressed below MIN_CELL_SIZE answers."""
    if n < settings.MIN_CELL_SIZE:
        # Nothing of a small cell is shown, not even its count: the page is public.
        return Share(n=0, count=None, suppressed=True)
    low, high = wilson(count, n)
    return Share(n=n, count=count, percent=count / n * 100, ci_low=low, ci_high=high)


def multiplier(reported: int, victims_answering: int) -> Multiplier:
    """1 / share reporting with the interval from the share's Wilson bounds.

    A higher reporting share means a smaller multiplier, so the bounds swap: the
    upper bound of the share gives the lower bound of the multiplier. When no
    victim reported, the share's lower bound is 0 and the multiplier has no
    upper bound (and no value).
    """
    if victims_answering < settings.MIN_CELL_SIZE:
        return Multiplier(None, None, None, suppressed=True)
    low, high = wilson(reported, victims_answering)
    value = victims_answering / reported if reported else None
    return Multiplier(
        value=value,
        low=100 / high if high else None,
        high=100 / low if low else None,
    )


def for_territories(territories: Iterable[Territory], year: int) -> dict[int, Perception]:
    """The comparison for each of these territories that has panel answers in ``year``.

    One query, whatever the number of territories and waves.
    """
    by_pk = {territory.pk: territory for territory in territories}
    if not by_pk:
        return {}
    rows = Aggregate.objects.filter(
        territory_id__in=list(by_pk),
        item_code__in=[VICTIM_ITEM, REPORT_ITEM],
        # Closed waves only, as on the panel pages: an open wave's figures still move.
        wave__status=WaveStatus.CLOSED,
        period__gte=datetime.date(year, 1, 1),
        period__lte=datetime.date(year, 12, 31),
    ).values_list("territory_id", "item_code", "wave_id", "n", "counts")
    sums: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    parts: dict[tuple[int, str], list[int]] = defaultdict(list)
    waves: dict[int, set[int]] = defaultdict(set)
    for territory_id, item_code, wave_id, n, counts in rows:
        totals = sums[(territory_id, item_code)]
        parts[(territory_id, item_code)].append(n)
        totals[0] += n
        totals[1] += int(counts.get(YES, 0))
        totals[2] += int(counts.get(NO, 0))
        waves[territory_id].add(wave_id)
    found = {}
    for pk in waves:
        victim_n, victims, _no = sums[(pk, VICTIM_ITEM)]
        report_n, reported, not_reported = sums[(pk, REPORT_ITEM)]
        # The year's sums are of wave cells each published on their panel's pages: a
        # sum is shown only when the cells withheld there cannot be had by subtraction.
        victims_shown = sum_publishable(victim_n, parts[(pk, VICTIM_ITEM)])
        reports_shown = sum_publishable(report_n, parts[(pk, REPORT_ITEM)])
        found[pk] = Perception(
            territory=by_pk[pk],
            year=year,
            waves=len(waves[pk]),
            victims=share(victims, victim_n if victims_shown else 0),
            not_reporting=share(not_reported, report_n if reports_shown else 0),
            multiplier=multiplier(reported, report_n if reports_shown else 0),
        )
    return found


def for_territory(territory: Territory, year: int) -> Perception | None:
    return for_territories([territory], year).get(territory.pk)
