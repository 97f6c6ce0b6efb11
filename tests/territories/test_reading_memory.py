"""Peak memory of refused files: the readers run in a fresh process that reports its peak.

A zip bomb (a few MB holding gigabytes of sheet XML) once took an import to 1.15 GB,
and a 200 MB CSV to 8.1 GB, before the server killed it. Here one subprocess reads a
tiny CSV (its baseline), then each hostile file with only the limits the case is
about left in the way. Before each read the process resets its peak resident memory
(``/proc/self/clear_refs``), then reports how far the peak rose above where it stood.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from convivencia.core.limits import MEGABYTE
from tests.territories.workbooks import MAIN, write_zip_bomb

# Peak resident memory, in MB: in all (Django with every app loaded is about 200 MB),
# and above where the process stood before the read.
ALLOWED_PEAK_MB = 400
ALLOWED_GROWTH_MB = 100

READER = """
import json, sys
from pathlib import Path
import django
django.setup()
from django.conf import settings
from convivencia.core.reading import BadFile, read_table
def memory(field):
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith(field + ":"))
    return int(line.split()[1]) // 1024
results = []
for case in json.loads(sys.argv[1]):
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")  # the peak (VmHWM) starts again from the current size
    before = memory("VmRSS")
    defaults = {name: getattr(settings, name) for name in case["limits"]}
    for name, value in case["limits"].items():
        setattr(settings, name, value)
    try:
        read_table(Path(case["path"]))
        message = "read"
    except BadFile as exc:
        message = exc.problems[0].message
    for name, value in defaults.items():
        setattr(settings, name, value)
    peak = memory("VmHWM")
    results.append({"message": message, "peak": peak, "growth": peak - before})
print(json.dumps(results))
"""


def zip_bomb(folder: Path) -> Path:
    """6 MB on disk, 1.1 GB of sheet XML: eight hundred thousand short rows, repeated."""
    path = folder / "bomb.xlsx"
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c><c><v>1</v></c></row>'
    size = write_zip_bomb(
        path,
        f'<worksheet xmlns="{MAIN}"><sheetData>'.encode(),
        row * 20_000,
        850,
        b"</sheetData></worksheet>",
    )
    assert size > 1000 * MEGABYTE and path.stat().st_size < 8 * MEGABYTE
    return path


def sparse_csv(folder: Path) -> Path:
    """250 MB to the reader, nothing on disk."""
    path = folder / "huge.csv"
    with path.open("wb") as out:
        out.truncate(250 * MEGABYTE)
    return path


def long_csv(folder: Path) -> Path:
    """90 MB of short rows: under the size limit, far over the row limit."""
    path = folder / "rows.csv"
    with path.open("wb") as out:
        out.write(b"code,name,value\n")
        block = b"19001,Popayan,1\n" * 65_536  # 1 MB
        for _megabyte in range(90):
            out.write(block)
    return path


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict[str, dict]:
    folder = tmp_path_factory.mktemp("memory")
    tiny = folder / "tiny.csv"
    tiny.write_text("code,name\n19001,Popayán\n", encoding="utf-8")
    bomb = zip_bomb(folder)
    cases = {
        "baseline": (tiny, {}),
        "bomb": (bomb, {}),
        "bomb within size": (bomb, {"IMPORT_MAX_UNPACKED_MB": 4000}),
        "bomb within size and ratio": (
            bomb,
            {"IMPORT_MAX_UNPACKED_MB": 4000, "IMPORT_MAX_ZIP_RATIO": 100_000},
        ),
        "huge csv": (sparse_csv(folder), {}),
        # The rows read before the limit are kept (a national file needs them all): a
        # lower limit keeps them few, so what is measured is not reading the rest.
        "long csv": (long_csv(folder), {"IMPORT_MAX_ROWS": 100_000}),
    }
    argument = json.dumps(
        [{"path": str(path), "limits": limits} for path, limits in cases.values()]
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "convivencia.settings",
        "DEBUG": "true",
        "VAR_DIR": str(folder / "var"),
        "LANGUAGE_CODE": "en",
    }
    finished = subprocess.run(
        [sys.executable, "-c", READER, argument],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    return dict(zip(cases, json.loads(finished.stdout), strict=True))


@pytest.mark.parametrize(
    ("case", "setting"),
    [
        ("bomb", "IMPORT_MAX_UNPACKED_MB"),
        ("bomb within size", "IMPORT_MAX_ZIP_RATIO"),
        ("bomb within size and ratio", "IMPORT_MAX_ROWS"),
        ("huge csv", "IMPORT_MAX_FILE_MB"),
        ("long csv", "IMPORT_MAX_ROWS"),
    ],
)
def test_a_hostile_file_is_refused_by_its_limit(results, case, setting):
    assert results["baseline"]["message"] == "read"
    assert setting in results[case]["message"]


@pytest.mark.parametrize(
    "case", ["bomb", "bomb within size", "bomb within size and ratio", "huge csv", "long csv"]
)
def test_no_refusal_costs_more_than_a_little_memory(results, case):
    assert results[case]["peak"] < ALLOWED_PEAK_MB, results[case]
    assert results[case]["growth"] < ALLOWED_GROWTH_MB, results[case]
