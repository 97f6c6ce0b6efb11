"""Differences between an extraction and the one it replaced."""

from __future__ import annotations

import pytest

from convivencia.indicators import revisions
from convivencia.indicators.models import Extraction
from convivencia.indicators.revisions import Cell
from tests.factories import make_colombia
from tests.indicators.conftest import run

pytestmark = pytest.mark.usefixtures("english")

HEADER = "territory_code;scheme;period;data_element;value;sex;weapon;source\n"
FIRST = HEADER + (
    "19001;divipola;2023-01;homicides;10;male;arma-de-fuego;police\n"
    "19001;divipola;2023-01;homicides;2;female;arma-de-fuego;police\n"
    "52001;divipola;2023-01;homicides;5;male;contundentes;police\n"
    "52001;divipola;2023-02;homicides;1;male;contundentes;police\n"
)
SECOND = HEADER + (
    "19001;divipola;2023-01;homicides;13;male;arma-de-fuego;police\n"  # +3
    "19001;divipola;2023-01;homicides;2;female;arma-de-fuego;police\n"  # same
    "52001;divipola;2023-01;homicides;4;male;arma-blanca;police\n"  # reclassified weapon
    "52001;divipola;2023-03;homicides;1;female;contundentes;police\n"  # new cell
)


@pytest.fixture
def extractions(db, write_file) -> tuple[Extraction, Extraction]:
    make_colombia()
    run("import_crime", "tidy", write_file("v1.csv", FIRST), "--dataset", "test:homicides")
    run("import_crime", "tidy", write_file("v2.csv", SECOND), "--dataset", "test:homicides")
    first, second = Extraction.objects.order_by("pk")
    return first, second


def test_the_diff_lists_each_changed_cell_largest_change_first(extractions):
    _first, second = extractions
    rows = revisions.diff(second)
    summary = [
        (
            row["territory"],
            row["period"],
            row["sex"],
            row["weapon"],
            row["old"],
            row["new"],
            row["change"],
            row["status"],
        )
        for row in rows
    ]
    assert summary == [
        ("Pasto", "2023-01", "male", "contundentes", 5, None, -5, "removed"),
        ("Pasto", "2023-01", "male", "arma-blanca", None, 4, 4, "added"),
        ("Popayán", "2023-01", "male", "arma-de-fuego", 10, 13, 3, "changed"),
        ("Pasto", "2023-02", "male", "contundentes", 1, None, -1, "removed"),
        ("Pasto", "2023-03", "female", "contundentes", None, 1, 1, "added"),
    ]


def test_the_diff_can_sum_over_disaggregations(extractions):
    _first, second = extractions
    rows = revisions.diff(second, disaggregated=False)
    assert [
        (row["territory"], row["period"], row["old"], row["new"], row["change"]) for row in rows
    ] == [
        ("Popayán", "2023-01", 12, 15, 3),
        ("Pasto", "2023-01", 5, 4, -1),
        ("Pasto", "2023-02", 1, None, -1),
        ("Pasto", "2023-03", None, 1, 1),
    ]
    assert len(revisions.diff(second, include_unchanged=True)) == 6
    assert len(revisions.diff(second, limit=2)) == 2


def test_an_extraction_that_replaced_nothing_has_no_differences(extractions):
    first, second = extractions
    assert second.replaces == first
    assert revisions.diff(first) == []
    assert revisions.extraction_summary(first)["added"] == 4


def test_the_summary_counts_cells_and_both_totals(extractions):
    _first, second = extractions
    assert revisions.extraction_summary(second) == {
        "added": 2,
        "removed": 2,
        "changed": 1,
        "unchanged": 1,
        "old_total": 18,
        "new_total": 20,
    }


def test_compare_works_on_plain_mappings():
    cell = Cell("homicides", 1, "2023", "police")
    assert revisions.summary({cell: 1.0}, {cell: 1.0})["unchanged"] == 1
    assert cell.undisaggregated() == cell
    assert Cell("homicides", 1, "2023", "police", sex="male").undisaggregated() == cell
