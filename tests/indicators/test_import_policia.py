"""The Policía Nacional's yearly homicide file, imported as published."""

from __future__ import annotations

import datetime

import pytest
from django.core.management.base import CommandError
from django.db.models import Sum

from convivencia.accounts.models import AuditEntry
from convivencia.core.dates import parse_date
from convivencia.indicators import periods, rates, revisions
from convivencia.indicators.importers import policia
from convivencia.indicators.models import DataValue, Extraction, Total
from convivencia.territories.models import Territory
from tests.indicators.conftest import (
    data_counts,
    first_row_of,
    policia_copy,
    policia_grid,
    run,
)

pytestmark = pytest.mark.usefixtures("english")

NATIONAL_TOTAL_2023 = 13_555  # the file's TOTAL row


def municipality(code: str) -> Territory:
    return Territory.objects.with_code("divipola", code).get()


def yearly_sum(code: str) -> float:
    return (
        DataValue.objects.current()
        .filter(territory=municipality(code), period__startswith="2023-")
        .aggregate(total=Sum("value"))["total"]
    )


def file_sum(path, code: str) -> float:
    """A municipality's sum computed from the workbook itself, independently of the importer."""
    return sum(
        row[7]
        for index, row in enumerate(policia_grid(path))
        if index > 9 and str(row[6]).startswith(code)
    )


@pytest.fixture
def imported(divipola, policia_file) -> str:
    return run("import_crime", "policia-co", policia_file)


def test_the_2023_file_imports_and_the_national_sum_equals_its_total_row(imported):
    extraction = Extraction.objects.get()
    assert extraction.dataset == "policia-co:homicides:2023"
    assert extraction.format == "policia-co"
    assert extraction.total == NATIONAL_TOTAL_2023
    assert extraction.values == DataValue.objects.count()
    assert len(extraction.checksum) == 64
    assert DataValue.objects.aggregate(total=Sum("value"))["total"] == NATIONAL_TOTAL_2023
    assert Total.objects.aggregate(total=Sum("value"))["total"] == NATIONAL_TOTAL_2023
    assert "The rows add up to the file's TOTAL row: 13,555." in imported


def test_the_national_rate_counts_the_published_national_figure(imported):
    """Through the territory tree (municipalities → departments → Colombia), as pages do."""
    colombia = Territory.objects.with_code("iso", "CO").get()
    counted = rates.count(
        DataValue.objects.first().element_id, colombia, periods.parse("2023"), "police"
    )
    assert counted.value == NATIONAL_TOTAL_2023
    assert len(counted.periods) == 12


def test_bogota_and_popayan_yearly_sums_match_the_file(imported, policia_file):
    assert yearly_sum("11001") == file_sum(policia_file, "11001") == 1084
    assert yearly_sum("19001") == file_sum(policia_file, "19001") == 71


def test_the_extraction_date_in_the_footer_becomes_the_revision_note(imported):
    note = Extraction.objects.get().note
    assert "DATOS EXTRAIDOS EL DIA 1 DE MAYO DE 2024" in note
    assert policia.extraction_date(note) == datetime.date(2024, 5, 1)
    assert "Extraction: 2024-05-01" in imported


def test_values_are_monthly_by_sex_age_group_and_weapon_from_police_records(imported):
    values = DataValue.objects.all()
    assert set(values.values_list("period_type", flat=True)) == {"month"}
    assert set(values.values_list("source", flat=True)) == {"police"}
    assert set(values.values_list("sex", flat=True)) == {"female", "male"}
    assert set(values.values_list("age_group", flat=True)) == {"0_11", "12_17", "18_plus"}
    assert set(values.values_list("weapon", flat=True)) == {
        "arma-de-fuego",
        "arma-blanca-cortopunzante",
        "contundentes",
        "artefacto-explosivo-carga-dinamita",
    }
    assert values.filter(period="2023-01").exists() and values.filter(period="2023-12").exists()


def test_the_import_is_audited(imported):
    entry = AuditEntry.objects.get(action="import")
    assert entry.object_id == str(Extraction.objects.get().pk)
    assert entry.changes["total"] == NATIONAL_TOTAL_2023


def test_importing_the_same_file_again_changes_nothing_and_says_so(imported, policia_file):
    before = list(DataValue.objects.order_by("pk").values_list("pk", "deleted_at"))
    output = run("import_crime", "policia-co", policia_file)
    assert "already imported as extraction" in output and "nothing changed" in output
    assert Extraction.objects.count() == 1
    assert list(DataValue.objects.order_by("pk").values_list("pk", "deleted_at")) == before


def test_a_copy_whose_rows_do_not_add_up_to_the_total_is_refused_with_both_numbers(
    divipola, policia_file, tmp_path
):
    index, _day, quantity = first_row_of(policia_file, "19001")
    changed = policia_copy(policia_file, tmp_path / "homicidios.xlsx", change={index: quantity + 1})
    before = data_counts()
    with pytest.raises(CommandError) as refused:
        run("import_crime", "policia-co", changed)
    message = str(refused.value)
    assert "the rows add up to 13,556 but the TOTAL row says 13,555" in message
    assert "homicidios.xlsx, row 11374, column “CANTIDAD”" in message
    assert data_counts() == before


def test_a_second_extraction_replaces_the_first_and_the_diff_shows_the_change(
    imported, policia_file, tmp_path
):
    first = Extraction.objects.get()
    index, day, quantity = first_row_of(policia_file, "19001")
    revised = policia_copy(
        policia_file,
        tmp_path / "homicidios_junio.xlsx",
        change={index: quantity + 1},
        total=NATIONAL_TOTAL_2023 + 1,
        footer="FUENTE: DIJIN-POLICÍA NACIONAL. DATOS EXTRAIDOS EL DIA 1 DE JUNIO DE 2024.",
    )
    output = run("import_crime", "policia-co", revised)
    second = Extraction.objects.exclude(pk=first.pk).get()
    assert second.replaces == first
    assert policia.extraction_date(second.note) == datetime.date(2024, 6, 1)
    assert f"It replaces extraction {first.pk}" in output
    # The old values are kept, soft-deleted; only the new ones are current.
    assert DataValue.objects.filter(extraction=first, deleted_at__isnull=True).count() == 0
    assert DataValue.objects.filter(extraction=first).count() == first.values
    assert DataValue.objects.current().aggregate(total=Sum("value"))["total"] == 13_556
    assert Total.objects.aggregate(total=Sum("value"))["total"] == 13_556
    assert yearly_sum("19001") == 72

    changes = revisions.diff(second)
    assert len(changes) == 1
    change = changes[0]
    assert (change["territory"], change["period"]) == ("Popayán", f"{day:%Y-%m}")
    assert change["new"] - change["old"] == change["change"] == 1
    assert change["status"] == "changed"


def test_a_dry_run_writes_nothing(divipola, policia_file):
    before = data_counts()
    output = run("import_crime", "policia-co", policia_file, "--dry-run")
    assert "Dry run: nothing was written." in output
    assert "13,555" in output and "first extraction" in output
    assert data_counts() == before


# --- variants and bad files (small CSV files in the same shape) ---------------------------

# As a spreadsheet saves the preamble: every line has the table's separators.
PREAMBLE = (
    "MINISTERIO DE DEFENSA NACIONAL;;;;;;;\n"
    "POLICÍA NACIONAL;;;;;;;\n"
    ";;;;;;;\n"
    "HURTO A PERSONAS;;;;;;;\n"
    "PERÍODO DEL 01 DE ENERO AL 31 DE MARZO DEL 2024;;;;;;;\n"
)
HEADER = "DEPARTAMENTO;MUNICIPIO;CODIGO DANE;ARMA EMPLEADA;FECHA;SEXO;EDAD;CANTIDAD \n"


def test_header_variants_day_month_dates_and_excel_serials_are_read(divipola, write_file):
    path = write_file(
        "hurto.csv",
        PREAMBLE
        + HEADER
        + (
            "CAUCA;Popayán (CT);19001000;ARMA DE FUEGO;15/01/2024;MUJER;34;2\n"
            "CAUCA;Popayán (CT);19001000;ARMA DE FUEGO;45322;MUJER;ADULTOS;1\n"  # 2024-01-31
            "NARIÑO;Pasto (CT);52001004;CONTUNDENTES;2024-03-31;HOMBRE;15;3\n"
            "TOTAL;;;;;;;6\n"
            "FUENTE: DIJIN. Fecha de extracción: 3 de abril de 2024. Cifras sujetas a variación.\n"
        ),
    )
    output = run("import_crime", "policia-co", path, "--element", "theft")
    extraction = Extraction.objects.get()
    assert extraction.dataset == "policia-co:theft:2024"
    assert extraction.note.startswith("FUENTE: DIJIN. Fecha de extracción")
    january = DataValue.objects.get(territory=municipality("19001"))
    assert (january.period, january.value, january.sex, january.age_group) == (
        "2024-01",
        3,
        "female",
        "18_plus",
    )
    pasto = DataValue.objects.get(territory=municipality("52001"))
    assert (pasto.period, pasto.age_group, pasto.weapon) == ("2024-03", "12_17", "contundentes")
    assert "1 rows name a populated centre" in output


def test_an_unknown_municipality_names_its_row_and_code(divipola, write_file):
    path = write_file(
        "hurto.csv",
        PREAMBLE
        + HEADER
        + (
            "CAUCA;Popayán (CT);19001000;ARMA DE FUEGO;15/01/2024;MUJER;34;2\n"
            "CAUCA;Ninguno (CT);19999000;ARMA DE FUEGO;15/01/2024;MUJER;34;2\n"
        ),
    )
    before = data_counts()
    with pytest.raises(CommandError) as refused:
        run("import_crime", "policia-co", path, "--element", "theft")
    assert (
        "hurto.csv, row 8, column “CODIGO DANE”: no municipality has the DIVIPOLA code "
        "19999 (Ninguno, CAUCA)"
    ) in str(refused.value)
    assert data_counts() == before


def test_every_bad_cell_is_listed_and_nothing_is_written(divipola, write_file):
    path = write_file(
        "hurto.csv",
        PREAMBLE
        + HEADER
        + (
            "CAUCA;Popayán;19001000;ARMA DE FUEGO;2023-12-31;MUJER;34;2\n"
            "CAUCA;Popayán;19001000;ARMA DE FUEGO;mañana;MUJER;34;2\n"
            "CAUCA;Popayán;19001000;ARMA DE FUEGO;2024-01-02;X;34;dos\n"
            "CAUCA;Popayán;190010;ARMA DE FUEGO;2024-01-02;MUJER;34;1\n"
        ),
    )
    before = data_counts()
    with pytest.raises(CommandError) as refused:
        run("import_crime", "policia-co", path, "--element", "theft")
    message = str(refused.value)
    assert "4 problem(s) found" not in message  # there are five
    assert "5 problem(s) found; nothing was imported." in message
    assert "row 7, column “FECHA”: 2023-12-31 is outside the period the file announces" in message
    assert "row 8, column “FECHA”: “mañana” is not a date" in message
    assert "row 9, column “SEXO”: “X” is not a sex" in message
    assert "row 9, column “CANTIDAD”: “dos” is not a whole number" in message
    assert "row 10, column “CODIGO DANE”: “190010” is neither" in message
    assert data_counts() == before


def test_a_file_about_another_crime_is_not_stored_as_homicides(divipola, write_file):
    path = write_file(
        "hurto.csv",
        PREAMBLE + HEADER + ("CAUCA;Popayán (CT);19001000;ARMA DE FUEGO;15/01/2024;MUJER;34;2\n"),
    )
    with pytest.raises(CommandError) as refused:
        run("import_crime", "policia-co", path)
    assert (
        "the file is about “HURTO A PERSONAS”, not homicides; choose the data element "
        "(--element theft or robbery)"
    ) in str(refused.value)
    run("import_crime", "policia-co", path, "--element", "robbery")
    assert DataValue.objects.get().element.code == "robbery"


def test_a_file_without_the_policia_columns_is_refused(divipola, write_file):
    path = write_file("otro.csv", "MUNICIPIO;FECHA;TOTAL\nPopayán;2024-01-01;3\n")
    with pytest.raises(CommandError, match="no header row with the Policía's columns"):
        run("import_crime", "policia-co", path)


def test_a_missing_column_is_named(divipola, write_file):
    path = write_file("hurto.csv", "CODIGO DANE;CANTIDAD\n19001000;2\n")
    with pytest.raises(CommandError) as refused:
        run("import_crime", "policia-co", path)
    assert "hurto.csv, row 1, column “FECHA HECHO”: missing column" in str(refused.value)


def test_municipalities_must_be_imported_first(db, write_file):
    path = write_file("hurto.csv", PREAMBLE + HEADER)
    with pytest.raises(CommandError, match="import_territories divipola"):
        run("import_crime", "policia-co", path)


def test_dane_codes_are_cut_to_the_municipality():
    assert policia.municipality_code("91001000") == "91001"
    assert policia.municipality_code("5001000") == "05001"  # a spreadsheet dropped the zero
    assert policia.municipality_code("5001") == "05001"
    assert policia.municipality_code("19001") == "19001"
    for bad in ("", "19001a", "190010", "123"):
        with pytest.raises(ValueError):
            policia.municipality_code(bad)


def test_excel_serial_dates_are_converted():
    assert parse_date("45009", day_first=True) == datetime.date(2023, 3, 24)
    assert parse_date("45009.0", day_first=True) == datetime.date(2023, 3, 24)
    assert parse_date("2023-03-22T00:00:00", day_first=True) == datetime.date(2023, 3, 22)
    assert parse_date("22/03/2023 00:00", day_first=True) == datetime.date(2023, 3, 22)
