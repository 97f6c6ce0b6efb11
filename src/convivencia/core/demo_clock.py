"""The demo's clock: the synthetic demo is told against a calendar and shown against today.

The demo's story (a panel wave open this month, the last one closed last month, a dialogue
three months ago, commitments due next month…) is written on ``REFERENCE``'s calendar, where
the open wave is December 2024. When the demo is loaded, every synthetic date is moved by
the whole number of months between that month and today's, so the open wave is always the
current month and no figure looks two years old on the day the demo is shown.

"Today" is the local date, or the one a loader or a test sets with ``frozen(day)``, which
is what makes the demo and its tests deterministic.
"""

from __future__ import annotations

import calendar
import datetime
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils import timezone

# The day the demo's story was written for: its open wave is this month.
REFERENCE = datetime.date(2024, 12, 6)

_frozen: ContextVar[datetime.date | None] = ContextVar("demo_today", default=None)


def today() -> datetime.date:
    """The demo's today: the frozen day if one is set, else the local date."""
    return _frozen.get() or timezone.localdate()


@contextmanager
def frozen(day: datetime.date | None) -> Iterator[datetime.date]:
    """Build (or test) the demo as if today were ``day`` (None: the real today)."""
    token = _frozen.set(day)
    try:
        yield today()
    finally:
        _frozen.reset(token)


def months() -> int:
    """Whole months from the story's calendar to today's (24 when today is in Dec 2026)."""
    now = today()
    return (now.year - REFERENCE.year) * 12 + now.month - REFERENCE.month


def add_months(day: datetime.date, count: int) -> datetime.date:
    """The same day ``count`` months later; the 31st becomes the month's last day."""
    index = day.year * 12 + day.month - 1 + count
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))


def shift(day: datetime.date) -> datetime.date:
    """A date of the story, moved to today's calendar."""
    return add_months(day, months())


def shift_datetime(moment: datetime.datetime) -> datetime.datetime:
    """A moment of the story, moved to today's calendar (same time of day)."""
    return datetime.datetime.combine(shift(moment.date()), moment.timetz())


def years() -> int:
    """Whole years to move what the story counts in years (population, yearly rates)."""
    return months() // 12


_MONTH = re.compile(r"\b(20[0-3]\d)-(0[1-9]|1[0-2])\b")
_YEAR = re.compile(r"\b(20[0-3]\d)\b")


def retell(text: str) -> str:
    """A text of the story with its dates moved to today's calendar.

    Months written "2024-07" move by ``months()``, so they name the same waves as the
    stored data; bare years ("primer semestre de 2024", "PISCC 2024–2027") by ``years()``.
    """
    offset = months()

    def move_month(match: re.Match[str]) -> str:
        moved = add_months(datetime.date(int(match[1]), int(match[2]), 1), offset)
        return f"{moved:%Y-%m}"

    moved = _MONTH.sub(move_month, text)
    parts = _MONTH.split(moved)
    # Only the bare years outside the months just written.
    pieces = []
    for index in range(0, len(parts), 3):
        pieces.append(_YEAR.sub(lambda match: str(int(match[1]) + years()), parts[index]))
        if index + 2 < len(parts):
            pieces.append(f"{parts[index + 1]}-{parts[index + 2]}")
    return "".join(pieces)
