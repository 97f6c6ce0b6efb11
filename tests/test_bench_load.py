"""bench/load/: the locustfile loads under locust, and the report names every missed target.

The load test itself runs for minutes against gunicorn and PostgreSQL, outside the suite.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import threading
from pathlib import Path
from types import ModuleType

import pytest
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
        "OpenRosa: sent 10, stored 9, not acknowledged 0",
    ]


def test_a_submission_the_server_never_acknowledged_misses_the_target(tmp_path):
    run = load_module("run")
    checks = {"sent": 10, "stored": 10, "missing": 0, "duplicated": 0, "not_acknowledged": 1}
    missed = run.write_report(tmp_path, summary(submissions={**checks, "sent_again": 1}))
    assert missed == ["OpenRosa: sent 10, stored 10, not acknowledged 1"]
    assert "sent again after the run because the time limit cut them off unanswered: 1" in (
        (tmp_path / "report.md").read_text()
    )


def test_the_last_answer_to_each_submission_is_the_one_counted(tmp_path):
    run = load_module("run")
    answered = tmp_path / "answered.txt"
    answered.write_text("uuid:a 201\nuuid:b 500\nuuid:b 202\n\n")
    assert run._answers(answered) == {"uuid:a": "201", "uuid:b": "202"}
    assert run._answers(tmp_path / "none.txt") == {}


def test_freshness_is_summarised_per_way_in_and_overall_by_the_later_of_api_and_page():
    run = load_module("run")
    samples = [
        {"channel": "openrosa", "api_s": 0.05, "page_s": 0.20, "api_reads": 1, "page_reads": 1},
        {"channel": "web", "api_s": 0.30, "page_s": 0.10, "api_reads": 2, "page_reads": 1},
        {"channel": "file", "api_s": 0.04, "page_s": 0.06, "api_reads": 1, "page_reads": 1},
    ]
    fresh = run.freshness_summary(samples, [])
    assert fresh["samples"] == 3
    assert fresh["median_s"] == 0.20  # of 0.20, 0.30, 0.06
    assert fresh["max_s"] == 0.30
    assert fresh["counted_on_first_read"] == 2
    assert fresh["by_channel"]["web"]["api"]["median_s"] == 0.30
    assert fresh["by_channel"]["file"]["page"]["p95_s"] == 0.06


def test_a_slow_freshness_probe_misses_the_target_and_the_report_lists_each_way_in(tmp_path):
    run = load_module("run")
    samples = [{"channel": "web", "api_s": 0.1, "page_s": 1.4, "api_reads": 1, "page_reads": 3}]
    missed = run.write_report(tmp_path, summary(freshness=run.freshness_summary(samples, [])))
    assert len(missed) == 1 and missed[0].startswith("freshness:")
    assert "| web | 1 | 0.100 | 0.100 | 1.400 | 1.400 |" in (tmp_path / "report.md").read_text()


def test_the_dashboard_retention_row_gives_the_wave_answered_count():
    run = load_module("run")
    html = """<tbody>
        <tr>
          <th scope="row">2026-11</th>
          <td>Cerrada</td>
          <td class="num">50</td>
          <td class="num">47</td>
        </tr>
        <tr>
          <th scope="row">2026-12</th>
          <td>Abierta</td>
          <td class="num">1000</td>
          <td class="num">12</td>"""
    rows = {row["wave"]: int(row["answered"]) for row in run.RETENTION_ROW.finditer(html)}
    assert rows == {"2026-11": 47, "2026-12": 12}


def test_the_national_build_names_every_part_and_its_constants_match_the_issue():
    national = load_module("national")
    assert national.LEADERS == 50 and national.WAVES == 36
    if not national.DIVIPOLA_FILE.exists():
        pytest.skip(f"the shared data is absent: {national.DIVIPOLA_FILE}")
    assert national.municipality_count() == 1122  # the real DIVIPOLA table
    elements, years = national.CRIME_ELEMENTS, len(national.CRIME_YEARS)
    # 10 elements × 10 years × 12 months × 8 disaggregations for the 1,109 non-demo places.
    assert elements * years * 12 * 8 * (1122 - 13) == 10_646_400


def test_the_cpu_ledger_counts_a_busy_process_group_as_the_web_server_and_the_report_says_so(
    tmp_path,
):
    cpu = load_module("cpu")
    # A stand-in for gunicorn: a process in a session of its own, spinning for a second.
    busy = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time\nend = time.time() + 1.2\nwhile time.time() < end: pass",
        ],
        start_new_session=True,
    )
    stop = threading.Event()
    ledger = cpu.Ledger(web=busy.pid, worker=-1, stop=stop, interval=0.1)
    ledger.start()
    busy.wait(timeout=30)
    stop.set()
    ledger.join(timeout=30)
    figures = ledger.summary()
    assert set(figures["by_role_cores"]) == set(cpu.ROLES)
    # The spinner used most of a core for most of the ledger's time.
    assert figures["by_role_cores"]["web (gunicorn)"] > 0.3
    assert figures["machine_busy_cores"] >= figures["by_role_cores"]["web (gunicorn)"] * 0.8

    run = load_module("run")
    run.write_report(tmp_path, summary(cpu=figures))
    report = (tmp_path / "report.md").read_text()
    assert "CPU while the load ran" in report
    assert "web (gunicorn) " in report


def test_the_timeline_splits_the_run_into_windows_and_names_each_ones_slowest_request(tmp_path):
    run = load_module("run")
    path = tmp_path / "timeline.tsv"
    lines = [f"{1000 + second}.000\tGET /\t{10 + second}.0\t0" for second in range(20)]
    lines.append("1003.500\tPOST /accounts/login/ (POST)\t900.0\t0")
    lines.append("a broken line")
    path.write_text("\n".join(lines) + "\n")

    first, second = run.read_timeline(path, window=10)

    assert (first["from_s"], first["to_s"], first["requests"]) == (0, 10, 11)
    assert (first["max_ms"], first["slowest"]) == (900.0, "POST /accounts/login/ (POST)")
    assert (second["requests"], second["median_ms"], second["max_ms"]) == (10, 24.5, 29.0)
    assert run.read_timeline(tmp_path / "missing.tsv") == []
    report = tmp_path / "out"
    run.write_report(report, summary(timeline=[first, second]))
    assert "| 0–10 | 11 |" in (report / "report.md").read_text()
