"""ISO-like period codes: 2024, 2024S1, 2024Q1, 2024-03, 2024W05, 2024-03-15.

DHIS2's spellings of the same periods are read too (202403, 2024W5, 20240315);
a half-year is written as DHIS2 writes it (2024S1 = January–June), which is
how a year published only to date (SESNSP's current year) is stored honestly.
"""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass

from convivencia.indicators.choices import PeriodType

_PATTERNS = [
    (re.compile(r"^(\d{4})$"), PeriodType.YEAR),
    (re.compile(r"^(\d{4})S([12])$"), PeriodType.SEMESTER),
    (re.compile(r"^(\d{4})Q([1-4])$"), PeriodType.QUARTER),
    (re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"), PeriodType.MONTH),
    (re.compile(r"^(\d{4})(0[1-9]|1[0-2])$"), PeriodType.MONTH),  # DHIS2 monthly: 202403
    (re.compile(r"^(\d{4})W([0-5]?\d)$"), PeriodType.WEEK),  # DHIS2 drops the zero: 2024W5
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), PeriodType.DAY),
    (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), PeriodType.DAY),  # DHIS2 daily: 20240315
]

# Finest first: when finer periods are summed into a coarser one, only one type is
# used, so that months and the quarters made of them are not added twice.
FINEST_FIRST = (
    PeriodType.DAY,
    PeriodType.WEEK,
    PeriodType.MONTH,
    PeriodType.QUARTER,
    PeriodType.SEMESTER,
    PeriodType.YEAR,
)


@dataclass(frozen=True)
class Period:
    code: str
    type: str
    start: datetime.date
    end: datetime.date  # inclusive

    @property
    def year(self) -> int:
        return self.start.year

    def contains(self, other: Period) -> bool:
        return self.start <= other.start and other.end <= self.end


def parse(text: str) -> Period:
    """Parse a period code; ValueError with a readable message otherwise."""
    return _parse(str(text))


# A file of 100,000 rows or a map of 13,000 totals names a few dozen distinct periods:
# parsing each code once (a Period is frozen, so sharing one is safe) removes most of
# the time both spend here. Bounded, since importers pass whatever text a file holds.
@functools.lru_cache(maxsize=4096)
def _parse(text: str) -> Period:
    code = text.strip().upper()
    for pattern, kind in _PATTERNS:
        match = pattern.match(code)
        if not match:
            continue
        year = int(match.group(1))
        if kind == PeriodType.YEAR:
            return Period(code, kind, datetime.date(year, 1, 1), datetime.date(year, 12, 31))
        if kind == PeriodType.SEMESTER:
            half = int(match.group(2))
            start = datetime.date(year, 6 * half - 5, 1)
            return Period(f"{year}S{half}", kind, start, _month_end(year, 6 * half))
        if kind == PeriodType.QUARTER:
            quarter = int(match.group(2))
            start = datetime.date(year, 3 * quarter - 2, 1)
            return Period(code, kind, start, _month_end(year, 3 * quarter))
        if kind == PeriodType.MONTH:
            month = int(match.group(2))
            return Period(
                f"{year}-{month:02d}", kind, datetime.date(year, month, 1), _month_end(year, month)
            )
        if kind == PeriodType.WEEK:
            week = int(match.group(2))
            try:
                start = datetime.date.fromisocalendar(year, week, 1)
            except ValueError as exc:
                raise ValueError(f"{text!r}: {year} has no ISO week {week}") from exc
            return Period(f"{year}W{week:02d}", kind, start, start + datetime.timedelta(days=6))
        try:
            day = datetime.date(year, int(match.group(2)), int(match.group(3)))
        except ValueError as exc:
            raise ValueError(f"{text!r} is not a calendar date") from exc
        return Period(day.isoformat(), kind, day, day)
    raise ValueError(
        f"{text!r} is not a period: use 2024, 2024S1, 2024Q1, 2024-03, 2024W05 or 2024-03-15"
    )


def _month_end(year: int, month: int) -> datetime.date:
    if month == 12:
        return datetime.date(year, 12, 31)
    return datetime.date(year, month + 1, 1) - datetime.timedelta(days=1)


def month(year: int, month_number: int) -> Period:
    return parse(f"{year}-{month_number:02d}")


def describe_span(period: Period) -> str:
    """“January–June 2025”: the months a period covers, for comments and warnings."""
    from django.utils.dates import MONTHS
    from django.utils.encoding import force_str

    first = force_str(MONTHS[period.start.month])
    last = force_str(MONTHS[period.end.month])
    if period.start.year != period.end.year:
        return f"{first} {period.start.year}–{last} {period.end.year}"
    if first == last:
        return f"{first} {period.start.year}"
    return f"{first}–{last} {period.start.year}"
