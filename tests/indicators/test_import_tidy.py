"""The documented tidy table: encodings, separators, thousands, and every problem listed."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management.base import CommandError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convivencia.core import numbers
from convivencia.core.reading import BadFile
from convivencia.indicators.choices import ValueType
from convivencia.indicators.importers import common, tidy
from convivencia.indicators.importers.common import Options
from convivencia.indicators.models import DataElement, DataValue, Extraction
from tests.factories import make_colombia
from tests.indicators.conftest import data_counts, run

pytestmark = pytest.mark.usefixtures("english")

HEADER = "territory_code;scheme;period;data_element;value;sex;source;comment\n"


@pytest.fixture
def places(db):
    return make_colombia()


def test_a_latin1_semicolon_file_with_thousands_separators_imports(places, write_file):
    path = write_file(
        "cifras.csv",
        HEADER
        + (
            "19001;divipola;2023;homicides;1.234;femenino;policía;Cifra revisada según DIJIN\n"
            "19001;divipola;2023;homicides;2.345;masculino;Police records;\n"
            "52001;DIVIPOLA;2023-03;theft;12;;fiscalía;\n"
            "CO-CAU;iso;2023Q1;theft;7;;police;\n"
        ),
        encoding="latin-1",
    )
    output = run("import_crime", "tidy", path)
    extraction = Extraction.objects.get()
    assert (extraction.dataset, extraction.values, extraction.total) == (
        "tidy:cifras",
        4,
        1234 + 2345 + 12 + 7,
    )
    female = DataValue.objects.get(territory=places.popayan, sex="female")
    assert (female.value, female.source, female.period_type) == (1234, "police", "year")
    assert female.comment == "Cifra revisada según DIJIN"
    assert DataValue.objects.get(territory=places.pasto).source == "prosecutor"
    assert DataValue.objects.get(territory=places.cauca).period == "2023Q1"
    assert "created 4" in output


def test_a_comma_file_reads_quoted_thousands_with_commas(places, write_file):
    path = write_file(
        "figures.csv",
        (
            "territory_code,scheme,period,data_element,value,source\n"
            '19001,divipola,2023,homicides,"1,234",police\n'
            "5001,divipola,2023,homicides,5,police\n"
        ),
    )
    with pytest.raises(CommandError, match="no territory has the divipola code 5001"):
        run("import_crime", "tidy", path)  # Medellín is not in the small tree
    path.write_text(path.read_text().replace("5001,", "52001,"))
    run("import_crime", "tidy", path)
    assert DataValue.objects.get(territory=places.popayan).value == 1234


def test_a_decimal_comma_with_thousands_points_is_one_number(places, write_file):
    DataElement.objects.create(code="arrests_per_officer", value_type=ValueType.NUMBER)
    path = write_file(
        "tasas.csv",
        HEADER
        + (
            "19001;divipola;2023;arrests_per_officer;1.234,5;;police;\n"
            "52001;divipola;2023;arrests_per_officer;0,25;;police;\n"
            "52001;divipola;2022;arrests_per_officer;1.234;;police;\n"
        ),
    )
    run("import_crime", "tidy", path)
    values = dict(DataValue.objects.filter(territory=places.pasto).values_list("period", "value"))
    assert values == {"2023": 0.25, "2022": 1234}
    assert DataValue.objects.get(territory=places.popayan).value == 1234.5


def test_a_column_mixing_decimal_commas_and_points_is_refused(places, write_file):
    path = write_file(
        "mixed.csv",
        HEADER
        + (
            "19001;divipola;2023;homicides;1.234,0;;police;\n"
            "52001;divipola;2023;homicides;1,234.0;;police;\n"
        ),
    )
    with pytest.raises(CommandError) as refused:
        run("import_crime", "tidy", path)
    assert (
        "mixed.csv, row 1, column “value”: the column mixes decimal commas (rows 2) and "
        "decimal points (rows 3)"
    ) in str(refused.value)


def test_an_ambiguous_value_is_refused_where_decimals_are_possible(places, write_file):
    DataElement.objects.create(code="arrests_per_officer", value_type=ValueType.NUMBER)
    path = write_file(
        "ambiguous.csv", HEADER + ("19001;divipola;2023;arrests_per_officer;1.234;;police;\n")
    )
    with pytest.raises(CommandError) as refused:
        run("import_crime", "tidy", path)
    assert "row 2, column “value”: “1.234” is ambiguous: 1234 or 1.234?" in str(refused.value)


def test_unknown_element_territory_period_and_source_are_listed_by_row_and_column(
    places, write_file
):
    path = write_file(
        "bad.csv",
        HEADER
        + (
            "19001;divipola;2023;homicides;3;;police;\n"
            "19001;divipola;2023;robos;3;;police;\n"
            "99999;divipola;2023;homicides;3;;police;\n"
            "19001;divipola;2023-13;homicides;3;;police;\n"
            "19001;divipola;2022;homicides;3;;vecinos;\n"
            "19001;postal;2022;homicides;3;;police;\n"
            "19001;divipola;2021;homicides;tres;;police;\n"
            "19001;divipola;2021;homicides;-3;x;police;\n"
            "19001;divipola;2023;homicides;4;;police;\n"
        ),
    )
    before = data_counts()
    with pytest.raises(CommandError) as refused:
        run("import_crime", "tidy", path)
    message = str(refused.value)
    for expected in (
        "bad.csv, row 3, column “data_element”: no data element has the code or DHIS2 uid “robos”",
        "bad.csv, row 4, column “territory_code”: no territory has the divipola code 99999",
        "bad.csv, row 5, column “period”: “2023-13” is not a period",
        "bad.csv, row 6, column “source”: “vecinos” is not a source",
        "bad.csv, row 7, column “scheme”: “postal” is not a code scheme",
        "bad.csv, row 8, column “value”: “tres” is not a number",
        "bad.csv, row 9, column “value”: -3 is negative",
        "bad.csv, row 9, column “sex”: “x” is not a sex",
        "bad.csv, row 10: a second value for the same data element, territory, period, "
        "source and disaggregation (first in row 2)",
    ):
        assert expected in message
    assert "9 problem(s) found; nothing was imported." in message
    assert data_counts() == before


def test_a_bad_cell_repeated_is_a_problem_on_every_row_it_is_on(places, write_file):
    # Each distinct text is parsed once per file: its problem must still be placed on
    # every row, not only the first.
    path = write_file(
        "repeated.csv",
        HEADER
        + (
            "99999;divipola;2023-01;homicides;3;x;vecinos;\n"
            "99999;divipola;2023-02;homicides;3;x;vecinos;\n"
            "19001;divipola;2023-03;homicides;-3;;police;\n"
            "19001;divipola;2023-04;homicides;-3;;police;\n"
        ),
    )
    with pytest.raises(CommandError) as refused:
        run("import_crime", "tidy", path)
    message = str(refused.value)
    for row in (2, 3):
        assert (
            f"row {row}, column “territory_code”: no territory has the divipola code "
            "99999" in message
        )
        assert f"row {row}, column “sex”: “x” is not a sex" in message
        assert f"row {row}, column “source”: “vecinos” is not a source" in message
    for row in (4, 5):
        assert f"row {row}, column “value”: -3 is negative" in message
    assert "8 problem(s) found" in message


def test_values_are_stored_with_every_field_bulk_create_would_give(
    places, write_file, django_user_model
):
    path = write_file(
        "fields.csv",
        HEADER
        + (
            "19001;divipola;2023-03;homicides;3;femenino;police;revisada\n"
            "19001;divipola;2023W05;homicides;2;;police;\n"
        ),
    )
    user = django_user_model.objects.create_user("ana", password="x")
    plan = tidy.check(path)
    common.write(plan, user=user)
    extraction = Extraction.objects.get()
    month = DataValue.objects.get(period="2023-03")
    assert (month.period_type, month.start.isoformat(), month.end.isoformat()) == (
        "month",
        "2023-03-01",
        "2023-03-31",
    )
    assert (month.sex, month.age_group, month.weapon, month.subtype, month.comment) == (
        "female",
        "",
        "",
        "",
        "revisada",
    )
    assert (month.value, month.source, month.element.code) == (3, "police", "homicides")
    assert (month.extraction, month.stored_by, month.deleted_at) == (extraction, user, None)
    assert abs(month.stored_at - extraction.imported_at) < datetime.timedelta(minutes=1)
    week = DataValue.objects.get(period="2023W05")
    assert (week.start.isoformat(), week.end.isoformat()) == ("2023-01-30", "2023-02-05")
    assert week.stored_at == month.stored_at
    assert list(DataValue.objects.current().filter(stored_at__lte=timezone.now())) != []


def test_a_missing_column_is_named_with_its_accepted_names(places, write_file):
    path = write_file("short.csv", "territory_code;scheme;period;value;source\n")
    with pytest.raises(CommandError) as refused:
        run("import_crime", "tidy", path)
    assert (
        "short.csv, row 1, column “data_element”: missing column (also accepted: elemento"
        in str(refused.value)
    )


def test_the_source_may_come_from_the_import_instead_of_a_column(places, write_file):
    path = write_file(
        "nosource.csv",
        "territory_code;scheme;period;data_element;value\n19001;divipola;2023;homicides;3\n",
    )
    with pytest.raises(CommandError, match="or name the source of every row"):
        run("import_crime", "tidy", path)
    run("import_crime", "tidy", path, "--source", "forensic")
    assert DataValue.objects.get().source == "forensic"


def test_a_file_in_another_encoding_is_refused(places, write_file):
    path = write_file(
        "utf16.csv", HEADER + "19001;divipola;2023;homicides;3;;police;\n", encoding="utf-16"
    )
    before = data_counts()
    with pytest.raises(CommandError, match=r"utf16\.csv: is not a text table"):
        run("import_crime", "tidy", path)
    assert data_counts() == before


def test_another_datasets_cell_is_not_overwritten_silently(places, write_file):
    line = "19001;divipola;2023;homicides;3;;police;\n"
    first = write_file("first.csv", HEADER + line)
    second = write_file("second.csv", HEADER + line.replace(";3;", ";4;"))
    run("import_crime", "tidy", first)
    with pytest.raises(CommandError) as refused:
        run("import_crime", "tidy", second)
    assert "second.csv, row 2: this cell already has a value from dataset “tidy:first”" in str(
        refused.value
    )
    assert "(--dataset tidy:first)" in str(refused.value)
    output = run("import_crime", "tidy", second, "--dataset", "tidy:first")
    assert "It replaces extraction" in output
    assert DataValue.objects.current().get().value == 4


def test_an_xlsx_table_is_read_with_its_numbers(places, tmp_path):
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["territory_code", "scheme", "period", "data_element", "value", "source"])
    sheet.append(["19001", "divipola", "2023-05", "homicides", 6, "police"])
    sheet.append([52001, "divipola", "2023-05", "homicides", 1234, "police"])
    path = tmp_path / "tidy.xlsx"
    workbook.save(path)
    run("import_crime", "tidy", path)
    assert DataValue.objects.get(territory=places.pasto).value == 1234


# --- the number reader --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "decimal", "whole", "expected"),
    [
        ("1.234", None, True, "1234"),
        ("1,234", None, True, "1234"),
        ("1.234,5", ",", False, "1234.5"),
        ("1,234.5", ".", False, "1234.5"),
        ("1 234", None, True, "1234"),
        ("1.234.567", ",", True, "1234567"),
        ("0,5", ",", False, "0.5"),
        ("-12", None, True, "-12"),
    ],
)
def test_numbers_are_read_with_the_columns_separator(text, decimal, whole, expected):
    assert tidy.parse_value(text, decimal, whole=whole) == Decimal(expected)


def test_what_a_value_reveals_about_the_decimal_separator():
    assert numbers.reveals("1.234") is None
    assert numbers.reveals("12,5") == ","
    assert numbers.reveals("0.123") == "."
    assert numbers.reveals("1.234.567") == ","
    assert numbers.reveals("1.234,5") == ","
    assert numbers.decide([(2, "1.234"), (3, "5")]).decimal is None
    assert numbers.decide([(2, "1.234"), (3, "0,5")]).decimal == ","


# --- hypothesis: whatever the cells, only listed problems ---------------------------------

cells = st.one_of(
    st.sampled_from(
        [
            "19001",
            "52001",
            "5001",
            "",
            "divipola",
            "iso",
            "2023",
            "2023-02",
            "2023S1",
            "homicides",
            "theft",
            "police",
            "1.234",
            "1,5",
            "x",
            "-1",
            "female",
            "0_11",
        ]
    ),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=8),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.lists(cells, min_size=7, max_size=7), min_size=1, max_size=5))
def test_random_cells_give_a_plan_or_problems_placed_by_row_and_column(places, tmp_path, rows):
    header = ["territory_code", "scheme", "period", "data_element", "value", "sex", "source"]
    lines = [";".join(header)] + [
        ";".join(
            cell.replace(";", "").replace('"', "").replace("\n", "").replace("\r", "")
            for cell in row
        )
        for row in rows
    ]
    path = Path(tmp_path) / "random.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = data_counts()
    try:
        plan = tidy.check(path, options=Options())
    except BadFile as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.file == "random.csv"
            assert problem.message
            # A problem is placed: at a row (and, but for whole-row ones, a column).
            assert problem.row is not None or problem.column is None
    else:
        assert 1 <= len(plan.values) <= len(rows)
        assert all(planned.value >= 0 for planned in plan.values.values())
    assert data_counts() == before
