"""import_territories divipola: the real DANE file, header variants, and bad files."""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management.base import CommandError
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from convivencia.territories.choices import Level, Scheme
from convivencia.territories.models import Territory
from tests.territories.conftest import database_counts, run

HEADER = "cod_mpio,cod_dpto,nom_dpto,nom_mpio,area_km2\n"


def territory(scheme: str, code: str) -> Territory:
    return Territory.objects.with_code(scheme, code).get()


@pytest.mark.django_db
def test_the_real_file_gives_33_departments_and_1122_municipalities(colombia):
    country = territory(Scheme.ISO, "CO")
    assert Territory.objects.within(country).regions().count() == 33
    assert Territory.objects.within(country).municipalities().count() == 1122
    assert set(Territory.objects.regions().values_list("kind", flat=True)) == {"departamento"}


@pytest.mark.django_db
def test_popayan_is_19001_under_cauca_which_is_co_cau(colombia):
    popayan = territory(Scheme.DIVIPOLA, "19001")
    assert popayan.name == "Popayán"
    assert popayan.level == Level.MUNICIPALITY
    assert popayan.kind == "municipio"
    assert popayan.area_km2 == Decimal("480.180")
    assert popayan.parent == territory(Scheme.ISO, "CO-CAU")
    assert popayan.parent == territory(Scheme.DIVIPOLA, "19")
    assert popayan.parent.name == "Cauca"
    assert popayan.is_within(territory(Scheme.ISO, "CO"))


@pytest.mark.django_db
def test_municipality_names_become_readable_and_the_official_spelling_stays_searchable(colombia):
    cucuta = territory(Scheme.DIVIPOLA, "54001")
    assert cucuta.name == "San José de Cúcuta"
    assert list(cucuta.names.values_list("name", flat=True)) == ["SAN JOSÉ DE CÚCUTA"]
    bogota = territory(Scheme.DIVIPOLA, "11")
    assert bogota.code(Scheme.ISO) == "CO-DC"
    assert Territory.objects.search("BOGOTÁ, D.C.").filter(pk=bogota.pk).exists()


@pytest.mark.django_db
def test_every_path_is_set_after_the_bulk_insert(colombia):
    assert not Territory.objects.filter(path="").exists()
    popayan = territory(Scheme.DIVIPOLA, "19001")
    assert popayan.path == f"{popayan.parent.path}{popayan.pk}/"
    assert [t.name for t in popayan.ancestors()] == ["Colombia", "Cauca"]


@pytest.mark.django_db
def test_reimporting_the_same_file_changes_nothing(colombia):
    before = database_counts()
    output = run("import_territories", "divipola", colombia)
    assert "Total: created 0, updated 0, unchanged 1156" in output
    assert database_counts() == before


@pytest.mark.django_db
def test_a_changed_name_in_a_second_file_reports_updated(write_file):
    first = write_file("first.csv", HEADER + "19001,19,CAUCA,POPAYAN,480.18\n")
    run("import_territories", "divipola", first)
    output = run(
        "import_territories",
        "divipola",
        write_file("second.csv", HEADER + "19001,19,CAUCA,POPAYÁN,480.18\n"),
    )
    assert "Municipality: created 0, updated 1, unchanged 0" in output
    assert territory(Scheme.DIVIPOLA, "19001").name == "Popayán"


@pytest.mark.django_db
def test_dane_download_headers_and_codes_without_leading_zero_are_accepted(write_file):
    path = write_file(
        "divipola.csv",
        (
            "Código Departamento,Nombre Departamento,Código Municipio,Nombre Municipio\n"
            "5,ANTIOQUIA,5001,MEDELLÍN\n"
        ),
    )
    run("import_territories", "divipola", path)
    medellin = territory(Scheme.DIVIPOLA, "05001")
    assert (medellin.name, medellin.parent.code(Scheme.ISO)) == ("Medellín", "CO-ANT")


@pytest.mark.django_db
def test_shapefile_headers_are_accepted(write_file):
    path = write_file(
        "mgn.csv", "DPTO_CCDGO,MPIO_CCNCT,MPIO_CNMBR,DPTO_CNMBR\n19,19001,POPAYÁN,CAUCA\n"
    )
    run("import_territories", "divipola", path)
    assert territory(Scheme.DIVIPOLA, "19001").name == "Popayán"


@pytest.mark.django_db
def test_a_latin1_file_with_semicolons_and_decimal_commas_imports(write_file):
    path = write_file(
        "latin1.csv",
        "cod_mpio;cod_dpto;nom_dpto;nom_mpio;area_km2\r\n19001;19;CAUCA;POPAYÁN;480,18\r\n",
        encoding="cp1252",
    )
    run("import_territories", "divipola", path)
    popayan = territory(Scheme.DIVIPOLA, "19001")
    assert (popayan.name, popayan.area_km2) == ("Popayán", Decimal("480.180"))


# --- bad files: every problem named, nothing written -------------------------------------


def assert_refused(path: Path, *expected: str) -> str:
    before = database_counts()
    with pytest.raises(CommandError) as caught:
        run("import_territories", "divipola", path)
    message = str(caught.value)
    for text in expected:
        assert text in message
    assert database_counts() == before
    return message


@pytest.mark.django_db
def test_a_missing_column_is_named_and_nothing_is_written(write_file):
    path = write_file("no_name.csv", "cod_mpio,cod_dpto\n19001,19\n")
    assert_refused(path, "no_name.csv, row 1, column “nom_mpio”: missing column")


@pytest.mark.django_db
def test_an_unknown_department_code_is_named_and_nothing_is_written(write_file):
    path = write_file("unknown.csv", HEADER + "19001,19,CAUCA,POPAYÁN,480.18\n77001,77,X,Y,1\n")
    assert_refused(
        path,
        "unknown.csv, row 3, column “cod_dpto”: unknown department code 77",
    )
    assert not Territory.objects.exists()


@pytest.mark.django_db
def test_a_non_numeric_area_is_named_and_nothing_is_written(write_file):
    path = write_file("area.csv", HEADER + "19001,19,CAUCA,POPAYÁN,grande\n")
    assert_refused(path, "area.csv, row 2, column “area_km2”: “grande” is not a number")


@pytest.mark.django_db
def test_a_binary_file_is_refused_with_file_row_and_column(write_file):
    path = write_file("binary.csv", b"cod_mpio,nom_mpio\n19001,\x81\x8d\x8f\x90\x9d\xff\n")
    assert_refused(
        path,
        "binary.csv, row 2, column “nom_mpio”",
        "neither UTF-8 nor Latin-1",
    )


@pytest.mark.django_db
def test_every_problem_is_listed_not_only_the_first(write_file):
    path = write_file(
        "many.csv",
        HEADER
        + (
            "19001,19,CAUCA,POPAYÁN,x\n"
            "19002,18,CAUCA,OTRO,1\n"
            "1900100,19,CAUCA,LARGO,1\n"
            "19001,19,CAUCA,POPAYÁN,480\n"
        ),
    )
    message = assert_refused(
        path,
        "row 2, column “area_km2”",
        "row 3, column “cod_mpio”: municipality 19002 does not start with its department code 18",
        "row 4, column “cod_mpio”: “1900100” has more than 5 digits",
    )
    assert message.startswith("3 problem(s) found; nothing was imported.")


@pytest.mark.django_db
def test_only_the_first_fifty_problems_are_listed_with_a_count_of_the_rest(write_file):
    rows = "".join(f"19{n:03d},19,CAUCA,X,not-a-number\n" for n in range(1, 61))
    message = assert_refused(write_file("sixty.csv", HEADER + rows), "…and 10 more.")
    assert message.count("\n- ") == 50


@pytest.mark.django_db
def test_codes_already_held_by_two_territories_are_a_problem_not_a_merge(write_file):
    from convivencia.territories import services

    colombia = services.ensure_country("CO")
    services.upsert_territory(
        parent=colombia, level=Level.REGION, name="Cauca (ISO)", codes={Scheme.ISO: "CO-CAU"}
    )
    services.upsert_territory(
        parent=colombia, level=Level.REGION, name="Cauca (DANE)", codes={Scheme.DIVIPOLA: "19"}
    )
    assert_refused(
        write_file("clash.csv", HEADER + "19001,19,CAUCA,POPAYÁN,480\n"),
        "2 different territories",
    )


# --- random input: a CommandError or an import, never a crash ----------------------------

CELLS = st.one_of(
    st.sampled_from(
        [
            "05001",
            "5001",
            "19001",
            "19",
            "5",
            "99",
            "77001",
            "",
            "1.5",
            "480,18",
            "POPAYÁN",
            "BOGOTÁ, D.C.",
            '"',
            "NaN",
            "-1",
            "1e309",
            "٠٥",
        ]
    ),
    st.text(max_size=12),
)
HEADERS = st.sampled_from(
    [
        ["cod_mpio", "cod_dpto", "nom_dpto", "nom_mpio", "area_km2"],
        ["cod_mpio", "nom_mpio"],
        ["Código Municipio", "Nombre Municipio", "Código Departamento"],
        ["cod_dpto", "nom_dpto"],
        ["nom_mpio"],
    ]
)


@st.composite
def tables(draw) -> bytes:
    headers = draw(HEADERS)
    rows = draw(
        st.lists(st.lists(CELLS, min_size=len(headers), max_size=len(headers) + 1), max_size=5)
    )
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    lines = [delimiter.join(headers), *(delimiter.join(row) for row in rows)]
    text = "\n".join(lines)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    return text.encode(encoding, errors="replace")


@st.composite
def plausible_tables(draw) -> bytes:
    """Mostly right, so that a good share of examples get as far as writing."""
    codes = draw(
        st.lists(
            st.sampled_from(["19001", "19002", "19256", "05001", "5002", "19x01"]),
            min_size=1,
            max_size=4,
            unique=True,
        )
    )
    rows = []
    for code in codes:
        rows.append(
            (
                code,
                code.zfill(5)[:2],
                draw(st.sampled_from(["CAUCA", "Cauca", ""]))
                if code.startswith("19")
                else "ANTIOQUIA",
                draw(
                    st.one_of(
                        st.sampled_from(["POPAYÁN", "MEDELLÍN", "EL TAMBO"]), st.text(max_size=8)
                    )
                ),
                draw(st.sampled_from(["480.18", "480,18", "", "x"])),
            )
        )
    lines = [HEADER.strip(), *(",".join(row) for row in rows)]
    return "\n".join(lines).encode(draw(st.sampled_from(["utf-8", "cp1252"])), errors="replace")


@pytest.mark.django_db
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content=st.one_of(tables(), plausible_tables(), st.binary(max_size=200)))
def test_random_input_either_imports_or_is_refused_without_writing(content: bytes):
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "random.csv"
        path.write_bytes(content)
        before = database_counts()
        try:
            run("import_territories", "divipola", path)
        except CommandError:
            event("refused")
            assert database_counts() == before
        else:
            event("imported")
