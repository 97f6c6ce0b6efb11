"""Time one or more pages of a running site, one request after another: median and p95.

    .venv/bin/python bench/load/probe.py --base http://127.0.0.1:8811 / /api/v1/interventions/

Used to look at the tails of single pages before and after a fix (``--runs`` requests per
page after ``--warmup`` unmeasured ones). ``--cold`` empties the cache named by ``CACHE_URL``
(a Redis URL) before every request, to time the first visit after a change.
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import time
from urllib.parse import urlsplit


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile (p95 of 100 values is the 95th smallest)."""
    ordered = sorted(values)
    rank = max(1, round(fraction * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def timed_get(base: str, path: str) -> tuple[int, float]:
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    started = time.perf_counter()
    try:
        # The TLS proxy in front of gunicorn would add this (SECURE_PROXY_SSL_HEADER).
        connection.request("GET", path, headers={"X-Forwarded-Proto": "https"})
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    return response.status, time.perf_counter() - started


def flush_cache(cache_url: str) -> None:
    import redis

    redis.Redis.from_url(cache_url).flushdb()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument(
        "--cold", metavar="REDIS_URL", help="empty this Redis database before every request"
    )
    args = parser.parse_args()
    for path in args.paths:
        for _ in range(args.warmup):
            timed_get(args.base, path)
        timings, statuses = [], set()
        for _ in range(args.runs):
            if args.cold:
                flush_cache(args.cold)
            status, seconds = timed_get(args.base, path)
            statuses.add(status)
            timings.append(seconds * 1000)
        print(
            f"{path:<40} {'cold' if args.cold else 'warm'}  n={args.runs}  "
            f"median {statistics.median(timings):7.1f} ms  "
            f"p95 {percentile(timings, 0.95):7.1f} ms  max {max(timings):7.1f} ms  "
            f"status {sorted(statuses)}"
        )


if __name__ == "__main__":
    main()
