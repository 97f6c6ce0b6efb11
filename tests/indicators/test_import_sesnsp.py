"""SESNSP intentional homicide victims by Mexican state and year."""

from __future__ import annotations

import csv
from collections import defaultdict

import pytest
from django.core.management.base import CommandError

from convivencia.indicators import periods, rates
from convivencia.indicators.models import DataValue, Extraction, Total
from convivencia.territories.models import Territory
from tests.datafiles import shared_data
from tests.indicators.conftest import SESNSP_FILE, data_counts, run

pytestmark = pytest.mark.usefixtures("english")


def file_totals() -> tuple[dict[int, int], dict[int, int]]:
    """The file's state sums and national rows per year, read with the csv module."""
    states: dict[int, int] = defaultdict(int)
    national: dict[int, int] = {}
    with shared_data(SESNSP_FILE).open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            year, value = int(row["n_year"]), int(row["n_victimas"])
            if row["cve_ent"] == "00":
                national[year] = value
            else:
                states[year] += value
    return dict(states), national


@pytest.fixture
def imported(inegi_states) -> str:
    return run("import_crime", "sesnsp-mx", shared_data(SESNSP_FILE), "--through", "2025-06")


def test_national_totals_per_year_equal_the_file(imported):
    states, national = file_totals()
    assert states == national  # the file is consistent with itself
    stored: dict[str, float] = defaultdict(float)
    for period, value in DataValue.objects.values_list("period", "value"):
        stored[period] += value
    expected = {str(year): value for year, value in national.items() if year != 2025}
    expected["2025S1"] = national[2025]
    assert stored == expected
    assert stored["2024"] == 30_046
    extraction = Extraction.objects.get()
    assert extraction.total == sum(national.values())
    assert extraction.values == 32 * 11
    assert extraction.dataset == "sesnsp-mx:homicides"
    assert extraction.note == "Figures through June 2025."


def test_counts_up_the_tree_reach_the_national_figure(imported):
    mexico = Territory.objects.with_code("iso", "MX").get()
    element_id = DataValue.objects.first().element_id
    counted = rates.count(element_id, mexico, periods.parse("2024"), "prosecutor")
    assert counted.value == 30_046
    assert counted.territories == 32


def test_the_unfinished_year_is_stored_as_the_half_year_it_covers(imported):
    values = DataValue.objects.filter(period__startswith="2025")
    assert set(values.values_list("period", "period_type", "start", "end")) == {
        ("2025S1", "semester", periods.parse("2025S1").start, periods.parse("2025-06").end)
    }
    assert values.first().comment == (
        "January–June 2025 only: SESNSP publishes the current year to date."
    )
    assert not DataValue.objects.filter(period="2025").exists()
    assert not Total.objects.filter(period="2025").exists()
    assert "2025 is stored as 2025S1 (January–June 2025)" in imported


def test_the_figures_are_the_prosecutors_and_by_state(imported):
    assert set(DataValue.objects.values_list("source", flat=True)) == {"prosecutor"}
    assert set(DataValue.objects.values_list("territory__level", flat=True)) == {1}
    jalisco = Territory.objects.with_code("inegi", "14").get()
    assert DataValue.objects.get(territory=jalisco, period="2025S1").value == 692


def test_the_import_refuses_to_guess_how_far_the_last_year_runs(inegi_states):
    path = shared_data(SESNSP_FILE)
    before = data_counts()
    with pytest.raises(CommandError, match="say through which month the figures run"):
        run("import_crime", "sesnsp-mx", path)
    with pytest.raises(
        CommandError,
        match="the file's last year is 2025 but the figures are said to run through 2024-12",
    ):
        run("import_crime", "sesnsp-mx", path, "--through", "2024-12")
    with pytest.raises(CommandError, match="January–September 2025 cannot be stored as one period"):
        run("import_crime", "sesnsp-mx", path, "--through", "2025-09")
    assert data_counts() == before


def test_states_that_do_not_add_up_to_the_national_row_are_refused(inegi_states, write_file):
    path = write_file(
        "sesnsp.csv",
        (
            "n_year,cve_ent,nombre_estado,n_victimas\n"
            "2024,00,Nacional,100\n"
            "2024,01,Aguascalientes,40\n"
            "2024,02,Baja California,59\n"
        ),
    )
    with pytest.raises(CommandError) as refused:
        run("import_crime", "sesnsp-mx", path, "--through", "2024-12")
    assert (
        "sesnsp.csv, row 2, column “n_victimas”: the states add up to 99 in 2024 but the "
        "national row says 100"
    ) in str(refused.value)


def test_an_unknown_state_and_a_bad_number_are_listed_by_row_and_column(inegi_states, write_file):
    path = write_file(
        "sesnsp.csv",
        (
            "n_year,cve_ent,nombre_estado,n_victimas\n"
            "2024,01,Aguascalientes,40\n"
            "2024,33,Atlántida,5\n"
            "2024,02,Baja California,muchos\n"
        ),
    )
    before = data_counts()
    with pytest.raises(CommandError) as refused:
        run("import_crime", "sesnsp-mx", path, "--through", "2024-12")
    message = str(refused.value)
    assert "row 3, column “cve_ent”: no state has the INEGI code 33 (Atlántida)" in message
    assert "row 4, column “n_victimas”: “muchos” is not a whole number" in message
    assert data_counts() == before


def test_a_complete_year_is_stored_as_the_year(inegi_states, write_file):
    path = write_file("sesnsp.csv", "n_year,cve_ent,n_victimas\n2024,01,40\n2024,02,60\n")
    run("import_crime", "sesnsp-mx", path, "--through", "2024-12")
    assert set(DataValue.objects.values_list("period", "comment")) == {("2024", "")}


def test_half_year_periods_parse_to_their_months():
    first, second = periods.parse("2025S1"), periods.parse("2025s2")
    assert (first.code, first.type) == ("2025S1", "semester")
    assert (first.start.isoformat(), first.end.isoformat()) == ("2025-01-01", "2025-06-30")
    assert (second.start.isoformat(), second.end.isoformat()) == ("2025-07-01", "2025-12-31")
    assert periods.describe_span(first) == "January–June 2025"
    with pytest.raises(ValueError):
        periods.parse("2025S3")


def test_a_count_for_the_unfinished_year_is_the_half_year_it_covers(imported):
    mexico = Territory.objects.with_code("iso", "MX").get()
    element_id = DataValue.objects.first().element_id
    counted = rates.count(element_id, mexico, periods.parse("2025"), "prosecutor")
    assert counted.value == 12_752
    assert counted.periods == {"2025S1"}
