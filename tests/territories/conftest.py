from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from convivencia.territories.models import (
    Boundary,
    Population,
    Territory,
    TerritoryCode,
    TerritoryName,
)
from tests.datafiles import shared_data

DIVIPOLA_FILE = "co/divipola_mgn2018_municipios.csv"


def run(*args: str | Path) -> str:
    """Run a management command in English and return what it printed."""
    out = StringIO()
    with translation.override("en"):
        call_command(*[str(arg) for arg in args], stdout=out)
    return out.getvalue()


def database_counts() -> dict[str, int]:
    """Rows per territory table: equal before and after means nothing was written."""
    return {
        model.__name__: model.objects.count()
        for model in (Territory, TerritoryCode, TerritoryName, Population, Boundary)
    }


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English, whatever LANGUAGE_CODE says."""
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
def colombia(db) -> Path:
    """Colombia's departments and municipalities, from the real DIVIPOLA file."""
    path = shared_data(DIVIPOLA_FILE)
    run("import_territories", "divipola", path)
    return path
