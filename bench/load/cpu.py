"""Where the machine's CPU went while the load ran: web server, database, generator, others.

A load test on one machine shares its cores between the server it measures and everything
that drives it. Queueing (a p95 far above the median) follows from how busy the cores are,
so the report says who kept them busy: read from ``/proc`` through psutil once a second,
each process's CPU time counted from when the ledger started (or from when the process
appeared) to the end (or to the last time it was seen, for processes that ended).
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Callable

import psutil

ROLES = (
    "web (gunicorn)",
    "PostgreSQL",
    "job worker",
    "load generator (locust)",
    "this script (freshness probe)",
    "Redis",
    "other processes",
)


class Ledger(threading.Thread):
    """Samples every process's CPU time until ``stop`` is set; ``summary()`` afterwards.

    ``web`` and ``worker`` are the process groups of gunicorn and of the job worker
    (both started in sessions of their own).
    """

    def __init__(self, web: int, worker: int, stop: threading.Event, interval: float = 1.0):
        super().__init__(daemon=True)
        self.groups = {web: ROLES[0], worker: ROLES[2]}
        self.stop = stop
        self.interval = interval
        self.first: dict[int, float] = {}
        self.last: dict[int, tuple[str, float]] = {}
        self.started = time.monotonic()
        self.ended = self.started
        self.machine_start = _busy()
        self.machine_end = self.machine_start
        self._sample(first=True)

    def run(self) -> None:
        while not self.stop.wait(self.interval):
            self._sample()
        self._sample()
        self.ended = time.monotonic()
        self.machine_end = _busy()

    def _sample(self, first: bool = False) -> None:
        for proc in psutil.process_iter(["pid", "name", "cmdline", "cpu_times"]):
            try:
                times = proc.info["cpu_times"]
                if times is None:
                    continue
                used = times.user + times.system
                role = self._role(proc)
            except (psutil.NoSuchProcess, psutil.AccessDenied, ProcessLookupError):
                continue
            pid = proc.info["pid"]
            if first:
                self.first[pid] = used
            self.last[pid] = (role, used)

    def _role(self, proc: psutil.Process) -> str:
        pid = proc.info["pid"]
        if pid == os.getpid():
            return ROLES[4]
        try:
            group = os.getpgid(pid)
        except ProcessLookupError:
            group = None
        if group in self.groups:
            return self.groups[group]
        name = proc.info["name"] or ""
        command = " ".join(proc.info["cmdline"] or [])
        checks: list[tuple[Callable[[], bool], str]] = [
            (lambda: name.startswith("postgres"), ROLES[1]),
            (lambda: "locust" in command, ROLES[3]),
            (lambda: name.startswith("redis"), ROLES[5]),
        ]
        return next((role for check, role in checks if check()), ROLES[6])

    def summary(self) -> dict[str, object]:
        seconds = max(self.ended - self.started, 1e-9)
        used: Counter[str] = Counter()
        for pid, (role, total) in self.last.items():
            used[role] += total - self.first.get(pid, 0.0)
        return {
            "seconds": round(seconds, 1),
            "cores": psutil.cpu_count() or 1,
            "machine_busy_cores": round((self.machine_end - self.machine_start) / seconds, 2),
            "by_role_cores": {role: round(used[role] / seconds, 2) for role in ROLES},
        }


def _busy() -> float:
    """CPU seconds the whole machine spent not idle, since boot."""
    times = psutil.cpu_times()
    # Linux counts guest time inside user time already: the named fields, not sum().
    fields = ("user", "nice", "system", "irq", "softirq", "steal")
    return sum(getattr(times, field, 0.0) for field in fields)


def describe(summary: dict[str, object]) -> str:
    """One sentence for the report."""
    roles = summary["by_role_cores"]
    assert isinstance(roles, dict)
    parts = ", ".join(f"{role} {cores:.2f}" for role, cores in roles.items())
    return (
        f"CPU while the load ran ({summary['seconds']} s; cores busy, of "
        f"{summary['cores']}): {parts}; the machine as a whole {summary['machine_busy_cores']:.2f}."
    )
