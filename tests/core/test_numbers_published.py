"""Every numeric column of the published files in ``../shared/data``, read with the rule
its importer passes to ``core.numbers``, against the published totals or a recomputation.

The files write plain digits with a decimal point; the old readers and the new one must
agree on them to the unit, and the totals the importer tests use must come out.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from convivencia.core.numbers import parse_integer, parse_number
from convivencia.core.reading import read_grid, read_table
from tests.datafiles import shared_data

DANE_POPULATION_2024 = 52_695_952
WORLD_BANK_COLOMBIA_2024 = 52_886_363
POLICIA_HOMICIDES_2023 = 13_555


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize(
    "relative",
    [
        "co/dane_poblacion_municipal_2018_2024.csv",
        "co/dane_poblacion_municipal_2018_2024.xlsx",
    ],
)
def test_dane_population_adds_up_to_the_published_national_figure(db, relative):
    table = read_table(shared_data(relative), sheet="Hoja2" if relative.endswith("xlsx") else None)
    year_column = "anio" if "anio" in table.headers else "year"
    by_year: dict[int, int] = defaultdict(int)
    for row in table.rows:
        by_year[parse_integer(row.get(year_column))] += parse_integer(row.get("poblacion"))
    assert sorted(by_year) == list(range(2018, 2025))
    assert by_year[2024] == DANE_POPULATION_2024


def test_divipola_areas_read_with_the_area_rule_are_the_published_decimals():
    rows = csv_rows(shared_data("co/divipola_mgn2018_municipios.csv"))
    assert len(rows) == 1122
    for row in rows:
        text = row["area_km2"]
        assert parse_number(text, decimal="auto", ambiguous="decimal") == Decimal(text)
        assert parse_integer(row["anio_mgn"]) == int(row["anio_mgn"])
        if row["acto_creacion"].isdigit():
            assert parse_integer(row["acto_creacion"]) == int(row["acto_creacion"])


def test_the_policia_homicides_add_up_to_the_files_total_row(db):
    _file, grid = read_grid(shared_data("co/policia_homicidios_2023.xls"))
    header = next(i for i, row in enumerate(grid) if "CANTIDAD" in [c.strip() for c in row])
    quantity = [cell.strip() for cell in grid[header]].index("CANTIDAD")
    total_row = next(i for i, row in enumerate(grid) if row and row[0].strip() == "TOTAL")
    counted = sum(
        parse_integer(row[quantity]) for row in grid[header + 1 : total_row] if row[quantity]
    )
    assert parse_integer(grid[total_row][quantity]) == POLICIA_HOMICIDES_2023
    assert counted == POLICIA_HOMICIDES_2023


def test_sesnsp_states_add_up_to_the_national_rows_and_rates_read_as_published():
    states: dict[int, int] = defaultdict(int)
    national: dict[int, int] = {}
    for row in csv_rows(shared_data("mx/sesnsp_homicidio_doloso_victimas_estado_2015_2025.csv")):
        year, victims = parse_integer(row["n_year"]), parse_integer(row["n_victimas"])
        for column in ("rate", "implied_pop"):
            if row[column]:
                assert parse_number(row[column], decimal="auto") == Decimal(row[column])
        if row["cve_ent"] == "00":
            national[year] = victims
        else:
            states[year] += victims
    assert national and dict(states) == national


def test_conapo_population_reads_as_its_digits_and_sums_the_same():
    rows = csv_rows(shared_data("mx/conapo_poblacion_estatal_2015_2030.csv"))
    for column in ("n_year", "pob_start_year", "pob_mid_year"):
        parsed = [parse_integer(row[column]) for row in rows]
        assert parsed == [int(row[column]) for row in rows]
    assert sum(parse_integer(row["pob_mid_year"]) for row in rows) > 100_000_000


def test_world_bank_population_reads_as_its_digits_and_gives_colombias_2024_figure():
    rows = csv_rows(shared_data("world/worldbank_population.csv"))
    values = {}
    for row in rows:
        assert parse_integer(row["Year"]) == int(row["Year"])
        if row["Value"]:
            values[row["Country Code"], int(row["Year"])] = parse_integer(row["Value"])
            assert values[row["Country Code"], int(row["Year"])] == int(float(row["Value"]))
    assert values["COL", 2024] == WORLD_BANK_COLOMBIA_2024
