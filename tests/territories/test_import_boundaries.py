"""import_boundaries: TopoJSON and GeoJSON, codes found automatically, problems per feature."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from django.core.management.base import CommandError
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from convivencia.territories.choices import Scheme
from convivencia.territories.models import Boundary
from tests.datafiles import shared_data
from tests.territories.conftest import database_counts, run

TOPOJSON = "co/mgn2018_municipios_departamentos.topojson"


def bounds(geometry: dict) -> tuple[float, float, float, float]:
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    xs = [x for polygon in polygons for ring in polygon for x, _y in ring]
    ys = [y for polygon in polygons for ring in polygon for _x, y in ring]
    return min(xs), min(ys), max(xs), max(ys)


@pytest.mark.django_db
def test_the_real_topojson_gives_boundaries_for_1122_municipalities_and_33_departments(colombia):
    output = run("import_boundaries", shared_data(TOPOJSON), "--scheme", "divipola")
    assert "object MGN_MPIO_POLITICO: 1122 boundaries" in output
    assert "object MGN_DPTO_POLITICO: 33 boundaries" in output
    assert Boundary.objects.filter(territory__level=2).count() == 1122
    assert Boundary.objects.filter(territory__level=1).count() == 33


@pytest.mark.django_db
def test_coordinates_are_rounded_to_five_decimals_and_rings_are_closed(colombia):
    run("import_boundaries", shared_data(TOPOJSON), "--scheme", "divipola")
    geometry = Boundary.objects.get(territory__codes__code="19001").geometry
    polygons = (
        geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    )
    for polygon in polygons:
        for ring in polygon:
            assert ring[0] == ring[-1]
            assert all(round(value, 5) == value for point in ring for value in point)
    assert -77.5 < bounds(geometry)[0] < -76 and 2 < bounds(geometry)[1] < 3


@pytest.mark.django_db
def test_reimporting_boundaries_changes_nothing(colombia):
    path = shared_data(TOPOJSON)
    run("import_boundaries", path, "--scheme", "divipola")
    before = database_counts()
    output = run("import_boundaries", path, "--scheme", "divipola")
    assert "Total: created 0, updated 0, unchanged 1155" in output
    assert database_counts() == before


def square(x: float, y: float) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [[[x, y], [x + 0.1, y], [x + 0.1, y + 0.1], [x, y + 0.1], [x, y]]],
    }


def feature_collection(*features: tuple[dict, dict]) -> str:
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": properties, "geometry": geometry}
                for properties, geometry in features
            ],
        }
    )


@pytest.fixture
def popayan(db, write_file):
    run(
        "import_territories",
        "divipola",
        write_file("d.csv", "cod_mpio,nom_mpio\n19001,POPAYÁN\n19130,CAJIBÍO\n"),
    )


@pytest.mark.django_db
def test_a_geojson_with_a_named_code_property_imports(popayan, write_file):
    path = write_file(
        "b.geojson",
        feature_collection(
            ({"DIVIPOLA": 19001}, square(-76.6, 2.4)),
            ({"DIVIPOLA": "19130"}, square(-76.7, 2.6)),
        ),
    )
    run("import_boundaries", path, "--scheme", "divipola", "--property", "DIVIPOLA")
    assert Boundary.objects.get(territory__codes__code="19001").geometry == square(-76.6, 2.4)


@pytest.mark.django_db
def test_a_changed_geometry_reports_updated(popayan, write_file):
    code = {"cod_mpio": "19001"}
    first = write_file("a.geojson", feature_collection((code, square(-76.6, 2.4))))
    second = write_file("b.geojson", feature_collection((code, square(-76.5, 2.4))))
    run("import_boundaries", first, "--scheme", "divipola")
    output = run("import_boundaries", second, "--scheme", "divipola")
    assert "Municipality: created 0, updated 1, unchanged 0" in output


@pytest.mark.django_db
def test_an_unknown_code_names_the_feature_index_and_code_and_writes_nothing(popayan, write_file):
    path = write_file(
        "b.geojson",
        feature_collection(
            ({"cod_mpio": "19001"}, square(-76.6, 2.4)),
            ({"cod_mpio": "99999"}, square(-76.6, 2.4)),
        ),
    )
    before = database_counts()
    with pytest.raises(CommandError) as caught:
        run("import_boundaries", path, "--scheme", "divipola")
    assert "b.geojson, feature 2, column “cod_mpio”: code 99999 matches no territory" in str(
        caught.value
    )
    assert database_counts() == before


@pytest.mark.django_db
def test_a_file_without_a_known_code_property_asks_for_one(popayan, write_file):
    path = write_file("b.geojson", feature_collection(({"id_x": "19001"}, square(-76.6, 2.4))))
    with pytest.raises(CommandError, match="--property"):
        run("import_boundaries", path, "--scheme", "divipola")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not valid JSON"),
        ('{"type": "Feature"}', "neither a TopoJSON topology nor a GeoJSON FeatureCollection"),
        (
            feature_collection(({"cod_mpio": "19001"}, {"type": "Point", "coordinates": [0, 0]})),
            "feature 1, column “cod_mpio”: geometry type Point is not a boundary",
        ),
        (
            feature_collection(({"cod_mpio": "19001"}, square(-200, 2))),
            "not a longitude and latitude",
        ),
        (
            feature_collection(
                ({"cod_mpio": "19001"}, square(-76, 2)), ({"cod_mpio": "19001"}, square(-76, 2))
            ),
            "code 19001 already has a boundary at #1",
        ),
    ],
)
def test_bad_boundary_files_are_refused_with_a_reason(popayan, write_file, content, message):
    with pytest.raises(CommandError, match=message):
        run("import_boundaries", write_file("b.geojson", content), "--scheme", "divipola")
    assert not Boundary.objects.exists()


@pytest.mark.django_db
def test_the_inegi_geojson_matches_states_by_their_two_digit_code():
    run("import_territories", "inegi", shared_data("mx/inegi_estados.csv"))
    run("import_boundaries", shared_data("mx/inegi_estados.geojson"), "--scheme", "inegi")
    assert Boundary.objects.filter(territory__codes__scheme=Scheme.INEGI).count() == 32


# --- random input: a CommandError or an import, never a crash ----------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["type", "coordinates", "arcs", "cod_mpio", "properties"]),
            children,
            max_size=3,
        )
    ),
    max_leaves=20,
)
POSITIONS = st.lists(
    st.lists(
        st.integers(-(10**6), 10**6) | st.floats() | st.sampled_from([10**400, "x"]),
        min_size=2,
        max_size=3,
    ),
    max_size=6,
)


@st.composite
def boundary_documents(draw) -> dict:
    code = draw(st.sampled_from(["19001", 19001, "19130", "5", None, [], "99999", "1.9e4"]))
    geometry = draw(
        st.one_of(
            st.builds(square, st.floats(-77, -76), st.floats(2, 3)),
            st.fixed_dictionaries(
                {
                    "type": st.sampled_from(["Polygon", "MultiPolygon", "Point"]),
                    "coordinates": st.one_of(st.lists(POSITIONS, max_size=2), JSON_VALUES),
                }
            ),
            JSON_VALUES,
        )
    )
    if draw(st.booleans()):
        return {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": {"cod_mpio": code}, "geometry": geometry},
            ],
        }
    return {
        "type": "Topology",
        "transform": draw(
            st.one_of(
                st.just({"scale": [0.001, 0.001], "translate": [-77, 2]}),
                JSON_VALUES,
            )
        ),
        "arcs": draw(st.lists(POSITIONS, max_size=3) | JSON_VALUES),
        "objects": {
            "o": {
                "type": "GeometryCollection",
                "geometries": [
                    {
                        "type": draw(st.sampled_from(["Polygon", "MultiPolygon", "LineString"])),
                        "arcs": draw(
                            st.lists(st.lists(st.integers(-4, 4), max_size=3), max_size=2)
                            | JSON_VALUES
                        ),
                        "properties": {"cod_mpio": code},
                    }
                ],
            }
        },
    }


@pytest.mark.django_db
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(document=boundary_documents())
def test_random_boundary_files_either_import_or_are_refused_without_writing(popayan, document):
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "random.json"
        path.write_text(json.dumps(document, allow_nan=True), encoding="utf-8")
        before = database_counts()
        try:
            run("import_boundaries", path, "--scheme", "divipola")
        except CommandError:
            event("refused")
            assert database_counts() == before
        else:
            event("imported")
