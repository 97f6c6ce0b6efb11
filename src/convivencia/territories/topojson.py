"""Decode TopoJSON polygons into GeoJSON geometries.

TopoJSON stores each shared border once, as an "arc"; polygons list the arcs
that make up their rings (a negative index ~i means arc i walked backwards).
With a ``transform`` the arc positions are quantised integers, each one a
delta from the previous position. Only what boundaries need is decoded:
Polygon and MultiPolygon (inside GeometryCollections).

Specification: https://github.com/topojson/topojson-specification
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

Position = list[float]
Ring = list[Position]


class TopologyError(ValueError):
    """The topology, or one of its geometries, is not well-formed."""


@dataclass(frozen=True)
class GeometryObject:
    """One geometry of a TopoJSON object, still referring to arcs."""

    object_name: str
    index: int  # 1-based within its object, as a person counts
    type: str | None
    properties: dict[str, Any]
    id: Any
    raw: dict[str, Any]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class Topology:
    def __init__(self, data: Any) -> None:
        if not isinstance(data, dict) or data.get("type") != "Topology":
            raise TopologyError('not a TopoJSON topology (no "type": "Topology")')
        objects = data.get("objects")
        if not isinstance(objects, dict):
            raise TopologyError('the topology has no "objects"')
        self.objects: dict[str, Any] = objects
        self.arcs: list[list[Position]] = self._decode_arcs(data.get("arcs"), data.get("transform"))

    @staticmethod
    def _decode_arcs(arcs: Any, transform: Any) -> list[list[Position]]:
        if not isinstance(arcs, list):
            raise TopologyError('the topology has no "arcs" list')
        scale, translate = None, None
        if transform is not None:
            try:
                scale, translate = transform["scale"], transform["translate"]
                valid = (
                    isinstance(scale, list)
                    and isinstance(translate, list)
                    and len(scale) == len(translate) == 2
                    and all(_is_number(v) for v in (*scale, *translate))
                )
            except (KeyError, TypeError, IndexError):
                valid = False
            if not valid:
                raise TopologyError('"transform" needs numeric "scale" and "translate" pairs')
        decoded = []
        for number, arc in enumerate(arcs):
            if not isinstance(arc, list) or len(arc) < 2:
                raise TopologyError(f"arc {number} has fewer than two positions")
            points: list[Position] = []
            x = y = 0
            for position in arc:
                if (
                    not isinstance(position, list)
                    or len(position) < 2
                    or not (_is_number(position[0]) and _is_number(position[1]))
                ):
                    raise TopologyError(f"arc {number} has a position that is not [x, y]")
                if scale is None or translate is None:
                    points.append([position[0], position[1]])
                    continue
                try:
                    # Quantised arcs are delta-encoded: each position moves from the last.
                    x += position[0]
                    y += position[1]
                    points.append([x * scale[0] + translate[0], y * scale[1] + translate[1]])
                except OverflowError as exc:
                    raise TopologyError(f"arc {number} has a position out of range") from exc
            decoded.append(points)
        return decoded

    def geometries(self, object_name: str) -> Iterator[GeometryObject]:
        """The geometries of one object: a GeometryCollection's members, or the object."""
        obj = self.objects[object_name]
        if not isinstance(obj, dict):
            raise TopologyError(f"object {object_name!r} is not a geometry")
        members = obj.get("geometries") if obj.get("type") == "GeometryCollection" else [obj]
        if not isinstance(members, list):
            raise TopologyError(f"object {object_name!r} has no geometries list")
        for index, member in enumerate(members, start=1):
            if not isinstance(member, dict):
                member = {}
            properties = member.get("properties")
            yield GeometryObject(
                object_name=object_name,
                index=index,
                type=member.get("type"),
                properties=properties if isinstance(properties, dict) else {},
                id=member.get("id"),
                raw=member,
            )

    def geometry(self, geometry: GeometryObject) -> dict[str, Any]:
        """The GeoJSON geometry of a Polygon or MultiPolygon."""
        arcs = geometry.raw.get("arcs")
        if geometry.type == "Polygon":
            return {"type": "Polygon", "coordinates": self._polygon(arcs)}
        if geometry.type == "MultiPolygon":
            if not isinstance(arcs, list):
                raise TopologyError("a MultiPolygon needs a list of polygons")
            return {"type": "MultiPolygon", "coordinates": [self._polygon(p) for p in arcs]}
        raise TopologyError(
            f"geometry type {geometry.type!r} is not a boundary (Polygon or MultiPolygon)"
        )

    def _polygon(self, rings: Any) -> list[Ring]:
        if not isinstance(rings, list) or not rings:
            raise TopologyError("a polygon needs a list of rings")
        return [self._ring(ring) for ring in rings]

    def _ring(self, indices: Any) -> Ring:
        if not isinstance(indices, list) or not indices:
            raise TopologyError("a ring needs a list of arc indices")
        points: Ring = []
        for index in indices:
            if not isinstance(index, int) or isinstance(index, bool):
                raise TopologyError(f"arc index {index!r} is not an integer")
            number = ~index if index < 0 else index
            if number >= len(self.arcs):
                raise TopologyError(f"arc {number} does not exist ({len(self.arcs)} arcs)")
            arc = self.arcs[number]
            if index < 0:
                arc = arc[::-1]
            # Consecutive arcs share an end point; keep it once.
            points.extend(arc[1:] if points else arc)
        if points[0] != points[-1]:
            points.append(list(points[0]))
        return points

    def outline(self, object_name: str) -> dict[str, Any]:
        """The outer boundary of all of an object's polygons, as one MultiPolygon.

        In a topology, a border between two members is one arc used twice; the arcs used
        once are the outline of the whole (a country from its departments). Chained end
        to start in the direction their polygons walk them, they close into rings. Holes
        of the union (an enclave of another country) are drawn as rings of their own, which
        is what a map outline needs.
        """
        uses: dict[int, int] = {}
        directed: list[int] = []
        for geometry in self.geometries(object_name):
            arcs = geometry.raw.get("arcs")
            polygons = [arcs] if geometry.type == "Polygon" else arcs
            if geometry.type not in ("Polygon", "MultiPolygon") or not isinstance(polygons, list):
                raise TopologyError(
                    f"geometry type {geometry.type!r} is not a boundary (Polygon or MultiPolygon)"
                )
            for polygon in polygons:
                for indices in polygon:
                    for index in indices:
                        number = ~index if index < 0 else index
                        uses[number] = uses.get(number, 0) + 1
                        directed.append(index)
        outer = [index for index in directed if uses[~index if index < 0 else index] == 1]
        # Each outer arc, walked as its polygon walks it, keyed by where it starts.
        starting_at: dict[tuple[float, float], list[Ring]] = {}
        for index in outer:
            number = ~index if index < 0 else index
            points = self.arcs[number][::-1] if index < 0 else self.arcs[number]
            starting_at.setdefault((points[0][0], points[0][1]), []).append(points)
        outlines: list[Ring] = []
        while starting_at:
            start = next(iter(starting_at))
            ring: Ring = []
            point: tuple[float, float] = start
            while point in starting_at:
                chain = starting_at[point].pop()
                if not starting_at[point]:
                    del starting_at[point]
                ring.extend(chain[1:] if ring else chain)
                point = (ring[-1][0], ring[-1][1])
                if point == start:
                    break
            if ring[0] != ring[-1]:
                ring.append(list(ring[0]))
            if len(ring) >= 4:
                outlines.append(ring)
        return {"type": "MultiPolygon", "coordinates": [[ring] for ring in outlines]}
