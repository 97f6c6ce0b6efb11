"""bench/load/: the locustfile loads under locust, and the report names every missed target.

The load test itself runs for minutes against gunicorn and PostgreSQL, outside the suite.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from defusedxml.ElementTree import fromstring

from tests.datafiles import PROJECT_ROOT

LOAD_DIR = PROJECT_ROOT / "bench" / "load"


def load_module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"bench_load_{name}", LOAD_DIR / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_locust_loads_the_locustfile_and_finds_the_four_kinds_of_people():
    # In its own process: importing locust patches the standard library for gevent.
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "locust"),
            "-f",
            str(LOAD_DIR / "locustfile.py"),
            "--list",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert set(result.stdout.split()) >= {"Visitor", "Analyst", "Provider", "Enumerator"}


def test_an_instance_carries_its_respondent_answers_and_instance_id():
    instances = load_module("instances")
    root = fromstring(
        instances.instance_xml("L00007", "2026-12-06T10:00:00.000-05:00", "uuid:1234")
    )
    assert root.findtext("respondent") == "L00007"
    assert root.findtext("grupo_confianza/B18") == instances.ANSWERS["B18"]
    assert root.findtext("meta/instanceID") == "uuid:1234"


def summary(**changes: object) -> dict:
    endpoint = {
        "method": "GET",
        "name": "/",
        "requests": 100,
        "errors": 0,
        "median_ms": 40.0,
        "p95_ms": 120.0,
        "max_ms": 200.0,
        "rps": 5.0,
    }
    base = {
        "started": "2026-12-06T21:00:00+00:00",
        "settings": "scale demo",
        "endpoints": [endpoint, {**endpoint, "name": "Aggregated", "method": "", "p95_ms": 900.0}],
        "submissions": {"sent": 10, "stored": 10, "missing": 0, "duplicated": 0},
        "freshness": {"samples": 5, "median_s": 0.1, "p95_s": 0.2, "max_s": 0.2, "problems": []},
        "import": None,
    }
    return {**base, **changes}


def test_a_run_within_every_target_misses_none_and_writes_both_reports(tmp_path):
    run = load_module("run")
    assert run.write_report(tmp_path, summary()) == []
    assert "| GET / | 100 | 0 | 40 | 120 |" in (tmp_path / "report.md").read_text()
    assert (tmp_path / "report.json").exists()


def test_a_slow_endpoint_an_error_and_a_lost_submission_are_each_named(tmp_path):
    run = load_module("run")
    slow = {
        "method": "GET",
        "name": "/api/v1/interventions/",
        "requests": 50,
        "errors": 2,
        "median_ms": 90.0,
        "p95_ms": 1000.0,
        "max_ms": 1200.0,
        "rps": 2.0,
    }
    missed = run.write_report(
        tmp_path,
        summary(
            endpoints=[slow],
            submissions={"sent": 10, "stored": 9, "missing": 1, "duplicated": 0},
        ),
    )
    assert missed == [
        "GET /api/v1/interventions/: p95 1000 ms",
        "GET /api/v1/interventions/: 2 errors",
        "OpenRosa: sent 10, stored 9",
    ]
