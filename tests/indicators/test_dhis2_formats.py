"""DHIS2 data value sets in JSON, XML and CSV: dhis2-core's own test files, id schemes, the
mapping table, deletions, and our export read back identically (see tests/data/dhis2)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management.base import CommandError

from convivencia.indicators import exports, periods
from convivencia.indicators.choices import Dhis2Kind
from convivencia.indicators.importers import dhis2, dhis2_format
from convivencia.indicators.models import DataElement, DataValue, Dhis2Mapping, Extraction
from convivencia.territories.models import TerritoryCode
from tests.factories import make_colombia
from tests.indicators.conftest import data_counts, run
from tests.indicators.test_explorer import make_figures

pytestmark = pytest.mark.usefixtures("english")

DATA = Path(__file__).resolve().parent.parent / "data" / "dhis2"
# dataValueSetB's data elements and organisation units, as that DHIS2 test instance has them.
ELEMENT_UIDS = {"f7n9E0hX8qk": "homicides", "Ix2HsbDMLea": "theft", "eY5ehpbEsB7": "robbery"}
ORG_UNIT_UIDS = ("DiszpKrYNg8", "BdfsJfj87js")
# What dataValueSetB holds: (element, org unit index, period) → value, 10001…10012 in order.
EXPECTED_B = {
    (element, unit, period): 10001 + 4 * number + 2 * months + unit
    for number, element in enumerate(ELEMENT_UIDS.values())
    for months, period in enumerate(("2012-01", "2012-02"))
    for unit in (0, 1)
}


@pytest.fixture
def places(db):
    places = make_colombia()
    places.units = (places.popayan, places.pasto)
    return places


def uid_mappings(places) -> None:
    """The test instance's uids in the mapping table (elements) and as dhis2 codes (units)."""
    for uid, code in ELEMENT_UIDS.items():
        element, _created = DataElement.objects.get_or_create(code=code)
        Dhis2Mapping.objects.create(kind=Dhis2Kind.DATA_ELEMENT, identifier=uid, element=element)
    for uid, territory in zip(ORG_UNIT_UIDS, places.units, strict=True):
        TerritoryCode.objects.create(territory=territory, scheme="dhis2", code=uid)


def stored(places) -> dict[tuple[str, int, str], float]:
    units = {territory.pk: index for index, territory in enumerate(places.units)}
    return {
        (value.element.code, units[value.territory_id], value.period): value.value
        for value in DataValue.objects.current().select_related("element")
    }


@pytest.mark.parametrize(
    "name", ["dataValueSetB.xml", "dataValueSetB.csv", "dataValueSetBNoHeader.csv"]
)
def test_dhis2_cores_value_set_b_is_read_the_same_in_xml_and_csv(places, name):
    uid_mappings(places)
    output = run("import_crime", "dhis2", DATA / name, "--source", "health")
    assert stored(places) == EXPECTED_B
    assert DataValue.objects.filter(comment="comment").count() == 12
    assert "12 values" in output


def test_the_files_code_id_scheme_reads_codes_through_the_mapping_table(places):
    # dataValueSetACode.xml: idScheme="code", period and orgUnit in the header.
    for code, element in (("DE_A", "homicides"), ("DE_B", "theft"), ("DE_C", "robbery")):
        Dhis2Mapping.objects.create(
            kind=Dhis2Kind.DATA_ELEMENT,
            scheme="CODE",
            identifier=code,
            element=DataElement.objects.get_or_create(code=element)[0],
        )
    Dhis2Mapping.objects.create(
        kind=Dhis2Kind.ORG_UNIT, scheme="CODE", identifier="OU_A", territory=places.popayan
    )
    run("import_crime", "dhis2", DATA / "dataValueSetACode.xml", "--source", "police")
    assert stored(places) == {
        ("homicides", 0, "2012-01"): 10001,
        ("theft", 0, "2012-01"): 10002,
        ("robbery", 0, "2012-01"): 10003,
    }
    assert Extraction.objects.get().dataset == "dhis2:DS_A"


def test_a_uid_under_the_code_scheme_is_not_taken_for_a_code(places):
    uid_mappings(places)  # mapped as UIDs only
    before = data_counts()
    with pytest.raises(CommandError) as refused:
        run("import_crime", "dhis2", DATA / "dataValueSetACode.xml", "--source", "police")
    message = str(refused.value)
    assert (
        "dataValueSetACode.xml, dataValue[1], column “dataElement”: no data element has the "
        "DHIS2 CODE “DE_A”" in message
    )
    assert "column “orgUnit”: no territory has the code “OU_A” in any national scheme" in message
    assert data_counts() == before


def test_attribute_id_schemes_read_the_mapping_table(places):
    attribute = "ATTRIBUTE:uh6H2ff562G"
    for code, element in (("DE1", "homicides"), ("DE2", "theft"), ("DE3", "robbery")):
        Dhis2Mapping.objects.create(
            kind=Dhis2Kind.DATA_ELEMENT,
            scheme=attribute,
            identifier=code,
            element=DataElement.objects.get_or_create(code=element)[0],
        )
    for code, territory in zip(("OU1", "OU2"), places.units, strict=True):
        Dhis2Mapping.objects.create(
            kind=Dhis2Kind.ORG_UNIT, scheme=attribute, identifier=code, territory=territory
        )
    run("import_crime", "dhis2", DATA / "dataValueSetBAttributeIdScheme.xml", "--source", "health")
    assert stored(places) == EXPECTED_B


def test_a_later_file_updates_its_cells_and_keeps_the_rest_of_the_dataset(places):
    uid_mappings(places)
    options = ("--source", "health", "--dataset", "dhis2:b")
    run("import_crime", "dhis2", DATA / "dataValueSetB.xml", *options)
    output = run("import_crime", "dhis2", DATA / "dataValueSetJDeleteNewValue.json", *options)
    assert stored(places) == {**EXPECTED_B, ("homicides", 0, "2012-01"): 9}
    assert "11 values of the dataset not in this file are kept" in output
    assert Extraction.objects.filter(replaced_by__isnull=True).get().values == 12


def test_value_less_and_deleted_entries_delete_their_values_and_are_counted(places, write_file):
    uid_mappings(places)
    options = ("--source", "health", "--dataset", "dhis2:b")
    run("import_crime", "dhis2", DATA / "dataValueSetB.xml", *options)
    deletions = write_file(
        "deletions.json",
        json.dumps(
            {
                "dataValues": [
                    {"dataElement": "f7n9E0hX8qk", "period": "201201", "orgUnit": "DiszpKrYNg8"},
                    {
                        "dataElement": "Ix2HsbDMLea",
                        "period": "201202",
                        "orgUnit": "BdfsJfj87js",
                        "value": "10008",
                        "deleted": True,
                    },
                    {
                        "dataElement": "Ix2HsbDMLea",
                        "period": "201203",
                        "orgUnit": "BdfsJfj87js",
                        "value": "",
                    },
                ]
            }
        ),
    )
    output = run("import_crime", "dhis2", deletions, *options)
    expected = dict(EXPECTED_B)
    del expected[("homicides", 0, "2012-01")]
    del expected[("theft", 1, "2012-02")]
    assert stored(places) == expected
    assert (
        "2 values were deleted (value-less or marked deleted); 1 deletions matched no stored "
        "value." in output
    )
    # The deleted values stay in the replaced extraction, as every revision does.
    assert DataValue.objects.filter(deleted_at__isnull=False).count() == 12


def test_a_csv_deletion_is_an_empty_value_and_a_bad_scheme_is_named(places, write_file):
    uid_mappings(places)
    options = ("--source", "health", "--dataset", "dhis2:b")
    run("import_crime", "dhis2", DATA / "dataValueSetB.csv", *options)
    csv_text = (
        "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,"
        "lastupdated,comment,followup,deleted\n"
        "eY5ehpbEsB7,201202,BdfsJfj87js,,,,,,,false,\n"
    )
    run("import_crime", "dhis2", write_file("delete.csv", csv_text), *options)
    assert ("robbery", 1, "2012-02") not in stored(places)
    assert len(stored(places)) == 11

    bad = write_file("bad.json", json.dumps({"idScheme": "SHORTNAME", "dataValues": []}))
    with pytest.raises(CommandError, match="“SHORTNAME” is not a DHIS2 id scheme"):
        run("import_crime", "dhis2", bad, "--source", "health")


def test_xml_and_csv_that_are_not_value_sets_are_refused_clearly(places, write_file):
    cases = {
        "broken.xml": ("<dataValueSet><dataValue", "broken.xml: is not valid XML"),
        "encoding.xml": (
            '<?xml version="1.0" encoding="tf-8"?><dataValueSet/>',
            "encoding.xml: is not valid XML",
        ),
        "other.xml": ("<metadata/>", "its root element is “metadata”, not “dataValueSet”"),
        "extra.csv": ("dataelement,period,orgunit,colour\n", "columns DHIS2 does not define"),
        # Python's csv module refuses a field longer than 131,072 characters.
        "long.csv": ("x" * 200_000 + ",202401,OU\n", "long.csv: is not a readable CSV"),
    }
    for name, (content, expected) in cases.items():
        with pytest.raises(CommandError) as refused:
            run("import_crime", "dhis2", write_file(name, content), "--source", "police")
        assert expected in str(refused.value)


def test_a_lone_carriage_return_in_a_csv_ends_its_record_as_dhis2_writes_none():
    # Found by the hostile-input test: a bare \r in an unquoted field stopped the import
    # with the csv module's own error instead of reading or refusing the file.
    value_set = dhis2_format.read("f7n9E0hX8qk,202401,DiszpKrYNg8\r\rIx2HsbDMLea,202401", "a.csv")
    assert [row["dataElement"] for row in value_set.values] == ["f7n9E0hX8qk", "Ix2HsbDMLea"]


def test_a_category_option_combo_uid_is_mapped_to_sex_and_age_group(places, write_file):
    Dhis2Mapping.objects.create(
        kind=Dhis2Kind.CATEGORY_OPTION_COMBO, identifier="Prlt0C1RF0s", sex="female"
    )
    values = {
        "dataElement": "homicides",
        "period": "202401",
        "orgUnit": "19001",
        "value": "3",
    }
    path = write_file(
        "combos.json",
        json.dumps(
            {
                "dataValues": [
                    {**values, "categoryOptionCombo": "Prlt0C1RF0s"},
                    {**values, "categoryOptionCombo": "SEX_M_AGE_18P"},
                    {**values, "categoryOptionCombo": "uNkNoWnUid1"},
                ]
            }
        ),
    )
    with pytest.raises(CommandError) as refused:
        run("import_crime", "dhis2", path, "--source", "police", "--org-unit-scheme", "divipola")
    assert "dataValues[2], column “categoryOptionCombo”: “uNkNoWnUid1” is not a category" in str(
        refused.value
    )
    assert "add its identifier to the DHIS2 mapping table" in str(refused.value)
    path.write_text(json.dumps({"dataValues": [{**values, "categoryOptionCombo": "Prlt0C1RF0s"}]}))
    run("import_crime", "dhis2", path, "--source", "police", "--org-unit-scheme", "divipola")
    assert DataValue.objects.get().sex == "female"


def test_an_org_unit_code_held_by_two_schemes_must_be_named(places, write_file):
    TerritoryCode.objects.create(territory=places.pasto, scheme="inegi", code="19001")
    path = write_file(
        "ambiguous.json",
        json.dumps(
            {
                "orgUnitIdScheme": "CODE",
                "dataValues": [
                    {"dataElement": "homicides", "period": "2024", "orgUnit": "19001", "value": 1}
                ],
            }
        ),
    )
    with pytest.raises(CommandError, match="is a territory's in several schemes"):
        run("import_crime", "dhis2", path, "--source", "police")
    run("import_crime", "dhis2", path, "--source", "police", "--org-unit-scheme", "divipola")
    assert DataValue.objects.get().territory == places.popayan


def test_the_mapping_table_normalises_and_checks_its_rows(places):
    from django.core.exceptions import ValidationError

    row = Dhis2Mapping(kind=Dhis2Kind.ORG_UNIT, scheme=" code ", identifier=" OU_A ")
    with pytest.raises(ValidationError, match="Choose the territory"):
        row.full_clean()
    row.territory = places.pasto
    row.full_clean()
    assert (row.scheme, row.identifier) == ("CODE", "OU_A")
    attribute = Dhis2Mapping(
        kind=Dhis2Kind.ORG_UNIT, scheme="attribute:uh6H2ff562G", identifier="OU1"
    )
    attribute.territory = places.pasto
    attribute.full_clean()
    assert attribute.scheme == "ATTRIBUTE:uh6H2ff562G"


# --- our export, read back ---------------------------------------------------------------------


@pytest.fixture
def figures(db):
    return make_figures(municipalities=3)


def grouped(figures) -> dict[tuple, Decimal]:
    """The explorer's DHIS2 values as stored: summed per territory, period, sex and age."""
    rows = exports._grouped_values(
        figures.indicator, figures.cauca, periods.parse("2023"), "police"
    )
    return {
        (row["territory_id"], row["period"], row["sex"], row["age_group"]): Decimal(
            str(row["total"])
        )
        for row in rows
    }


@pytest.mark.parametrize("encoding", ["json", "xml", "csv"])
def test_what_the_explorer_exports_the_importer_reads_back_identically(
    client, figures, write_file, encoding
):
    query = (
        f"indicator=homicide_rate&parent={figures.cauca.pk}&type=month&from=2023-01&to=2023-12"
        "&source=police&org_unit_scheme=divipola"
    )
    response = client.get(f"/indicators/export.dhis2.{encoding}?{query}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == dhis2_format.CONTENT_TYPES[encoding]
    before = grouped(figures)
    assert {sex for _territory, _period, sex, _age in before} == {"male", "female", ""}
    document = dhis2_format.read(response.content.decode(), f"export.{encoding}")
    if encoding != "csv":
        assert document.header == {
            "dataElementIdScheme": "CODE",
            "orgUnitIdScheme": "CODE",
            "categoryOptionComboIdScheme": "CODE",
        }
    assert {value.get("categoryOptionCombo") or "" for value in document.values} <= {
        "SEX_M",
        "SEX_F",
        "",
    }
    DataValue.objects.all().delete()
    Extraction.objects.all().delete()
    path = write_file(f"export.{encoding}", response.content)
    extra = ("--org-unit-scheme", "divipola") if encoding == "csv" else ()
    run("import_crime", "dhis2", path, "--source", "police", *extra)
    assert grouped(figures) == before


def test_dhis2_reads_our_json_with_the_uids_it_knows(client, figures):
    figures.homicides.dhis2_uid = "hom1234567a"
    figures.homicides.save()
    for number, territory in enumerate(figures.municipalities):
        TerritoryCode.objects.create(
            territory=territory, scheme="dhis2", code=f"OrgUnit{number:04d}"
        )
    query = (
        f"indicator=homicide_rate&parent={figures.cauca.pk}&type=month&from=2023-01&to=2023-12"
        "&source=police"
    )
    body = json.loads(client.get(f"/indicators/export.dhis2.json?{query}").content)
    assert body["dataElementIdScheme"] == "UID" and body["orgUnitIdScheme"] == "UID"
    xml = client.get(f"/indicators/export.dhis2.xml?{query}").content
    assert xml.startswith(b"<?xml") and b'xmlns="http://dhis2.org/schema/dxf/2.0"' in xml
    assert b'orgUnitIdScheme="UID"' in xml and b'dataElement="hom1234567a"' in xml
    assert dhis2.COMBO_CODES[("female", "18_plus")] == "SEX_F_AGE_18P"
