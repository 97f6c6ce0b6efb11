"""The table under the panels' map writes its figures as ``floatformat:1`` would.

The rows are formatted in Python (a national map has 1,122 of them); these tests hold
that formatting to the template filter it replaced, in Spanish and in English.
"""

from __future__ import annotations

import pytest
from django.template.defaultfilters import floatformat
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from convivencia.panels.maps import MapCell, table_rows


def _cell(value: float | None, *, suppressed: bool = False) -> MapCell:
    cell = MapCell(territory_id=19001, name="Popayán", path="1.2.3", n=40, suppressed=suppressed)
    if value is not None:
        cell.value, cell.low, cell.high = value, max(0.0, value - 10), min(100.0, value + 10)
    return cell


# The map's figures are shares of answers: n_top of n, times 100.
shares = st.integers(min_value=1, max_value=2000).flatmap(
    lambda n: st.integers(min_value=0, max_value=n).map(lambda top: top / n * 100)
)


@given(value=shares)
@settings(deadline=None)  # the first example loads the language's catalogue
@pytest.mark.parametrize("language", ["es", "en"])
def test_a_figure_reads_as_floatformat_would_write_it(language: str, value: float) -> None:
    with translation.override(language):
        (row,) = table_rows([_cell(value)])
        assert row.value == floatformat(value, 1)
        assert row.low == floatformat(max(0.0, value - 10), 1)


def test_halves_round_up_and_spanish_uses_a_comma() -> None:
    with translation.override("es"):
        (row,) = table_rows([_cell(12.25)])
    assert row.value == "12,3"


def test_each_row_links_to_its_territory_page() -> None:
    (row,) = table_rows([_cell(50.0)])
    assert row.url == "/territories/19001/"


def test_a_withheld_or_empty_cell_has_no_figure() -> None:
    withheld, empty = table_rows([_cell(70.0, suppressed=True), _cell(None)])
    assert withheld.suppressed
    assert empty.value == "" and not empty.suppressed
