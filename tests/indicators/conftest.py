"""Shared helpers for the crime-data import tests: territories from the real files,
commands run in English, and a copy of the Policía file to modify."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import cache
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import translation

from convivencia.accounts.models import AuditEntry
from convivencia.indicators.models import DataElement, DataValue, Extraction, Total
from tests.datafiles import shared_data

DIVIPOLA_FILE = "co/divipola_mgn2018_municipios.csv"
INEGI_STATES_FILE = "mx/inegi_estados.csv"
POLICIA_FILE = "co/policia_homicidios_2023.xls"
SESNSP_FILE = "mx/sesnsp_homicidio_doloso_victimas_estado_2015_2025.csv"


def run(*args: str | Path) -> str:
    """Run a management command in English and return what it printed."""
    out = StringIO()
    with translation.override("en"):
        call_command(*[str(arg) for arg in args], stdout=out)
    return out.getvalue()


def data_counts() -> dict[str, int]:
    """Rows per indicator table: equal before and after means nothing was written."""
    counts = {
        model.__name__: model.objects.count()
        for model in (DataElement, DataValue, Extraction, Total)
    }
    counts["imports audited"] = AuditEntry.objects.filter(action="import").count()
    return counts


@pytest.fixture
def english():
    """Messages are asserted in English, whatever LANGUAGE_CODE says (the import tests
    use it through ``pytestmark``; the other indicator tests are left as they are)."""
    with translation.override("en"):
        yield


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[..., Path]:
    """Write text (in an encoding) or bytes to a file in tmp_path and return its path."""

    def write(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        return path

    return write


@pytest.fixture
def divipola(db) -> Path:
    """Colombia's departments and municipalities, from the real DIVIPOLA file."""
    path = shared_data(DIVIPOLA_FILE)
    run("import_territories", "divipola", path)
    return path


@pytest.fixture
def inegi_states(db) -> Path:
    """Mexico's 32 states, from the real INEGI file."""
    path = shared_data(INEGI_STATES_FILE)
    run("import_territories", "inegi", path)
    return path


@pytest.fixture
def policia_file() -> Path:
    return shared_data(POLICIA_FILE)


@cache
def policia_grid(path: Path) -> tuple[tuple[Any, ...], ...]:
    """The Policía workbook's cells as Python values (dates as datetimes), read once."""
    import xlrd

    book = xlrd.open_workbook(str(path))
    sheet = book.sheet_by_index(0)
    grid = []
    for number in range(sheet.nrows):
        row = []
        for cell in sheet.row(number):
            if cell.ctype == xlrd.XL_CELL_DATE:
                row.append(xlrd.xldate_as_datetime(cell.value, book.datemode))
            else:
                row.append(cell.value)
        grid.append(tuple(row))
    return tuple(grid)


def policia_copy(
    source: Path,
    target: Path,
    *,
    change: dict[int, float] | None = None,
    total: float | None = None,
    footer: str | None = None,
) -> Path:
    """The Policía file rebuilt as .xlsx with the same layout (preamble, header, rows,
    TOTAL, footer), with some CANTIDAD cells (by 0-based sheet row), the TOTAL or the
    footer's first line changed."""
    import openpyxl

    grid = [list(row) for row in policia_grid(source)]
    quantity = next(i for i, cell in enumerate(grid[9]) if str(cell).strip() == "CANTIDAD")
    for row_index, value in (change or {}).items():
        grid[row_index][quantity] = value
    total_index = next(i for i, row in enumerate(grid) if row[0] == "TOTAL")
    if total is not None:
        grid[total_index][quantity] = total
    if footer is not None:
        grid[total_index + 1][0] = footer
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in grid:
        sheet.append([None if cell == "" else cell for cell in row])
    workbook.save(target)
    return target


def first_row_of(source: Path, code: str) -> tuple[int, datetime.datetime, float]:
    """(0-based row, date, quantity) of the first data row of a municipality."""
    for index, row in enumerate(policia_grid(source)):
        if index > 9 and str(row[6]).startswith(code):
            return index, row[3], row[7]
    raise LookupError(code)


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: a rolled-back test's data version could
    otherwise match a cached result of data that no longer exists."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
