"""The hard-coded code tables agree with ISO 3166-2 (pycountry)."""

from __future__ import annotations

import pycountry
import pytest

from convivencia.territories.data import DIVIPOLA_TO_ISO, IBGE_TO_ISO, INEGI_TO_ISO


@pytest.mark.parametrize(
    ("table", "country", "size"),
    [
        (DIVIPOLA_TO_ISO, "CO", 33),
        (INEGI_TO_ISO, "MX", 32),
        (IBGE_TO_ISO, "BR", 27),
    ],
)
def test_each_national_code_maps_to_a_distinct_first_level_iso_subdivision(table, country, size):
    first_level = {
        record.code
        for record in pycountry.subdivisions.get(country_code=country)
        if record.parent_code is None
    }
    assert len(table) == size
    assert set(table.values()) == first_level
    assert all(len(code) == 2 and code.isdigit() for code in table)


def test_the_examples_everyone_knows_are_right():
    assert DIVIPOLA_TO_ISO["05"] == "CO-ANT"
    assert DIVIPOLA_TO_ISO["11"] == "CO-DC"
    assert DIVIPOLA_TO_ISO["19"] == "CO-CAU"
    assert DIVIPOLA_TO_ISO["88"] == "CO-SAP"
    assert INEGI_TO_ISO["09"] == "MX-CMX"
    assert IBGE_TO_ISO["35"] == "BR-SP"
