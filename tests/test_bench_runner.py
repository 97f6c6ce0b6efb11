"""bench/run.py and bench/report.py, on stub benchmarks written to a temporary directory.

The real benchmarks build databases for minutes; these stubs take a fraction of a
second each, so the runner's own work (flags per scale, peak memory, failures,
both reports) is checked on every run of the suite. Of the real scripts, only
their source is read, to show each takes --json and every flag the runner gives it.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.datafiles import PROJECT_ROOT

BENCH_DIR = PROJECT_ROOT / "bench"

# A benchmark as the real ones are, through bench/report.py, at a size set by a flag.
STUB = """
import argparse, sys
sys.path.insert(0, {bench!r})
from report import Recorder, add_json_option

parser = argparse.ArgumentParser()
parser.add_argument("--size", type=int, default=1)
add_json_option(parser)
args = parser.parse_args()
recorder = Recorder("{name}", args.json)
held = b"x" * ({megabytes} * 2**20)  # written, so resident: the peak the runner must see
print("stub building", args.size, "rows")
recorder.add_times(f"lookup of {{args.size}} rows", [2.0, 4.0, 3.0], [1.0, 1.0, 2.0], p95=3.9,
                   notes="baseline: one SELECT | the same rows")
recorder.add("import", unit="answers/s", runs=1, median=500.0, p95=None,
             baseline_median=2000.0, better="higher", notes="one rate over the run")
if {fail}:
    raise RuntimeError("the stub's check failed")
print("stub done")
"""


# bench/run.py in a process of its own, as `make bench` runs it, with the stubs as its
# benchmarks. Not in the test's process: a child's peak memory counts its parent's
# at the fork, small for the runner but not for pytest with Django loaded.
HARNESS = """
import json, sys
from pathlib import Path
sys.path.insert(0, {bench!r})
import run

run.BENCHMARKS = {{
    name: run.Benchmark(name, Path(script), {{"small": ("--size", "3"),
                                             "national": ("--size", "1000")}})
    for name, script in json.loads(sys.argv[1]).items()
}}
sys.exit(run.main(sys.argv[2:]))
"""


def load(name: str) -> ModuleType:
    """A bench/ script as a module (bench/ is scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(name, BENCH_DIR / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    # run.py imports report.py by name, as it does when run as a script from bench/.
    monkeypatch.syspath_prepend(str(BENCH_DIR))
    monkeypatch.delitem(sys.modules, "report", raising=False)
    return load("run")


def stub(directory: Path, name: str, *, megabytes: int = 1, fail: bool = False) -> Path:
    script = directory / f"{name}.py"
    script.write_text(
        STUB.format(bench=str(BENCH_DIR), name=name, megabytes=megabytes, fail=fail),
        encoding="utf-8",
    )
    return script


def run(directory: Path, stubs: list[Path], *arguments: str) -> subprocess.CompletedProcess:
    harness = directory / "harness.py"
    harness.write_text(HARNESS.format(bench=str(BENCH_DIR)), encoding="utf-8")
    scripts = json.dumps({script.stem: str(script) for script in stubs})
    # The stubs need no database; the suite's own (PostgreSQL in CI's second pass) would
    # only make the runner ask the server its version.
    environment = {name: value for name, value in os.environ.items() if name != "DATABASE_URL"}
    return subprocess.run(
        [sys.executable, str(harness), scripts, *arguments],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_runner_writes_each_measure_with_its_scripts_peak_memory_and_machine(tmp_path):
    stubs = [stub(tmp_path, "small_one"), stub(tmp_path, "large_one", megabytes=120)]
    output = tmp_path / "out"
    done = run(tmp_path, stubs, "--output", str(output))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "stub building 3 rows" in done.stdout  # the script's output, echoed

    written = json.loads((output / "report.json").read_text(encoding="utf-8"))
    assert written["scale"] == "small"
    machine = written["machine"]
    assert machine["cores"] == os.cpu_count()
    assert (
        machine["python"] == f"{sys.version_info.major}.{sys.version_info.minor}."
        f"{sys.version_info.micro}"
    )
    assert machine["sqlite"].count(".") == 2
    assert machine["postgresql"] is None
    assert len(machine["git_commit"]) == 40
    assert machine["date"].endswith("+00:00")
    assert len(machine["load_average_end"]) == 3

    assert [b["status"] for b in written["benchmarks"]] == ["ok", "ok"]
    by_name = {b["name"]: b for b in written["benchmarks"]}
    # The 120 MB the large stub holds is its own, not the runner's nor the other stub's.
    assert by_name["large_one"]["peak_memory_mb"] >= 120
    assert by_name["small_one"]["peak_memory_mb"] < 60
    assert by_name["small_one"]["command"].endswith("small_one.py --size 3")

    lookup, throughput = [m for m in written["measures"] if m["benchmark"] == "small_one"]
    assert lookup == {
        "benchmark": "small_one",
        "measure": "lookup of 3 rows",
        "unit": "ms",
        "runs": 3,
        "median": 3.0,
        "p95": 3.9,
        "baseline_median": 1.0,
        "ratio": 3.0,
        "notes": "lower is better; baseline: one SELECT | the same rows",
        "script_peak_memory_mb": by_name["small_one"]["peak_memory_mb"],
        "script_wall_seconds": by_name["small_one"]["wall_seconds"],
    }
    assert throughput["ratio"] == 0.25
    assert throughput["p95"] is None
    assert throughput["notes"].startswith("higher is better")

    markdown = (output / "report.md").read_text(encoding="utf-8")
    assert markdown.startswith("# Benchmarks, scale small")
    assert "## small_one" in markdown and "## large_one" in markdown
    # A pipe in a note would split the table's row.
    assert (
        "| lookup of 3 rows | ms | 3 | 3.00 | 3.90 | 1.00 | 3.00 | lower is better; "
        "baseline: one SELECT \\| the same rows |"
    ) in markdown
    assert "| import | answers/s | 1 | 500.0 | — | 2,000 | 0.25 |" in markdown


def test_the_scale_and_only_choose_the_scripts_and_their_flags(tmp_path):
    stubs = [stub(tmp_path, "first"), stub(tmp_path, "second")]
    done = run(
        tmp_path, stubs, "--scale", "national", "--only", "second", "--output", str(tmp_path)
    )
    assert done.returncode == 0, done.stdout + done.stderr
    written = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert [b["name"] for b in written["benchmarks"]] == ["second"]
    assert written["measures"][0]["measure"] == "lookup of 1000 rows"


def test_a_failing_script_is_reported_with_its_last_lines_and_the_runner_exits_non_zero(tmp_path):
    stubs = [stub(tmp_path, "broken", fail=True), stub(tmp_path, "fine")]
    done = run(tmp_path, stubs, "--output", str(tmp_path))
    assert done.returncode == 1
    assert "FAILED: broken" in done.stdout

    written = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    broken, fine = written["benchmarks"]
    assert broken["status"] == "failed" and broken["error"] == "exit code 1"
    assert broken["output_tail"][-1] == "RuntimeError: the stub's check failed"
    assert fine["status"] == "ok" and fine["output_tail"] is None
    # What it measured before failing is kept.
    assert broken["measures"] == 2
    markdown = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "## broken (failed)" in markdown
    assert "RuntimeError: the stub's check failed" in markdown


def test_a_script_that_exits_cleanly_without_measures_is_a_failure(tmp_path):
    script = tmp_path / "silent.py"
    script.write_text("print('nothing measured')\n", encoding="utf-8")
    assert run(tmp_path, [script], "--output", str(tmp_path)).returncode == 1
    written = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert written["benchmarks"][0]["error"] == "it wrote no silent.json"


def test_a_database_url_of_another_kind_is_refused(runner, capsys):
    with pytest.raises(SystemExit):
        runner.main(["--database-url", "mysql://root@localhost/bench"])
    assert "expected a sqlite:/// or postgresql:// URL" in capsys.readouterr().err


def test_small_figures_keep_two_significant_digits(runner):
    assert [runner.figure(value) for value in (12_345.6, 12.34, 1.234, 0.0037, 0.0, None)] == [
        "12,346",
        "12.3",
        "1.23",
        "0.0037",
        "0.00",
        "—",
    ]


def test_a_password_never_reaches_the_report(runner):
    assert (
        runner.without_password("postgresql://bench:secret@db.example:5432/bench")
        == "postgresql://bench:***@db.example:5432/bench"
    )


def test_a_measure_says_which_way_is_better_and_refuses_a_ratio_to_nothing(runner, tmp_path):
    report = sys.modules["report"]
    path = tmp_path / "measures.json"
    recorder = report.Recorder("bench", path)
    assert json.loads(path.read_text(encoding="utf-8")) == []
    recorder.add(
        "memory", unit="MB", runs=1, median=5.0, p95=None, baseline_median=None, better="lower"
    )
    assert report.read(path)[0]["ratio"] is None  # written at once, before the next measure
    with pytest.raises(ValueError, match="baseline_median must be a positive number"):
        recorder.add(
            "export", unit="ms", runs=1, median=5.0, p95=None, baseline_median=0.0, better="lower"
        )
    with pytest.raises(ValueError, match="better must be 'lower' or 'higher'"):
        recorder.add(
            "export", unit="ms", runs=1, median=5.0, p95=None, baseline_median=1.0, better="faster"
        )
    with pytest.raises(ValueError, match="median must be a number"):
        recorder.add_times("export", [float("nan")], [1.0], p95=1.0)
    assert len(report.read(path)) == 1


def declared_options(script: Path) -> set[str]:
    """The options a script's argparse parser declares, read from its source: running
    even ``--help`` would cost each script its Django and pandas imports."""
    options = set()
    for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute | ast.Name):
            continue
        called = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
        if called == "add_argument":
            options |= {arg.value for arg in node.args if isinstance(arg, ast.Constant)}
        elif called == "add_json_option":
            options.add("--json")
    return options


def test_every_real_benchmark_takes_json_and_the_flags_of_each_scale(runner):
    assert set(runner.BENCHMARKS) == {"territories", "evidence", "panels", "indicators", "reports"}
    for name, benchmark in runner.BENCHMARKS.items():
        flags = {
            flag
            for scale in runner.SCALES
            for flag in benchmark.flags[scale]
            if flag.startswith("--")
        }
        assert flags | {"--json"} <= declared_options(benchmark.script), name


def test_the_options_of_a_script_are_read_from_its_source(tmp_path):
    script = tmp_path / "script.py"
    script.write_text(
        "parser.add_argument('--quick', action='store_true')\nadd_json_option(parser)\n",
        encoding="utf-8",
    )
    assert declared_options(script) == {"--quick", "--json"}
