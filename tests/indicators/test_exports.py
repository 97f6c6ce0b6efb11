"""Exports of the explorer's selection: CSV and XLSX of the table, DHIS2 data values."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from openpyxl import load_workbook

from convivencia.indicators import explorer, exports, periods, rollup
from convivencia.territories.models import Population, Territory, TerritoryCode
from tests.formula_payloads import PAYLOADS, assert_csv_neutralises, assert_xlsx_neutralises
from tests.indicators.test_explorer import make_figures, store


@pytest.fixture
def figures(db):
    return make_figures(municipalities=4)


def selection(figures, **extra: str) -> str:
    query = (
        f"indicator=homicide_rate&parent={figures.cauca.pk}&type=month"
        "&from=2023-01&to=2023-12&source=police"
    )
    return query + "".join(f"&{key}={value}" for key, value in extra.items())


def csv_rows(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_csv_has_exactly_the_rows_of_the_table(client, figures):
    page = client.get(f"/indicators/?{selection(figures)}").content.decode()
    table = page[page.index('data-testid="rates-table"') :]
    table = table[: table.index("</table>")]
    shown = [int(pk) for pk in re.findall(r'data-territory="(\d+)"', table)]
    response = client.get(f"/indicators/export.csv?{selection(figures)}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="homicide_rate-19-2023.csv"' in response["Content-Disposition"]
    rows = csv_rows(response)
    assert list(rows[0]) == exports.COLUMNS
    result = explorer.choropleth(figures.indicator, figures.cauca, periods.parse("2023"), "police")
    assert [territory.pk for territory in result.territories] == shown
    assert len(rows) == len(shown) + 1  # the territories, then the parent's total
    assert [row["territory_name"] for row in rows] == [
        *[territory.name for territory in result.territories],
        "Cauca",
    ]
    for row, rate in zip(rows, [*result.rates, result.total], strict=True):
        assert row["numerator"] == str(rate.numerator)
        assert row["value"] == ("" if rate.value is None else str(rate.value))
        assert row["population_source"] == (rate.population_source or "")
        assert row["warnings"] == " | ".join(rate.warnings)
    popayan = next(row for row in rows if row["territory_name"] == "Popayán")
    assert (popayan["territory_code"], popayan["territory_scheme"]) == ("19001", "divipola")
    assert (popayan["period"], popayan["source"], popayan["indicator"]) == (
        "2023",
        "police",
        "homicide_rate",
    )
    without_population = next(row for row in rows if row["territory_name"] == "Municipio 4")
    assert without_population["value"] == "" and "No population" in without_population["warnings"]


def test_the_spreadsheet_holds_the_same_rows_and_says_how_they_were_computed(client, figures):
    response = client.get(f"/indicators/export.xlsx?{selection(figures)}")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.worksheets[0]
    values = list(sheet.values)
    assert list(values[0]) == exports.COLUMNS
    as_csv = csv_rows(client.get(f"/indicators/export.csv?{selection(figures)}"))
    assert [row[2] for row in values[1:]] == [row["territory_name"] for row in as_csv]
    notes = dict(workbook.worksheets[1].values)
    assert any("Poisson" in str(text) for text in notes.values())


def test_an_invalid_selection_is_refused_rather_than_exported(client, figures):
    response = client.get(
        f"/indicators/export.csv?{selection(figures)}".replace("from=2023-01", "from=2023-13")
    )
    assert response.status_code == 400
    assert b"from" in response.content


# DHIS2


def test_periods_are_written_as_dhis2_writes_them():
    assert exports.dhis2_period("2024-03") == "202403"
    assert exports.dhis2_period("2024") == "2024"
    assert exports.dhis2_period("2024Q1") == "2024Q1"
    assert exports.dhis2_period("2024W05") == "2024W5"
    assert exports.dhis2_period("2024-03-15") == "20240315"


def test_every_disaggregation_has_a_documented_category_option_combination():
    assert exports.CATEGORY_OPTION_COMBOS[("", "")] is None
    assert exports.CATEGORY_OPTION_COMBOS[("female", "")] == "SEX_F"
    assert exports.CATEGORY_OPTION_COMBOS[("male", "18_plus")] == "SEX_M_AGE_18P"
    assert exports.CATEGORY_OPTION_COMBOS[("", "12_17")] == "AGE_1217"


def test_the_check_lists_every_territory_without_a_code_and_the_element_without_a_uid(
    client, figures
):
    TerritoryCode.objects.create(territory=figures.popayan, scheme="dhis2", code="PopayanOU1")
    response = client.get(f"/indicators/dhis2/?{selection(figures)}")
    assert response.status_code == 200
    html = response.content.decode()
    missing = html[html.index('data-testid="missing-territories"') :]
    missing = missing[: missing.index("</div>")]
    for territory in figures.municipalities[1:]:
        assert territory.name in missing
    assert "Popayán" not in missing
    assert 'data-testid="element-without-uid"' in html
    assert 'data-testid="download-partial"' in html  # Popayán's values can be placed
    check = exports.dhis2_check(
        figures.indicator, figures.cauca, periods.parse("2023"), "police", "dhis2"
    )
    assert {territory.pk for territory in check.missing_territories} == {
        territory.pk for territory in figures.municipalities[1:]
    }
    assert check.blocking and check.element_without_uid


def test_the_download_refuses_to_drop_values_silently(client, figures):
    response = client.get(f"/indicators/export.dhis2.json?{selection(figures)}")
    assert response.status_code == 400
    body = response.json()
    assert {entry["name"] for entry in body["territories_without_code"]} == {
        territory.name for territory in figures.municipalities
    }
    assert "/indicators/dhis2/" in body["check_url"]
    partial = client.get(f"/indicators/export.dhis2.json?{selection(figures)}&exclude_missing=1")
    assert partial.status_code == 200
    assert partial.json()["dataValues"] == []
    assert int(partial["X-Excluded-Values"]) > 0


def test_with_divipola_codes_the_values_are_complete_and_shaped_for_dhis2(client, figures):
    figures.homicides.dhis2_uid = "hom1234567a"
    figures.homicides.save()
    scheme = "org_unit_scheme=divipola"
    check_page = client.get(f"/indicators/dhis2/?{selection(figures)}&{scheme}").content
    assert b'data-testid="missing-territories"' not in check_page
    assert b'data-testid="element-without-uid"' not in check_page
    response = client.get(f"/indicators/export.dhis2.json?{selection(figures)}&{scheme}")
    assert response.status_code == 200
    payload = json.loads(response.content)
    assert (payload["dataElementIdScheme"], payload["orgUnitIdScheme"]) == ("UID", "CODE")
    values = payload["dataValues"]
    assert all(value["dataElement"] == "hom1234567a" for value in values)
    popayan_march = [
        value for value in values if value["orgUnit"] == "19001" and value["period"] == "202303"
    ]
    assert sorted((v["categoryOptionCombo"], v["value"]) for v in popayan_march) == [
        ("SEX_F", "1"),
        ("SEX_M", "1"),
    ]
    quarterly = [value for value in values if value["orgUnit"] == "19003"]
    assert [value["period"] for value in quarterly] == ["2023Q1", "2023Q2", "2023Q3", "2023Q4"]
    assert all("categoryOptionCombo" not in value for value in quarterly)
    stored = sum(float(value["value"]) for value in values)
    assert (
        stored
        == explorer.choropleth(
            figures.indicator, figures.cauca, periods.parse("2023"), "police"
        ).total.numerator
    )


def test_values_differing_only_in_weapon_are_added_up(figures):
    store(figures.homicides, figures.popayan, "2023-03", 3, sex="male", weapon="firearm")
    payload, excluded = exports.dhis2_payload(
        figures.indicator, figures.cauca, periods.parse("2023-03"), "police", "divipola"
    )
    cell = [
        value
        for value in payload["dataValues"]
        if value["orgUnit"] == "19001" and value.get("categoryOptionCombo") == "SEX_M"
    ]
    assert excluded == 0
    assert len(cell) == 1 and cell[0]["value"] == "4"  # 1 without a weapon + 3 with a firearm


def test_a_disaggregation_without_a_combination_is_listed_and_blocks(client, figures):
    store(figures.homicides, figures.popayan, "2023-05", 2, sex="other")
    rollup.refresh(
        [figures.homicides.pk], ["police"], periods.parse("2023").start, periods.parse("2023").end
    )
    check = exports.dhis2_check(
        figures.indicator, figures.cauca, periods.parse("2023"), "police", "divipola"
    )
    assert check.unmapped == [("other", "", 1)] and check.blocking
    html = client.get(f"/indicators/dhis2/?{selection(figures)}&org_unit_scheme=divipola")
    assert b'data-testid="unmapped"' in html.content


def test_values_at_two_levels_are_flagged_because_dhis2_would_add_them_twice(client, figures):
    narino = (
        f"indicator=homicide_rate&parent={figures.colombia.pk}&type=year&from=2023"
        "&to=2023&source=police&org_unit_scheme=divipola"
    )
    html = client.get(f"/indicators/dhis2/?{narino}").content
    assert b'data-testid="several-levels"' in html


def test_names_and_sources_a_spreadsheet_would_run_are_never_formulas(client, figures):
    """Territory names and population sources come from files people made."""
    municipalities = list(Territory.objects.filter(parent=figures.cauca).order_by("pk"))
    names, sources = [*PAYLOADS[:3], PAYLOADS[6]], PAYLOADS[3:6]
    for territory, name in zip(municipalities, names, strict=True):
        territory.name = name
        territory.save()
    # The populations shown: Popayán's, Municipio 2's and Cauca's (the total row).
    for territory, source in zip([*municipalities[:2], figures.cauca], sources, strict=True):
        Population.objects.filter(territory=territory, year=2023).update(source=source)

    response = client.get(f"/indicators/export.csv?{selection(figures)}")
    assert_csv_neutralises(response.content.decode(), PAYLOADS)
    response = client.get(f"/indicators/export.xlsx?{selection(figures)}")
    assert_xlsx_neutralises(b"".join(response.streaming_content), PAYLOADS)
