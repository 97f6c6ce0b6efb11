"""Every importer, fed bad files: it refuses with a message and writes nothing, or imports.

For each importer (territories, population, boundaries, interventions, panel roster
and responses, the four crime formats) hypothesis builds hostile input: random bytes,
empty files, a header alone, the real header over random cells (control characters,
formulas, huge numbers, long text), duplicated headers, other encodings, truncated
files, and the same as .xlsx with formula cells. Each goes through the importer's
command, as an administrator would run it. The only exception allowed is the
command's own refusal (CommandError) with a message; after a refusal every table
of the domain apps has exactly the rows it had.
"""

from __future__ import annotations

import io
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convivencia.core.reading import Column
from convivencia.evidence.importers import interventions
from convivencia.indicators.importers import policia, sesnsp, tidy
from convivencia.panels.importers import roster
from convivencia.panels.importers.xlsform import RESPONDENT_FIELD
from convivencia.territories.choices import Level
from convivencia.territories.importers import divipola, ibge, inegi, population
from convivencia.territories.services import ensure_country
from tests.factories import make_colombia, make_territory
from tests.panels import use_contact_key
from tests.panels.builders import make_panel
from tests.territories.workbooks import cell, sheet_xml, write_xlsx

EXAMPLES = 12
DOMAIN_APPS = ("territories", "accounts", "evidence", "panels", "indicators", "jobs")


def _first_names(columns: list[Column | None]) -> list[str]:
    return [column.names[0] for column in columns if column is not None]


def _national(codes) -> list[str]:
    return _first_names(
        [
            codes.region_code,
            codes.region_name,
            codes.municipality_code,
            codes.municipality_local_code,
            codes.municipality_name,
            codes.area,
        ]
    )


@dataclass(frozen=True)
class Importer:
    command: tuple[str, ...]  # the command and its arguments before the file
    headers: list[str]  # the columns a real file of the format has
    suffix: str = ".csv"
    options: tuple[str, ...] = ()  # arguments after the file


IMPORTERS: dict[str, Importer] = {
    "divipola": Importer(("import_territories", "divipola"), _national(divipola.DIVIPOLA)),
    "inegi": Importer(("import_territories", "inegi"), _national(inegi.INEGI)),
    "ibge": Importer(("import_territories", "ibge"), _national(ibge.IBGE)),
    "population dane": Importer(
        ("import_population", "dane"), _first_names(population._DANE_COLUMNS)
    ),
    "population worldbank": Importer(
        ("import_population", "worldbank"), _first_names(population._WORLD_BANK_COLUMNS)
    ),
    "boundaries": Importer(
        ("import_boundaries",), ["type", "features"], ".json", ("--scheme", "divipola")
    ),
    "interventions": Importer(("import_interventions",), _first_names(interventions.COLUMNS)),
    "panel roster": Importer(
        ("import_roster",),
        _first_names([roster.CODE_COLUMN, *roster.ATTRIBUTE_COLUMNS, *roster.CONTACT_COLUMNS]),
        options=("--panel", "popayan"),
    ),
    "panel responses": Importer(
        ("import_responses",),
        [RESPONDENT_FIELD, "B18", "AOJ11", "VIC1", "_uuid"],
        options=("--panel", "popayan", "--wave", "2024-03"),
    ),
    "crime policia-co": Importer(("import_crime", "policia-co"), _first_names(policia.COLUMNS)),
    "crime sesnsp-mx": Importer(
        ("import_crime", "sesnsp-mx"),
        _first_names(sesnsp.COLUMNS),
        options=("--through", "2024-12"),
    ),
    "crime tidy": Importer(("import_crime", "tidy"), _first_names(tidy.COLUMNS)),
    "crime dhis2": Importer(
        ("import_crime", "dhis2"), ["dataValues"], ".json", ("--source", "police")
    ),
}


# --- hostile input --------------------------------------------------------------------------

WEIRD_CELLS = st.sampled_from(
    [
        "",
        " ",
        "=1+1",
        '=HYPERLINK("http://example.org","x")',
        "+57 300",
        "-3",
        "@SUM(A1)",
        "9" * 400,
        "1e309",
        "-1e309",
        "NaN",
        "inf",
        "-0",
        "0x1F",
        "1.234,5",
        "1,234.5",
        "19001",
        "05001",
        "2023",
        "2023-13",
        "2024-03",
        "31/02/2023",
        "\x00",
        "\x07",
        "\u202e",
        "Popayán",
        "NARIÑO",
        "x" * 5000,
        '"',
        "a\nb",
        "a;b,c",
        "\ufeff",
        "\ufffd",
    ]
)
# Mostly printable text, so that files get past decoding to the rows' own checks.
CELLS = st.one_of(
    WEIRD_CELLS,
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=30),
    st.from_regex(r"[0-9]{1,7}([.,][0-9]{1,3})?", fullmatch=True),
    st.text(max_size=30),
)


@st.composite
def grids(draw, headers: list[str]) -> list[list[str]]:
    """A header (real, duplicated, shuffled or absent) over a few rows of odd cells."""
    shape = draw(st.sampled_from(["real", "duplicated", "subset", "random", "none"]))
    if shape == "real":
        header = list(headers)
    elif shape == "duplicated":
        header = [*headers, draw(st.sampled_from(headers))]
    elif shape == "subset":
        header = draw(st.lists(st.sampled_from(headers), min_size=1, max_size=len(headers)))
    elif shape == "random":
        header = draw(st.lists(CELLS, min_size=1, max_size=8))
    else:
        header = []
    width = max(len(header), 1)
    rows = draw(
        st.lists(
            st.lists(CELLS, min_size=0, max_size=width + 2),
            min_size=0,
            max_size=6,
        )
    )
    return ([header] if header else []) + rows


def _csv(grid: list[list[str]], delimiter: str, encoding: str) -> bytes:
    import csv

    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(grid)
    return buffer.getvalue().encode(encoding, errors="replace")


def _xlsx(grid: list[list[str]], formulas: bool) -> bytes:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    rows = []
    for number, values in enumerate(grid, start=1):
        cells = []
        for index, value in enumerate(values[:26]):
            reference = f"{letters[index]}{number}"
            text = "".join(
                character
                for character in value
                if character.isprintable() and character not in "<>&"
            )
            if formulas and number > 1 and index == 0:
                cells.append(cell(reference, text or None, "1+1"))
            else:
                cells.append(cell(reference, text))
        rows.append(cells)
    with tempfile.TemporaryDirectory() as folder:
        return write_xlsx(Path(folder) / "f.xlsx", sheet_xml(rows)).read_bytes()


@st.composite
def tables(draw, headers: list[str]) -> tuple[bytes, str]:
    """A hostile table file and its suffix."""
    kind = draw(st.sampled_from(["bytes", "empty", "csv", "csv", "xlsx", "truncated"]))
    if kind == "bytes":
        return draw(st.binary(max_size=600)), ".csv"
    if kind == "empty":
        return b"", ".csv"
    grid = draw(grids(headers))
    if kind == "xlsx":
        return _xlsx(grid, formulas=draw(st.booleans())), ".xlsx"
    data = _csv(
        grid,
        draw(st.sampled_from([",", ";", "\t"])),
        draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"])),
    )
    if kind == "truncated":
        whole = draw(st.sampled_from([data, _xlsx(grid, formulas=False)]))
        cut = draw(st.integers(min_value=0, max_value=max(len(whole) - 1, 0)))
        return whole[:cut], ".xlsx" if whole.startswith(b"PK") else ".csv"
    return data, ".csv"


JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=12),
    WEIRD_CELLS,
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def documents(draw, importer: Importer) -> tuple[bytes, str]:
    """A hostile JSON document shaped more or less like the format's."""
    kind = draw(st.sampled_from(["bytes", "json", "shaped", "truncated"]))
    if kind == "bytes":
        return draw(st.binary(max_size=600)), ".json"
    if kind == "json":
        return json.dumps(draw(JSON_VALUES)).encode(), ".json"
    if "dataValues" in importer.headers:
        entry = st.dictionaries(
            st.sampled_from(
                [
                    "dataElement",
                    "orgUnit",
                    "period",
                    "value",
                    "categoryOptionCombo",
                    "deleted",
                    "comment",
                ]
            ),
            JSON_SCALARS,
            max_size=7,
        )
        document = {"dataValues": draw(st.lists(entry, max_size=5))}
    else:
        feature = st.fixed_dictionaries(
            {
                "type": st.sampled_from(["Feature", "feature", "Point"]),
                "properties": st.dictionaries(
                    st.sampled_from(["code", "cod_mpio", "name"]), JSON_SCALARS, max_size=3
                ),
                "geometry": st.one_of(
                    st.none(),
                    JSON_VALUES,
                    st.fixed_dictionaries(
                        {
                            "type": st.sampled_from(["Polygon", "MultiPolygon", "Point"]),
                            "coordinates": st.lists(
                                st.lists(
                                    st.lists(st.floats(allow_nan=False, width=32), max_size=3),
                                    max_size=4,
                                ),
                                max_size=2,
                            ),
                        }
                    ),
                ),
            }
        )
        document = {
            "type": draw(st.sampled_from(["FeatureCollection", "Topology"])),
            "features": draw(st.lists(feature, max_size=3)),
        }
    data = json.dumps(document).encode()
    if kind == "truncated":
        data = data[: draw(st.integers(min_value=0, max_value=max(len(data) - 1, 0)))]
    return data, ".json"


def inputs(importer: Importer) -> st.SearchStrategy[tuple[bytes, str]]:
    if importer.suffix == ".json":
        return documents(importer)
    return tables(importer.headers)


# --- the check ------------------------------------------------------------------------------


def row_counts() -> dict[str, int]:
    """Rows in every table of the domain apps: equal before and after means nothing written."""
    return {
        model._meta.label: model._default_manager.count()
        for label in DOMAIN_APPS
        for model in apps.get_app_config(label).get_models()
    }


@pytest.fixture
def world(db, settings):
    """The territories and panel the importers look things up in. No wave: importing
    responses opens it, and a refused file must leave it unopened."""
    places = make_colombia()
    mexico = ensure_country("MX")
    make_territory(mexico, Level.REGION, "Jalisco", inegi="14")
    make_panel(places.popayan)
    yield from use_contact_key(settings)


def run_import(importer: Importer, data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz{suffix}"
        path.write_bytes(data)
        call_command(
            *importer.command,
            str(path),
            *importer.options,
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )


@pytest.mark.parametrize("key", sorted(IMPORTERS))
def test_a_hostile_file_is_refused_with_a_message_and_nothing_written(key, world):
    importer = IMPORTERS[key]

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )
    @given(payload=inputs(importer))
    def check(payload: tuple[bytes, str]) -> None:
        data, suffix = payload
        before = row_counts()
        try:
            run_import(importer, data, suffix)
        except CommandError as refusal:
            assert str(refusal).strip(), "a refusal without a message"
            assert row_counts() == before, "a refused file wrote rows"

    check()
