"""The base maps shipped with the project: the real shape of the land under every map.

Two public files under ``static/territories/boundaries/`` (their sources in the README
there): DANE's MGN 2018 departments and municipalities of Colombia, and Natural Earth's
countries of the world. The demo takes its boundaries from the first; the evidence map
draws its bubbles on the second.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from convivencia.core.countries import UnknownCountry
from convivencia.core.countries import name as country_name
from convivencia.territories.topojson import GeometryObject, Topology

FOLDER = Path(__file__).parent / "static" / "territories" / "boundaries"
COLOMBIA = FOLDER / "co_mgn2018_municipios_departamentos.topojson"
COLOMBIA_SOURCE = "DANE, Marco Geoestadístico Nacional 2018 (simplified)"
COLOMBIA_MUNICIPALITIES = "MGN_MPIO_POLITICO"
COLOMBIA_DEPARTMENTS = "MGN_DPTO_POLITICO"
WORLD = FOLDER / "world_countries_110m.json"
WORLD_SOURCE = "Natural Earth 1:110m (world-atlas 2.0.2)"


@cache
def _topology(path: Path) -> Topology:
    return Topology(json.loads(path.read_text(encoding="utf-8")))


def colombia() -> Topology:
    """DANE's departments and municipalities of Colombia (read once per process)."""
    return _topology(COLOMBIA)


def colombia_geometries(object_name: str, code_property: str) -> dict[str, dict[str, Any]]:
    """GeoJSON geometries of one object of the Colombian file, by DIVIPOLA code."""
    topology = colombia()
    return {
        str(geometry.properties[code_property]): topology.geometry(geometry)
        for geometry in topology.geometries(object_name)
    }


def _world_geometry(topology: Topology, geometry: GeometryObject) -> dict[str, Any]:
    # Two decimals (about a kilometre) is finer than a 1:110 million map can show, and
    # halves what every visitor of the evidence map downloads.
    decoded = topology.geometry(geometry)
    polygons = (
        decoded["coordinates"] if decoded["type"] == "MultiPolygon" else [decoded["coordinates"]]
    )
    # A ring that crosses the antimeridian (Russia's east, Fiji) would be drawn as a band
    # round the world on a flat map: its western longitudes are moved east of 180°.
    unwrapped = [
        [_east_of_antimeridian(ring) if _span(ring) > 180 else ring for ring in polygon]
        for polygon in polygons
    ]
    return {"type": "MultiPolygon", "coordinates": _rounded(unwrapped, 2)}


def _east_of_antimeridian(ring: list[list[float]]) -> list[list[float]]:
    return [[x + 360 if x < 0 else x, y] for x, y in ring]


def _span(ring: list[list[float]]) -> float:
    longitudes = [point[0] for point in ring]
    return max(longitudes) - min(longitudes)


def _alpha2(numeric: Any) -> str | None:
    import pycountry

    found = pycountry.countries.get(numeric=str(numeric or "").zfill(3))
    return str(found.alpha_2) if found is not None else None


def _rounded(value: Any, decimals: int) -> Any:
    if isinstance(value, list):
        return [_rounded(item, decimals) for item in value]
    return round(value, decimals)


@cache
def world(language: str) -> dict[str, Any]:
    """Natural Earth's countries as a GeoJSON FeatureCollection, named in ``language``.

    Each feature carries ``code`` (ISO alpha-2, or "" for a land ISO 3166 does not list,
    such as Northern Cyprus) and ``name``. Antarctica is left out: it only stretches the
    map and the registry holds no study there.
    """
    topology = _topology(WORLD)
    features = []
    for geometry in topology.geometries("countries"):
        code = _alpha2(geometry.id)
        if code == "AQ":
            continue
        english = str(geometry.properties.get("name", ""))
        try:
            label = country_name(code, language) if code else english
        except UnknownCountry:
            label = english
        features.append(
            {
                "type": "Feature",
                "geometry": _world_geometry(topology, geometry),
                "properties": {"code": code or "", "name": label},
            }
        )
    return {"type": "FeatureCollection", "features": features}
