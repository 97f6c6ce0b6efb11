"""Run every benchmark in bench/ at one scale; write bench/report.json and bench/report.md.

    .venv/bin/python bench/run.py                         # --scale small: a few minutes
    .venv/bin/python bench/run.py --scale national        # full sizes: 33 min quiet, hours busy
    .venv/bin/python bench/run.py --only territories panels
    .venv/bin/python bench/run.py --database-url postgresql://postgres@127.0.0.1:5432/bench

Each script runs in its own process with the flags of the scale and ``--json``
(see ``bench/report.py``); the runner echoes its output, takes its wall time and
its peak memory (the child's ``ru_maxrss``, from ``os.wait4``), and collects its
measures. A script that fails is reported as failed with its last lines of
output and whatever it measured before failing; the runner goes on with the
others, writes both reports and exits with 1.
"""

from __future__ import annotations

import argparse
import collections
import datetime
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import report

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
SCALES = ("small", "national")
TAIL_LINES = 30  # of a failed script's output, in the reports


@dataclass(frozen=True)
class Benchmark:
    """A script in bench/ and its flags at each scale."""

    name: str
    script: Path
    flags: dict[str, tuple[str, ...]]

    def command(self, scale: str, json_file: Path) -> list[str]:
        return [sys.executable, str(self.script), *self.flags[scale], "--json", str(json_file)]

    def shown(self, scale: str) -> str:
        """The command as a person would type it (no interpreter path, no temporary file)."""
        script = (
            self.script.relative_to(PROJECT_ROOT)
            if self.script.is_relative_to(PROJECT_ROOT)
            else self.script
        )
        return " ".join(["python", str(script), *self.flags[scale]])


# small: each script's quick size, the whole run a few minutes on 2 cores;
# national: the sizes bench/README.md documents.
BENCHMARKS: dict[str, Benchmark] = {
    benchmark.name: benchmark
    for benchmark in (
        # 11,253 territories at both scales: the national tree takes seconds to build.
        Benchmark("territories", BENCH_DIR / "territories.py", {"small": (), "national": ()}),
        Benchmark(
            "evidence",
            BENCH_DIR / "evidence.py",
            {"small": ("--sizes", "1300"), "national": ("--sizes", "1300", "100000")},
        ),
        Benchmark(
            "panels",
            BENCH_DIR / "panels.py",
            {"small": ("--quick",), "national": ("--municipalities", "1122", "--waves", "36")},
        ),
        # The script's defaults are the national size: 10,771,200 values.
        Benchmark(
            "indicators", BENCH_DIR / "indicators.py", {"small": ("--quick",), "national": ()}
        ),
        # Both scales build three waves; national is every municipality of Colombia.
        Benchmark("reports", BENCH_DIR / "reports.py", {"small": ("--quick",), "national": ()}),
    )
}


@dataclass
class Outcome:
    """One script's run."""

    benchmark: Benchmark
    scale: str
    returncode: int
    wall_seconds: float
    peak_memory_mb: float
    tail: list[str]
    measures: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error

    def summary(self) -> dict[str, Any]:
        return {
            "name": self.benchmark.name,
            "command": self.benchmark.shown(self.scale),
            "status": "ok" if self.ok else "failed",
            "error": self.error or None,
            "returncode": self.returncode,
            "wall_seconds": round(self.wall_seconds, 1),
            "peak_memory_mb": round(self.peak_memory_mb, 1),
            "measures": len(self.measures),
            "output_tail": None if self.ok else self.tail,
        }


def run_one(
    benchmark: Benchmark, scale: str, directory: Path, environment: dict[str, str]
) -> Outcome:
    json_file = directory / f"{benchmark.name}.json"
    tail: collections.deque[str] = collections.deque(maxlen=TAIL_LINES)
    start = time.perf_counter()
    process = subprocess.Popen(
        benchmark.command(scale, json_file),
        cwd=PROJECT_ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert process.stdout is not None
    for raw in process.stdout:  # until the script closes its output, i.e. exits
        line = raw.decode("utf-8", errors="replace")
        sys.stdout.write(line)
        sys.stdout.flush()
        tail.append(line.rstrip("\n"))
    process.stdout.close()
    # os.wait4 rather than Popen.wait: it also gives this child's own resource usage. Its
    # ru_maxrss starts from the runner's resident size at the fork (Linux keeps the larger),
    # about 20 MB, far below any script that loads Django.
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = returncode = os.waitstatus_to_exitcode(status)
    outcome = Outcome(benchmark, scale, returncode, wall, usage.ru_maxrss / 1024, list(tail))

    if returncode < 0:
        outcome.error = f"killed by signal {-returncode}"
    elif returncode > 0:
        outcome.error = f"exit code {returncode}"
    try:
        outcome.measures = report.read(json_file)
    except FileNotFoundError:
        outcome.error = outcome.error or f"it wrote no {json_file.name}"
    except ValueError as problem:  # json.JSONDecodeError is a ValueError
        outcome.error = outcome.error or f"unreadable measures: {problem}"
    if not outcome.error and not outcome.measures:
        outcome.error = "it recorded no measure"
    return outcome


# The machine


def _cpu_model() -> str | None:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def _memory_mb() -> int | None:
    try:
        return round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20)
    except (ValueError, OSError):
        return None


def _git(*arguments: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *arguments],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip()


def without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def postgresql_version(url: str) -> str:
    """The server's version; the scripts work beside the named database, which may not exist."""
    import psycopg

    problem: Exception | None = None
    for database in (None, "postgres"):
        extra = {"dbname": database} if database else {}
        try:
            with psycopg.connect(url, connect_timeout=10, **extra) as connection:
                row = connection.execute("SHOW server_version").fetchone()
                return str(row[0]) if row else "unknown"
        except psycopg.Error as error:
            problem = error
    return f"unknown ({str(problem).strip().splitlines()[0] if problem else 'no answer'})"


def machine(database_url: str | None) -> dict[str, Any]:
    commit = _git("rev-parse", "HEAD")
    changes = _git("status", "--porcelain", "--untracked-files=no")
    on_postgresql = bool(database_url) and database_url.startswith(("postgres://", "postgresql://"))
    return {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "cores": os.cpu_count(),
        "cpu": _cpu_model(),
        "memory_mb": _memory_mb(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": postgresql_version(database_url) if on_postgresql else None,
        "database": without_password(database_url)
        if database_url
        else "SQLite, a temporary file per benchmark",
        "git_commit": commit,
        "git_uncommitted_changes": bool(changes) if changes is not None else None,
        "load_average_start": [round(value, 2) for value in os.getloadavg()],
    }


# The reports


def as_json(scale: str, about: dict[str, Any], outcomes: Sequence[Outcome]) -> dict[str, Any]:
    measures = [
        {
            **measure,
            "script_peak_memory_mb": round(outcome.peak_memory_mb, 1),
            "script_wall_seconds": round(outcome.wall_seconds, 1),
        }
        for outcome in outcomes
        for measure in outcome.measures
    ]
    return {
        "scale": scale,
        "machine": about,
        "benchmarks": [outcome.summary() for outcome in outcomes],
        "measures": measures,
    }


def figure(value: float | None) -> str:
    if value is None:
        return "—"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    if abs(value) >= 0.1 or value == 0:
        return f"{value:.2f}"
    # Two significant digits, so that a ratio of 0.004 does not read as 0.00.
    return f"{value:.2g}" if abs(value) >= 1e-4 else f"{value:.1e}"


def cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def as_markdown(scale: str, about: dict[str, Any], outcomes: Sequence[Outcome]) -> str:
    commit = (about["git_commit"] or "unknown")[:10]
    if about["git_uncommitted_changes"]:
        commit += " with uncommitted changes"
    memory = f", {about['memory_mb'] / 1024:.1f} GB" if about["memory_mb"] else ""
    lines = [
        f"# Benchmarks, scale {scale}",
        "",
        f"- {about['date']}, commit {commit}",
        f"- {about['cores']} cores ({about['cpu'] or 'unknown CPU'}){memory}; {about['platform']}",
        f"- Python {about['python']}, SQLite {about['sqlite']}"
        + (f", PostgreSQL {about['postgresql']}" if about["postgresql"] else ""),
        f"- database: {about['database']}",
        "- load average (1, 5, 15 min): "
        f"{', '.join(map(str, about['load_average_start']))} at the start, "
        f"{', '.join(map(str, about['load_average_end']))} at the end",
        "",
        "Ratio = median / baseline median, both measured in the same run. For a time "
        "lower is better; for a throughput (per second) higher is better. Absolute "
        "figures follow the machine's load; ratios much less.",
        "",
        "| benchmark | status | wall time | peak memory | measures |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for outcome in outcomes:
        status = "ok" if outcome.ok else f"**failed**: {outcome.error}"
        lines.append(
            f"| {outcome.benchmark.name} | {cell(status)} | "
            f"{figure(outcome.wall_seconds)} s | {figure(outcome.peak_memory_mb)} MB | "
            f"{len(outcome.measures)} |"
        )
    for outcome in outcomes:
        lines += [
            "",
            f"## {outcome.benchmark.name}" + ("" if outcome.ok else " (failed)"),
            "",
            f"`{outcome.benchmark.shown(scale)}`: {figure(outcome.wall_seconds)} s, "
            f"peak memory {figure(outcome.peak_memory_mb)} MB",
            "",
        ]
        if outcome.measures:
            lines += [
                "| measure | unit | runs | median | p95 | baseline | ratio | notes |",
                "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
            ]
            lines += [
                f"| {cell(m['measure'])} | {cell(m['unit'])} | {m['runs']} | "
                f"{figure(m['median'])} | {figure(m['p95'])} | {figure(m['baseline_median'])} | "
                f"{figure(m['ratio'])} | {cell(m['notes'])} |"
                for m in outcome.measures
            ]
        if not outcome.ok:
            lines += [
                "",
                f"Failed ({outcome.error}). Its last lines:",
                "",
                "```",
                *outcome.tail,
                "```",
            ]
    return "\n".join(lines) + "\n"


def write_reports(
    directory: Path, scale: str, about: dict[str, Any], outcomes: Sequence[Outcome]
) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    json_path, markdown_path = directory / "report.json", directory / "report.md"
    json_path.write_text(
        json.dumps(as_json(scale, about, outcomes), indent=2, ensure_ascii=False, allow_nan=False)
        + "\n",
        encoding="utf-8",
    )
    markdown_path.write_text(as_markdown(scale, about, outcomes), encoding="utf-8")
    return json_path, markdown_path


def database_url(value: str) -> str:
    if urlsplit(value).scheme not in ("sqlite", "postgres", "postgresql"):
        raise argparse.ArgumentTypeError(
            f"{value!r}: expected a sqlite:/// or postgresql:// URL (the databases Convivencia "
            "runs on)"
        )
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument(
        "--scale",
        choices=SCALES,
        default="small",
        help="small: minutes (default); national: the full sizes, half an hour to hours",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        action="extend",
        choices=list(BENCHMARKS),
        metavar="NAME",
        help=f"some of: {', '.join(BENCHMARKS)}",
    )
    parser.add_argument(
        "--database-url",
        type=database_url,
        metavar="URL",
        help="DATABASE_URL for every script (default: the environment's, "
        "else a temporary SQLite file); on PostgreSQL each script "
        "works in test_<name> beside the named database",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=BENCH_DIR,
        metavar="DIR",
        help="where report.json and report.md go (default: bench/)",
    )
    args = parser.parse_args(argv)

    chosen = [BENCHMARKS[name] for name in BENCHMARKS if not args.only or name in args.only]
    environment = dict(os.environ, PYTHONUNBUFFERED="1")
    if args.database_url:
        environment["DATABASE_URL"] = args.database_url
    about = machine(environment.get("DATABASE_URL"))
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="bench-run-") as directory:
        for number, benchmark in enumerate(chosen, start=1):
            print(
                f"\n== {number}/{len(chosen)} {benchmark.name}: {benchmark.shown(args.scale)}",
                flush=True,
            )
            outcome = run_one(benchmark, args.scale, Path(directory), environment)
            outcomes.append(outcome)
            print(
                f"== {benchmark.name}: {'ok' if outcome.ok else 'FAILED, ' + outcome.error}, "
                f"{outcome.wall_seconds:,.0f} s, peak memory {outcome.peak_memory_mb:,.0f} MB",
                flush=True,
            )
    about["load_average_end"] = [round(value, 2) for value in os.getloadavg()]
    json_path, markdown_path = write_reports(args.output, args.scale, about, outcomes)
    failed = [outcome.benchmark.name for outcome in outcomes if not outcome.ok]
    print(
        f"\nWrote {markdown_path} and {json_path}"
        + (f"; FAILED: {', '.join(failed)}" if failed else "")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
