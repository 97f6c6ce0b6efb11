"""The real public data files in ``../shared/data`` (beside the project root), for tests.

Tests that use them skip, saying so, where the directory is absent (a fresh
clone without the shared data).
"""

from __future__ import annotations

from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"


def shared_data(relative: str) -> Path:
    """The path of a shared data file, e.g. ``shared_data("co/divipola_mgn2018_municipios.csv")``;
    skips the calling test when the file is absent."""
    path = SHARED_DATA / relative
    if not path.is_file():
        pytest.skip(f"../shared/data not found: {path}")
    return path
