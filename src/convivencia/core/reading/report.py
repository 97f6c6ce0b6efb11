"""What an import reports: progress while it runs, and what it created, updated, skipped."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

Progress = Callable[[int, int, str], None]


def no_progress(done: int, total: int, message: str = "") -> None:
    """The progress callback of a run nobody watches."""


OUTCOMES = ("created", "updated", "unchanged")


@dataclass
class ImportReport:
    """What an import did, by level: created, updated, unchanged; and what it skipped."""

    counts: dict[str, Counter[str]] = field(default_factory=dict)
    skipped: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, label: StrOrPromise, outcome: str, count: int = 1) -> None:
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        self.counts.setdefault(str(label), Counter())[outcome] += count

    def skip(self, reason: str, count: int = 1) -> None:
        self.skipped[str(reason)] += count

    def total(self, outcome: str) -> int:
        return sum(counter[outcome] for counter in self.counts.values())

    @staticmethod
    def _summary(counter: Counter[str]) -> str:
        return _("created %(created)s, updated %(updated)s, unchanged %(unchanged)s") % {
            outcome: counter[outcome] for outcome in OUTCOMES
        }

    def lines(self) -> list[str]:
        lines = [f"{label}: {self._summary(counter)}" for label, counter in self.counts.items()]
        totals = Counter({outcome: self.total(outcome) for outcome in OUTCOMES})
        lines.append(_("Total: %s") % self._summary(totals))
        lines += [
            _("Skipped %(count)s: %(reason)s") % {"count": count, "reason": reason}
            for reason, count in self.skipped.items()
        ]
        lines += self.notes
        lines.append(_("Took %(seconds).1f s.") % {"seconds": self.seconds})
        return lines

    def as_dict(self) -> dict[str, Any]:
        """Flat, JSON-able: the job page lists it as key → value."""
        result: dict[str, Any] = {outcome: self.total(outcome) for outcome in OUTCOMES}
        for label, counter in self.counts.items():
            result[label] = self._summary(counter)
        for reason, count in self.skipped.items():
            result[_("skipped: %s") % reason] = count
        if self.notes:
            result["notes"] = " ".join(self.notes)
        result["seconds"] = round(self.seconds, 1)
        return result


def timed_write(write: Callable[[], ImportReport]) -> ImportReport:
    started = time.monotonic()
    report = write()
    report.seconds = time.monotonic() - started
    return report
