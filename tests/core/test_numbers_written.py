"""``numbers.written`` writes a figure exactly as the ``floatformat`` filter it stands in for."""

from __future__ import annotations

import pytest
from django.template.defaultfilters import floatformat
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from convivencia.core.numbers import written

# Figures the pages show: shares, means on 0–100, changes between waves (signed), rates.
figures = st.integers(min_value=-2_000_000, max_value=2_000_000).map(lambda n: n / 997)


@given(number=figures, places=st.sampled_from([0, 1, 3]))
@settings(deadline=None)  # the first example loads the language's catalogue
@pytest.mark.parametrize("language", ["es", "pt", "en"])
def test_a_figure_is_written_as_floatformat_writes_it(language, number, places) -> None:
    with translation.override(language):
        assert written(number, places) == floatformat(number, places)


def test_nothing_is_written_for_a_missing_figure() -> None:
    assert written(None) == ""


def test_spanish_writes_a_decimal_comma_and_halves_go_up() -> None:
    with translation.override("es"):
        assert written(12.25) == "12,3"
        assert written(-0.04) == "0,0"
