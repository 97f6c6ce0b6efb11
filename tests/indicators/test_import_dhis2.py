"""DHIS2 data value sets: codes or uids in, the same JSON out."""

from __future__ import annotations

import json

import pytest
from django.core.management.base import CommandError

from convivencia.indicators import periods
from convivencia.indicators.importers import dhis2
from convivencia.indicators.models import DataElement, DataValue, Extraction
from convivencia.territories.models import TerritoryCode
from tests.factories import make_colombia
from tests.indicators.conftest import data_counts, run

pytestmark = pytest.mark.usefixtures("english")

VALUES = [
    {
        "dataElement": "homicides",
        "period": "202403",
        "orgUnit": "19001",
        "categoryOptionCombo": "female, 18+",
        "attributeOptionCombo": "default",
        "value": "12",
        "comment": "revisado",
    },
    {
        "dataElement": "homicides",
        "period": "202403",
        "orgUnit": "19001",
        "categoryOptionCombo": "male, 18+",
        "attributeOptionCombo": "default",
        "value": "30",
    },
    {
        "dataElement": "homicides",
        "period": "2024Q1",
        "orgUnit": "52001",
        "categoryOptionCombo": "default",
        "attributeOptionCombo": "default",
        "value": "7",
    },
    {
        "dataElement": "theft",
        "period": "2024W5",
        "orgUnit": "52001",
        "categoryOptionCombo": "0-11",
        "attributeOptionCombo": "default",
        "value": "2",
    },
    {
        "dataElement": "theft",
        "period": "20240315",
        "orgUnit": "19",
        "categoryOptionCombo": "unknown sex, 12-17",
        "attributeOptionCombo": "default",
        "value": "1",
    },
]


@pytest.fixture
def places(db):
    return make_colombia()


def as_set(values: list[dict]) -> set[tuple]:
    return {tuple(sorted(item.items())) for item in values}


def test_a_data_value_set_with_codes_goes_round_trip(places, write_file):
    path = write_file("values.json", json.dumps({"dataSet": "crime", "dataValues": VALUES}))
    run("import_crime", "dhis2", path, "--source", "police", "--org-unit-scheme", "divipola")
    extraction = Extraction.objects.get()
    assert (extraction.dataset, extraction.values, extraction.total) == ("dhis2:crime", 5, 52)
    female = DataValue.objects.get(sex="female")
    assert (female.territory, female.period, female.age_group, female.comment) == (
        places.popayan,
        "2024-03",
        "18_plus",
        "revisado",
    )
    assert DataValue.objects.get(element__code="theft", territory=places.pasto).period == "2024W05"
    assert DataValue.objects.count() == 5


def test_uids_are_matched_for_data_elements_and_org_units(places, write_file):
    # The standard element exists from migration 0007; the installation gives it its uid.
    DataElement.objects.update_or_create(code="homicides", defaults={"dhis2_uid": "hOmIcIdEs01"})
    TerritoryCode.objects.create(territory=places.popayan, scheme="dhis2", code="PoPaYaN0001")
    path = write_file(
        "uids.json",
        json.dumps(
            {
                "dataValues": [
                    {
                        "dataElement": "hOmIcIdEs01",
                        "period": "2024",
                        "orgUnit": "PoPaYaN0001",
                        "categoryOptionCombo": "HllvX50cXC0",
                        "attributeOptionCombo": "HllvX50cXC0",
                        "value": "4",
                    },
                ]
            }
        ),
    )
    run("import_crime", "dhis2", path, "--source", "health")
    value = DataValue.objects.get()
    assert (value.element.code, value.territory, value.period, value.source, value.sex) == (
        "homicides",
        places.popayan,
        "2024",
        "health",
        "",
    )


def test_top_level_defaults_apply_and_a_deletion_of_nothing_stored_is_counted(places, write_file):
    path = write_file(
        "defaults.json",
        json.dumps(
            {
                "period": "202401",
                "orgUnit": "52001",
                "dataValues": [
                    {"dataElement": "homicides", "value": "3"},
                    {
                        "dataElement": "homicides",
                        "value": "9",
                        "categoryOptionCombo": "female",
                        "deleted": True,
                    },
                ],
            }
        ),
    )
    output = run(
        "import_crime", "dhis2", path, "--source", "police", "--org-unit-scheme", "divipola"
    )
    value = DataValue.objects.get()
    assert (value.territory, value.period, value.value) == (places.pasto, "2024-01", 3)
    assert "0 values were deleted (value-less or marked deleted); 1 deletions matched no" in output


def test_every_bad_value_is_placed_by_index_and_key_and_nothing_is_written(places, write_file):
    path = write_file(
        "bad.json",
        json.dumps(
            {
                "dataValues": [
                    VALUES[2],
                    {**VALUES[2], "dataElement": "nope"},
                    {**VALUES[2], "orgUnit": "99999"},
                    {**VALUES[2], "period": "2024M3"},
                    {**VALUES[2], "categoryOptionCombo": "rural"},
                    {**VALUES[2], "attributeOptionCombo": "donor-x"},
                    {**VALUES[2], "value": "1,5"},
                    {**VALUES[2]},
                    "text",
                ]
            }
        ),
    )
    before = data_counts()
    with pytest.raises(CommandError) as refused:
        run("import_crime", "dhis2", path, "--source", "police", "--org-unit-scheme", "divipola")
    message = str(refused.value)
    for expected in (
        "bad.json, dataValues[1], column “dataElement”: no data element",
        "bad.json, dataValues[2], column “orgUnit”: no territory has the divipola code “99999”",
        "bad.json, dataValues[3], column “period”: “2024M3” is not a DHIS2 period",
        "bad.json, dataValues[4], column “categoryOptionCombo”: “rural” is not a category "
        "option combo",
        "bad.json, dataValues[5], column “attributeOptionCombo”: “donor-x”: only the default",
        "bad.json, dataValues[6], column “value”: “1,5” is not a number",
        "bad.json, dataValues[7]: a second value for the same data element, territory, "
        "period, source and disaggregation (first in dataValues[0])",
        "bad.json, dataValues[8]: is not an object",
    ):
        assert expected in message
    assert data_counts() == before


def test_the_source_must_be_named_and_the_json_must_be_a_value_set(places, write_file):
    path = write_file("values.json", json.dumps({"dataValues": VALUES}))
    with pytest.raises(CommandError, match="say which source the values come from"):
        run("import_crime", "dhis2", path, "--org-unit-scheme", "divipola")
    broken = write_file("broken.json", '{"dataValues": [\n  {"value": 1},\n]}')
    with pytest.raises(CommandError, match=r"broken.json, row 3: is not valid JSON"):
        run("import_crime", "dhis2", broken, "--source", "police")
    with pytest.raises(CommandError, match="is not a DHIS2 data value set"):
        run("import_crime", "dhis2", write_file("list.json", "[]"), "--source", "police")


def test_dhis2_period_spellings_are_read():
    assert periods.parse("202403").code == "2024-03"
    assert periods.parse("2024W5").code == "2024W05"
    assert periods.parse("20240315").code == "2024-03-15"
    assert periods.parse("2024S2").code == "2024S2"


def test_category_option_combos_map_to_sex_and_age_group():
    assert dhis2.combo("default") == ("", "")
    assert dhis2.combo("Femenino, Adolescentes") == ("female", "12_17")
    assert dhis2.combo("18+") == ("", "18_plus")
    assert dhis2.combo("unknown sex, unknown age") == ("unknown", "unknown")
    assert dhis2.combo("SEX_NR_AGE_NR") == ("unknown", "unknown")
    for bad in ("female, male", "unknown", "urbano"):
        with pytest.raises(ValueError):
            dhis2.combo(bad)
