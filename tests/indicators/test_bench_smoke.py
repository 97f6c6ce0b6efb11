"""bench/indicators.py on a tiny size, so that the benchmark cannot silently rot.

The benchmark is run by hand, rarely; these tests run its generator, its raw and
importer paths and every computation it times on 2 regions × 3 municipalities ×
2 years × 2 data elements, and check that the app's rates equal its baselines'.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from convivencia.indicators.models import DataValue, Extraction, Total
from tests.datafiles import PROJECT_ROOT

REGIONS, PER_REGION = 2, 3
MUNICIPALITIES = REGIONS * PER_REGION


def load_bench() -> ModuleType:
    """bench/indicators.py as a module (bench/ is scripts, not a package)."""
    name = "bench_indicators"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, PROJECT_ROOT / "bench" / "indicators.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # Registered before it runs: dataclasses look their module up while a class is made.
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def bench() -> ModuleType:
    return load_bench()


@pytest.fixture
def built(db, bench, tmp_path: Path):
    # import_values=1: one whole file (one element × one year) through the tidy importer.
    size = bench.Size(years=2, elements=2, import_values=1)
    result = bench.build(
        size, None, tmp_path, regions=REGIONS, per_region=PER_REGION, say=lambda _text: None
    )
    return size, result


def test_every_generated_value_is_stored_once_whichever_path_it_took(bench, built):
    size, result = built
    assert len(result.places.municipality_ids) == MUNICIPALITIES
    assert DataValue.objects.count() == size.values(MUNICIPALITIES) == 2 * 2 * 12 * 8 * 6
    [imported] = result.imports
    assert imported.values == MUNICIPALITIES * 12 * len(bench.DISAGGREGATIONS)
    assert result.bulk_values + imported.values == size.values(MUNICIPALITIES)
    # The raw insert timed beside the importer was rolled back: one extraction per file.
    assert Extraction.objects.count() == size.years * size.elements
    assert Total.objects.count() == MUNICIPALITIES * size.years * 12 * size.elements


def test_every_computation_gives_a_rate_for_every_municipality_and_period(bench, built):
    size, result = built
    year = bench.periods.parse(str(size.year_list[-1]))
    department = bench.largest_department(result.places)
    assert len(bench.national_map(result, year)) == MUNICIPALITIES
    assert len(bench.department_map(result, department, year)) == PER_REGION
    monthly = bench.department_trend(result, department, bench.month_periods(size))
    assert len(monthly) == 24
    assert all(rate.value is not None for rate in monthly.values())


def test_the_apps_rates_equal_the_baselines(bench, built):
    pytest.importorskip("pandas")
    size, result = built
    frames = bench.load_frames(result.places)
    assert len(frames.values) == size.values(MUNICIPALITIES)
    database = bench.duckdb_connection(frames)  # compared too when DuckDB is installed
    for item in bench.computations(result, size, frames, database):
        app = item.app()
        bench.assert_same(item.name, app, bench.expected_from_pandas(item.pandas()))
        if item.duckdb is not None:
            bench.assert_same(item.name, app, item.duckdb())


def test_a_wrong_rate_is_caught(bench, built):
    pytest.importorskip("pandas")
    size, result = built
    frames = bench.load_frames(result.places)
    [item, *_others] = bench.computations(result, size, frames, None)
    app = item.app()
    expected = bench.expected_from_pandas(item.pandas())
    territory = next(iter(expected))
    count, population, rate = expected[territory]
    expected[territory] = (count, population, rate * (1 + 1e-6))
    with pytest.raises(AssertionError):
        bench.assert_same(item.name, app, expected)
