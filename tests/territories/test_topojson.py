"""Decoding TopoJSON arcs into GeoJSON polygons."""

from __future__ import annotations

import json
from itertools import pairwise

import pytest

from convivencia.territories.topojson import Topology, TopologyError
from tests.datafiles import shared_data


def two_squares(transform: dict | None = None) -> dict:
    """Two unit squares side by side, sharing the edge x = 1 (arc 0)."""
    return {
        "type": "Topology",
        "transform": transform or {"scale": [1, 1], "translate": [0, 0]},
        "arcs": [
            [[1, 0], [0, 1]],  # (1,0) → (1,1): the shared edge
            [[1, 1], [-1, 0], [0, -1], [1, 0]],  # (1,1) → (0,1) → (0,0) → (1,0)
            [[1, 0], [1, 0], [0, 1], [-1, 0]],  # (1,0) → (2,0) → (2,1) → (1,1)
        ],
        "objects": {
            "squares": {
                "type": "GeometryCollection",
                "geometries": [
                    {"type": "Polygon", "arcs": [[0, 1]], "properties": {"code": "L"}},
                    {"type": "Polygon", "arcs": [[~0, 2]], "properties": {"code": "R"}, "id": 7},
                    {"type": "MultiPolygon", "arcs": [[[0, 1]], [[~0, 2]]]},
                ],
            }
        },
    }


def decoded(topology: Topology) -> list[dict]:
    return [topology.geometry(member) for member in topology.geometries("squares")]


def test_delta_encoded_arcs_are_summed_and_stitched_into_closed_rings():
    left, _right, _both = decoded(Topology(two_squares()))
    assert left == {
        "type": "Polygon",
        "coordinates": [[[1, 0], [1, 1], [0, 1], [0, 0], [1, 0]]],
    }


def test_a_negative_arc_index_walks_the_arc_backwards():
    _left, right, _both = decoded(Topology(two_squares()))
    assert right["coordinates"] == [[[1, 1], [1, 0], [2, 0], [2, 1], [1, 1]]]


def test_the_transform_scales_and_translates_positions():
    topology = Topology(two_squares({"scale": [0.5, 2], "translate": [10, 20]}))
    left = decoded(topology)[0]
    assert left["coordinates"][0][:3] == [[10.5, 20], [10.5, 22], [10, 22]]


def test_without_a_transform_positions_are_absolute():
    data = two_squares()
    del data["transform"]
    data["arcs"] = [[[1, 0], [1, 1]], [[1, 1], [0, 1], [0, 0], [1, 0]], [[1, 0], [2, 0]]]
    left = decoded(Topology(data))[0]
    assert left["coordinates"] == [[[1, 0], [1, 1], [0, 1], [0, 0], [1, 0]]]


def test_a_multipolygon_decodes_each_polygon():
    both = decoded(Topology(two_squares()))[2]
    assert both["type"] == "MultiPolygon"
    assert len(both["coordinates"]) == 2


def test_geometries_carry_their_properties_id_and_one_based_index():
    members = list(Topology(two_squares()).geometries("squares"))
    assert [(m.index, m.properties.get("code"), m.id) for m in members] == [
        (1, "L", None),
        (2, "R", 7),
        (3, None, None),
    ]


def test_a_missing_arc_is_an_error_not_a_crash():
    data = two_squares()
    data["objects"]["squares"]["geometries"][0]["arcs"] = [[0, 9]]
    topology = Topology(data)
    with pytest.raises(TopologyError, match="arc 9"):
        decoded(topology)


def test_a_point_is_not_a_boundary():
    data = two_squares()
    data["objects"]["squares"]["geometries"] = [{"type": "Point", "coordinates": [0, 0]}]
    with pytest.raises(TopologyError, match="Point"):
        decoded(Topology(data))


@pytest.mark.parametrize(
    "data",
    [
        {"type": "FeatureCollection"},
        {"type": "Topology", "objects": {}},
        {"type": "Topology", "objects": {}, "arcs": [[[0, 0]]]},
        {"type": "Topology", "objects": {}, "arcs": [[[0, 0], ["a", 1]]]},
        {"type": "Topology", "objects": {}, "arcs": [], "transform": {"scale": [1]}},
    ],
)
def test_a_malformed_topology_is_refused_with_a_reason(data):
    with pytest.raises(TopologyError):
        Topology(data)


def test_in_the_real_mgn_file_every_ring_joins_arc_to_arc_and_closes_by_itself():
    """Wrong delta decoding or a wrongly reversed arc would leave gaps between arcs."""
    path = shared_data("co/mgn2018_municipios_departamentos.topojson")
    topology = Topology(json.loads(path.read_text(encoding="utf-8")))
    rings = 0
    for name in topology.objects:
        for member in topology.geometries(name):
            polygons = member.raw["arcs"] if member.type == "MultiPolygon" else [member.raw["arcs"]]
            for polygon in polygons:
                for ring in polygon:
                    arcs = [
                        topology.arcs[~index][::-1] if index < 0 else topology.arcs[index]
                        for index in ring
                    ]
                    for previous, following in pairwise(arcs):
                        assert previous[-1] == following[0]
                    assert arcs[0][0] == arcs[-1][-1]
                    rings += 1
    assert rings == 1160
