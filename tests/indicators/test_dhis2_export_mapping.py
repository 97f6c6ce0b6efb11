"""The explorer's DHIS2 export in the identifiers of the DHIS2 mapping table: what a
user exporting to their own DHIS2 needs, read back by our importer through the same
table to the same values, and refused, naming what is unmapped, when the table lacks
a row."""

from __future__ import annotations

import json

import pytest

from convivencia.indicators.choices import Dhis2Kind
from convivencia.indicators.importers import dhis2_format
from convivencia.indicators.models import DataValue, Dhis2Mapping, Extraction
from tests.indicators.conftest import run
from tests.indicators.test_dhis2_formats import grouped
from tests.indicators.test_explorer import make_figures

pytestmark = pytest.mark.usefixtures("english")

HOMICIDES_UID = "hOmIcId3s01"
MALE_UID = "cOmBoMaLe01"
FEMALE_UID = "cOmBoFeMa01"


@pytest.fixture
def figures(db):
    """Cauca's three municipalities with homicides by sex (and one by quarter, no sex),
    and the instance's identifiers in the mapping table: the element and the combos by
    uid, the organisation units by code."""
    figures = make_figures(municipalities=3)
    Dhis2Mapping.objects.create(
        kind=Dhis2Kind.DATA_ELEMENT, identifier=HOMICIDES_UID, element=figures.homicides
    )
    for number, territory in enumerate(figures.municipalities, start=1):
        Dhis2Mapping.objects.create(
            kind=Dhis2Kind.ORG_UNIT, scheme="CODE", identifier=f"OU_{number}", territory=territory
        )
    Dhis2Mapping.objects.create(
        kind=Dhis2Kind.CATEGORY_OPTION_COMBO, identifier=MALE_UID, sex="male"
    )
    Dhis2Mapping.objects.create(
        kind=Dhis2Kind.CATEGORY_OPTION_COMBO, identifier=FEMALE_UID, sex="female"
    )
    return figures


def query(figures, **extra: str) -> str:
    params = {
        "indicator": "homicide_rate",
        "parent": str(figures.cauca.pk),
        "type": "month",
        "from": "2023-01",
        "to": "2023-12",
        "source": "police",
        "ids": "mapping",
        **extra,
    }
    return "&".join(f"{key}={value}" for key, value in params.items())


def forget_values() -> None:
    DataValue.objects.all().delete()
    Extraction.objects.all().delete()


@pytest.mark.parametrize("encoding", ["json", "xml"])
def test_an_export_in_the_mapping_tables_ids_is_read_back_through_it_to_the_same_values(
    client, figures, write_file, encoding
):
    response = client.get(f"/indicators/export.dhis2.{encoding}?{query(figures)}")
    assert response.status_code == 200, response.content
    document = dhis2_format.read(response.content.decode(), f"export.{encoding}")
    assert document.header == {
        "dataElementIdScheme": "UID",
        "orgUnitIdScheme": "CODE",
        "categoryOptionComboIdScheme": "UID",
    }
    assert {value["dataElement"] for value in document.values} == {HOMICIDES_UID}
    assert {value["orgUnit"] for value in document.values} == {"OU_1", "OU_2", "OU_3"}
    assert {value.get("categoryOptionCombo", "") for value in document.values} == {
        MALE_UID,
        FEMALE_UID,
        "",  # the quarters recorded without sex: DHIS2's default combination
    }
    before = grouped(figures)
    forget_values()
    run(
        "import_crime",
        "dhis2",
        write_file(f"export.{encoding}", response.content),
        "--source",
        "police",
    )
    assert grouped(figures) == before


def test_a_csv_export_takes_the_uid_rows_and_is_read_back_the_same(client, figures, write_file):
    for number, territory in enumerate(figures.municipalities, start=1):
        Dhis2Mapping.objects.create(
            kind=Dhis2Kind.ORG_UNIT, identifier=f"OrgUnit{number:04d}", territory=territory
        )
    response = client.get(f"/indicators/export.dhis2.csv?{query(figures)}")
    assert response.status_code == 200, response.content
    document = dhis2_format.read(response.content.decode(), "export.csv")
    assert {value["orgUnit"] for value in document.values} == {
        "OrgUnit0001",
        "OrgUnit0002",
        "OrgUnit0003",
    }
    before = grouped(figures)
    forget_values()
    run("import_crime", "dhis2", write_file("export.csv", response.content), "--source", "police")
    assert grouped(figures) == before


def test_a_csv_export_is_refused_when_the_table_names_units_by_code_only(client, figures):
    response = client.get(f"/indicators/export.dhis2.csv?{query(figures)}")
    assert response.status_code == 400
    unmapped = response.json()["unmapped"]
    assert unmapped == [
        f"organisation unit {territory.name} (#{territory.pk}) has no row under UID"
        for territory in sorted(figures.municipalities, key=lambda t: t.name)
    ]


def test_an_unmapped_unit_or_combination_refuses_the_whole_export_naming_each(client, figures):
    popayan = figures.popayan
    Dhis2Mapping.objects.filter(territory=popayan).delete()
    Dhis2Mapping.objects.filter(identifier=FEMALE_UID).delete()
    response = client.get(f"/indicators/export.dhis2.json?{query(figures)}")
    assert response.status_code == 400
    assert "Content-Disposition" not in response
    body = response.json()
    assert body["unmapped"] == [
        f"organisation unit Popayán (#{popayan.pk}) has no row under CODE",
        "category option combo sex Female, age group – has no row under UID",
    ]
    assert "nothing was written" in body["error"]
    assert "/indicators/manage/dhis2/" in body["error"]


def test_an_unmapped_data_element_is_named(client, figures):
    Dhis2Mapping.objects.filter(kind=Dhis2Kind.DATA_ELEMENT).delete()
    response = client.get(f"/indicators/export.dhis2.xml?{query(figures)}")
    assert response.status_code == 400
    assert response.json()["unmapped"] == [
        "data element homicides (Intentional homicides) has no row under UID"
    ]


def test_an_unknown_ids_choice_is_refused(client, figures):
    response = client.get(f"/indicators/export.dhis2.json?{query(figures, ids='theirs')}")
    assert response.status_code == 400
    assert response.json()["error"] == "Unknown ids “theirs”: use ours, mapping."


def test_without_ids_the_export_keeps_our_own_codes(client, figures):
    response = client.get(
        f"/indicators/export.dhis2.json?{query(figures, ids='ours', org_unit_scheme='divipola')}"
    )
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["categoryOptionComboIdScheme"] == "CODE"
    assert {value["orgUnit"] for value in body["dataValues"]} >= {"19001"}


def test_the_check_page_links_the_mapped_export_or_lists_what_it_lacks(client, figures):
    page = client.get(f"/indicators/dhis2/?{query(figures)}")
    assert page.status_code == 200
    assert b'data-testid="download-mapped"' in page.content
    assert b"ids=mapping" in page.content
    Dhis2Mapping.objects.filter(territory=figures.popayan).delete()
    page = client.get(f"/indicators/dhis2/?{query(figures)}")
    assert b'data-testid="download-mapped"' not in page.content
    assert "organisation unit Popayán" in page.content.decode()


def test_the_check_page_links_the_mapping_table_only_for_those_who_may_open_it(client, figures):
    from convivencia.accounts.choices import Role
    from tests.factories import grant, make_organisation, make_user

    anonymous = client.get(f"/indicators/dhis2/?{query(figures)}").content.decode()
    assert "/indicators/manage/dhis2/" not in anonymous
    assert "DHIS2 mapping table" in anonymous

    carla = make_user("carla.coordinadora")
    grant(carla, make_organisation("Programa Convivencia"), Role.COORDINATOR, [figures.cauca])
    client.force_login(carla)
    coordinator = client.get(f"/indicators/dhis2/?{query(figures)}").content.decode()
    assert "/indicators/manage/dhis2/" in coordinator
