"""What every benchmark script writes with ``--json FILE``, for ``bench/run.py``.

A script records its measures as it goes; the file holds a JSON list of

    {"benchmark", "measure", "unit", "runs", "median", "p95", "baseline_median",
     "ratio", "notes"}

ratio = median / baseline_median, whatever the unit: for a time lower is better,
for a throughput ("answers/s") higher is better, and ``notes`` always begins by
saying which. The file is rewritten after every measure, so a script that fails
half-way leaves what it measured before failing.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

FIELDS = (
    "benchmark",
    "measure",
    "unit",
    "runs",
    "median",
    "p95",
    "baseline_median",
    "ratio",
    "notes",
)
Better = Literal["lower", "higher"]


def _finite(name: str, value: float | None, *, positive: bool = False) -> None:
    if value is None:
        return
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        wanted = "a positive number" if positive else "a number ≥ 0"
        raise ValueError(f"{name} must be {wanted}, not {value!r}")


@dataclass(frozen=True)
class Measure:
    """One figure of one benchmark, with its baseline from the same run when it has one."""

    benchmark: str
    measure: str
    unit: str
    runs: int
    median: float
    p95: float | None  # None for a figure made once (a whole import, a peak of memory)
    baseline_median: float | None  # None when nothing comparable was measured
    better: Better
    notes: str = ""

    def __post_init__(self) -> None:
        if not self.benchmark or not self.measure or not self.unit:
            raise ValueError(f"a measure needs a benchmark, a name and a unit: {self!r}")
        if self.better not in ("lower", "higher"):
            raise ValueError(f"better must be 'lower' or 'higher', not {self.better!r}")
        if self.runs < 1:
            raise ValueError(f"{self.measure}: runs must be at least 1, not {self.runs}")
        _finite(f"{self.measure}: median", self.median)
        _finite(f"{self.measure}: p95", self.p95)
        # A ratio to a baseline of zero means nothing: refuse it rather than write Infinity.
        _finite(f"{self.measure}: baseline_median", self.baseline_median, positive=True)

    @property
    def ratio(self) -> float | None:
        if self.baseline_median is None:
            return None
        return self.median / self.baseline_median

    def as_dict(self) -> dict[str, Any]:
        notes = f"{self.better} is better"
        if self.notes:
            notes = f"{notes}; {self.notes}"
        return {
            "benchmark": self.benchmark,
            "measure": self.measure,
            "unit": self.unit,
            "runs": self.runs,
            "median": self.median,
            "p95": self.p95,
            "baseline_median": self.baseline_median,
            "ratio": self.ratio,
            "notes": notes,
        }


class Recorder:
    """Collects one script's measures and keeps ``path`` (when given) up to date."""

    def __init__(self, benchmark: str, path: Path | None) -> None:
        self.benchmark = benchmark
        self.path = path
        self.measures: list[Measure] = []
        self._write()  # an empty list at once: the file exists even if nothing is measured

    def add(
        self,
        measure: str,
        *,
        unit: str,
        runs: int,
        median: float,
        p95: float | None,
        baseline_median: float | None,
        better: Better,
        notes: str = "",
    ) -> Measure:
        item = Measure(
            self.benchmark, measure, unit, runs, median, p95, baseline_median, better, notes
        )
        self.measures.append(item)
        self._write()
        return item

    def add_times(
        self,
        measure: str,
        samples: Sequence[float],
        baseline: Sequence[float] | None,
        *,
        p95: float,
        notes: str = "",
        unit: str = "ms",
    ) -> Measure:
        """Timed runs (lower is better) against the baseline's runs; ``p95`` as the
        script computes and prints it, so that the file and the printed line agree."""
        if not samples:
            raise ValueError(f"{measure}: no timed runs")
        return self.add(
            measure,
            unit=unit,
            runs=len(samples),
            median=statistics.median(samples),
            p95=p95,
            baseline_median=statistics.median(baseline) if baseline else None,
            better="lower",
            notes=notes,
        )

    def _write(self) -> None:
        if self.path is None:
            return
        rows = [item.as_dict() for item in self.measures]
        # allow_nan=False: NaN or Infinity would make a file other JSON readers refuse.
        text = json.dumps(rows, indent=2, ensure_ascii=False, allow_nan=False)
        temporary = self.path.with_name(self.path.name + ".part")
        temporary.write_text(text + "\n", encoding="utf-8")
        temporary.replace(self.path)


def add_json_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json",
        type=Path,
        metavar="FILE",
        help="also write the measures to FILE as JSON (see bench/report.py)",
    )


def read(path: Path) -> list[dict[str, Any]]:
    """A script's file, checked: a list of measures with exactly the fields above."""
    rows = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(rows, list):
        raise ValueError(f"{path}: expected a JSON list of measures")
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict) or set(row) != set(FIELDS):
            raise ValueError(f"{path}: measure {number} does not have the fields {FIELDS}")
    return rows
