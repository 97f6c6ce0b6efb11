"""The base maps: Colombia's outline from its departments, the world's countries by name."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from convivencia.territories import basemaps
from convivencia.territories.choices import Level
from convivencia.territories.models import Boundary, Territory
from convivencia.territories.topojson import Topology, TopologyError


def square_topology() -> Topology:
    """Two unit squares side by side sharing one edge (arc 1), as TopoJSON stores them."""
    return Topology(
        {
            "type": "Topology",
            "arcs": [
                [[1, 0], [0, 0], [0, 1], [1, 1]],  # the left square's outer edges
                [[1, 1], [1, 0]],  # the shared edge
                [[1, 0], [2, 0], [2, 1], [1, 1]],  # the right square's outer edges
            ],
            "objects": {
                "parts": {
                    "type": "GeometryCollection",
                    "geometries": [
                        {"type": "Polygon", "arcs": [[0, 1]]},
                        # Both rings clockwise: the shared edge is walked both ways.
                        {"type": "Polygon", "arcs": [[~1, ~2]]},
                    ],
                }
            },
        }
    )


def test_the_outline_of_two_neighbours_leaves_out_the_border_they_share():
    outline = square_topology().outline("parts")
    assert outline["type"] == "MultiPolygon"
    (polygon,) = outline["coordinates"]
    ring = polygon[0]
    assert ring[0] == ring[-1]
    assert sorted(map(tuple, ring[:-1])) == [(0, 0), (0, 1), (1, 0), (1, 1), (2, 0), (2, 1)]


def test_an_outline_of_something_that_is_not_a_polygon_is_refused():
    topology = Topology(
        {
            "type": "Topology",
            "arcs": [[[0, 0], [1, 1]]],
            "objects": {"line": {"type": "LineString", "arcs": [0]}},
        }
    )
    with pytest.raises(TopologyError, match="not a boundary"):
        topology.outline("line")


def test_colombias_outline_from_its_33_departments_is_one_mainland_and_its_islands():
    outline = basemaps.colombia().outline(basemaps.COLOMBIA_DEPARTMENTS)
    rings = sorted((polygon[0] for polygon in outline["coordinates"]), key=len, reverse=True)
    mainland = rings[0]
    longitudes = [point[0] for point in mainland]
    latitudes = [point[1] for point in mainland]
    assert min(longitudes) < -78 and max(longitudes) > -67.5
    assert min(latitudes) < -4 and max(latitudes) > 12  # Leticia to La Guajira
    assert all(ring[0] == ring[-1] for ring in rings)


def test_the_demo_municipalities_have_dane_boundaries():
    municipalities = basemaps.colombia_geometries(basemaps.COLOMBIA_MUNICIPALITIES, "MPIO_CCNCT")
    assert len(municipalities) == 1122
    assert municipalities["19001"]["type"] in ("Polygon", "MultiPolygon")


def names(collection: dict) -> dict[str, str]:
    return {f["properties"]["code"]: f["properties"]["name"] for f in collection["features"]}


def test_the_world_names_its_countries_in_the_readers_language():
    spanish = {
        f["properties"]["code"]: f["properties"]["name"] for f in basemaps.world("es")["features"]
    }
    english = {
        f["properties"]["code"]: f["properties"]["name"] for f in basemaps.world("en")["features"]
    }
    assert spanish["BR"] == "Brasil" and english["BR"] == "Brazil"
    assert spanish["US"] == "Estados Unidos"
    assert "AQ" not in spanish  # Antarctica only stretches the map
    assert len(spanish) > 170


@pytest.mark.django_db
def test_the_world_is_served_in_the_language_of_the_request(client):
    with translation.override("pt"):
        response = client.get(reverse("territories:world"), HTTP_ACCEPT_LANGUAGE="pt")
    assert response.status_code == 200
    assert "max-age" in response["Cache-Control"]
    assert names(response.json())["DE"] in ("Alemanha", "Germany")  # pt where the site offers it


@pytest.mark.django_db
def test_a_maps_setting_is_the_country_outline_and_its_regions(client):
    square = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
    colombia = Territory.objects.create(name="Colombia", level=Level.COUNTRY)
    cauca = Territory.objects.create(name="Cauca", level=Level.REGION, parent=colombia)
    popayan = Territory.objects.create(name="Popayán", level=Level.MUNICIPALITY, parent=cauca)
    for territory in (colombia, cauca, popayan):
        Boundary.objects.create(territory=territory, geometry=square, source="test")
    response = client.get(reverse("territories:context", args=[popayan.pk]))
    kinds = {f["properties"]["name"]: f["properties"]["kind"] for f in response.json()["features"]}
    assert kinds == {"Colombia": "country", "Cauca": "region"}  # no municipality: the land only


def test_no_country_is_drawn_as_a_band_round_the_world():
    for feature in basemaps.world("en")["features"]:
        for polygon in feature["geometry"]["coordinates"]:
            longitudes = [point[0] for point in polygon[0]]
            assert max(longitudes) - min(longitudes) < 180, feature["properties"]["name"]
