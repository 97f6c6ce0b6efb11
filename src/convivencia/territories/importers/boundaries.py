"""Boundaries from TopoJSON or a GeoJSON FeatureCollection, matched to territories by code.

Every object of a TopoJSON file is imported (DANE's has municipalities and
departments side by side). Coordinates are rounded to 5 decimals (about a
metre): more only makes the pages heavier.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from convivencia.core.numbers import parse_code
from convivencia.core.reading import (
    BadFile,
    ImportReport,
    Problem,
    Problems,
    Progress,
    decode_text,
    display_name,
    no_progress,
    read_bounded_bytes,
    timed_write,
)
from convivencia.territories.choices import Level, Scheme
from convivencia.territories.data import CODE_WIDTHS
from convivencia.territories.models import Boundary, Territory, TerritoryCode
from convivencia.territories.topojson import Topology, TopologyError

DECIMALS = 5

# Looked for in this order, so a municipality's own code wins over its department's.
CODE_PROPERTIES = (
    "MPIO_CCNCT",
    "cod_mpio",
    "CVEGEO",
    "cvegeo",
    "cve_geo",
    "CD_MUN",
    "codigo_ibge",
    "DPTO_CCDGO",
    "cod_dpto",
    "CVE_ENT",
    "cve_ent",
    "CD_UF",
    "codigo_uf",
    "CODIGO",
    "codigo",
    "code",
    "iso_3166_2",
    "ISO",
)


@dataclass
class BoundaryPlan:
    file: str
    scheme: str
    source: str
    geometries: dict[int, dict[str, Any]] = field(default_factory=dict)  # territory id →
    levels: dict[int, int] = field(default_factory=dict)  # territory id → level
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Feature:
    part: str  # the TopoJSON object, or "" for GeoJSON
    index: int
    properties: dict[str, Any]
    id: Any
    geometry: dict[str, Any] | None  # None when it could not be decoded
    error: str = ""


def check(
    path: Path,
    *,
    scheme: str,
    code_property: str | None = None,
    name: str | None = None,
    progress: Progress = no_progress,
) -> BoundaryPlan:
    """Read and check a boundary file; raises BadFile listing every problem."""
    file = display_name(path, name)
    if scheme not in Scheme.values:
        raise BadFile(
            [
                Problem(
                    file,
                    None,
                    None,
                    _("unknown code scheme %(scheme)s")
                    % {
                        "scheme": scheme,
                    },
                )
            ]
        )
    data = read_bounded_bytes(path, file)
    text = decode_text(data, file, tabular=False)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadFile(
            [
                Problem(
                    file,
                    exc.lineno,
                    None,
                    _("is not valid JSON: %(message)s (column %(column)s)")
                    % {"message": exc.msg, "column": exc.colno},
                )
            ]
        ) from exc
    except (ValueError, RecursionError) as exc:  # a 5,000-digit number, absurd nesting
        raise BadFile([Problem(file, None, None, _("is not usable JSON: %s") % exc)]) from exc

    problems = Problems(file, unit="feature")
    features = list(_features(document, file))
    index = _CodeIndex(scheme)
    plan = BoundaryPlan(file=file, scheme=scheme, source=file[:200])
    first_seen: dict[int, str] = {}
    per_part: dict[str, int] = {}
    key_by_part: dict[str, str | None] = {}
    for done, feature in enumerate(features, start=1):
        if feature.part not in key_by_part:
            key_by_part[feature.part] = code_property or _code_key(feature.properties)
            if key_by_part[feature.part] is None:
                problems.items.append(
                    Problem(
                        file,
                        None,
                        None,
                        _("no code property found among %(keys)s; name it with --property")
                        % {"keys": ", ".join(CODE_PROPERTIES)},
                        part=_part_label(feature.part),
                    )
                )
        key = key_by_part[feature.part]
        if key is None:
            continue
        where = _part_label(feature.part)

        raw = feature.properties.get(key, feature.id if key == "id" else None)
        if raw is None or str(raw).strip() == "":
            _feature_problem(problems, feature, key, _("the feature has no code"))
            continue
        try:
            code = index.normalise(str(raw))
        except ValueError as exc:
            _feature_problem(problems, feature, key, str(exc))
            continue
        territory_id = index.by_code.get(code)
        if territory_id is None:
            _feature_problem(
                problems,
                feature,
                key,
                _(
                    "code %(code)s matches no territory under %(scheme)s; "
                    "import the territories first"
                )
                % {"code": code, "scheme": scheme},
            )
            continue
        if territory_id in first_seen:
            _feature_problem(
                problems,
                feature,
                key,
                _("code %(code)s already has a boundary at %(first)s")
                % {"code": code, "first": first_seen[territory_id]},
            )
            continue
        first_seen[territory_id] = f"{where + ' ' if where else ''}#{feature.index}"
        if feature.geometry is None:
            _feature_problem(problems, feature, key, feature.error)
            continue
        try:
            geometry = clean_geometry(feature.geometry)
        except ValueError as exc:
            _feature_problem(problems, feature, key, str(exc))
            continue
        plan.geometries[territory_id] = geometry
        plan.levels[territory_id] = index.level[territory_id]
        per_part[where] = per_part.get(where, 0) + 1
        if done % 200 == 0:
            progress(
                done,
                len(features),
                _("Checked %(done)s of %(total)s features")
                % {
                    "done": done,
                    "total": len(features),
                },
            )
    if not features:
        problems.add(None, None, _("has no features"))
    problems.raise_if_any()
    plan.notes = [
        _("%(part)s: %(count)s boundaries") % {"part": part or file, "count": count}
        for part, count in per_part.items()
    ]
    return plan


def _feature_problem(problems: Problems, feature: _Feature, key: str, message: str) -> None:
    problems.items.append(
        Problem(problems.file, feature.index, key, message, "feature", _part_label(feature.part))
    )


def _part_label(part: str) -> str:
    return _("object %(name)s") % {"name": part} if part else ""


def _code_key(properties: dict[str, Any]) -> str | None:
    return next((key for key in CODE_PROPERTIES if key in properties), None)


def _features(document: Any, file: str) -> Iterator[_Feature]:
    if isinstance(document, dict) and document.get("type") == "Topology":
        try:
            topology = Topology(document)
        except TopologyError as exc:
            raise BadFile([Problem(file, None, None, str(exc))]) from exc
        for object_name in topology.objects:
            try:
                members = list(topology.geometries(object_name))
            except TopologyError as exc:
                raise BadFile([Problem(file, None, None, str(exc))]) from exc
            for member in members:
                try:
                    geometry, error = topology.geometry(member), ""
                except TopologyError as exc:
                    geometry, error = None, str(exc)
                yield _Feature(
                    object_name, member.index, member.properties, member.id, geometry, error
                )
        return
    if isinstance(document, dict) and document.get("type") == "FeatureCollection":
        features = document.get("features")
        if not isinstance(features, list):
            raise BadFile([Problem(file, None, None, _('the FeatureCollection has no "features"'))])
        for number, feature in enumerate(features, start=1):
            feature = feature if isinstance(feature, dict) else {}
            properties = feature.get("properties")
            geometry = feature.get("geometry")
            yield _Feature(
                "",
                number,
                properties if isinstance(properties, dict) else {},
                feature.get("id"),
                geometry if isinstance(geometry, dict) else None,
                "" if isinstance(geometry, dict) else _("the feature has no geometry"),
            )
        return
    raise BadFile(
        [
            Problem(
                file,
                None,
                None,
                _("is neither a TopoJSON topology nor a GeoJSON FeatureCollection"),
            )
        ]
    )


class _CodeIndex:
    """The territories holding a code under one scheme."""

    def __init__(self, scheme: str) -> None:
        self.scheme = scheme
        self.widths = CODE_WIDTHS.get(scheme)
        self.by_code: dict[str, int] = dict(
            TerritoryCode.objects.filter(scheme=scheme).values_list("code", "territory_id")
        )
        self.level: dict[int, int] = dict(
            Territory.objects.filter(codes__scheme=scheme).values_list("pk", "level")
        )

    def normalise(self, text: str) -> str:
        text = text.strip()
        if self.widths is None:
            return text.upper() if self.scheme == Scheme.ISO else text
        # A lost leading zero makes "5001" of "05001": pad to the nearest width.
        region_width, municipality_width = self.widths
        digits = text.split(".")[0] if text.endswith(".0") else text
        width = region_width if len(digits) <= region_width else municipality_width
        return parse_code(text, width)


def _round_ring(ring: Any) -> list[list[float]]:
    if not isinstance(ring, list):
        raise ValueError(_("a ring is not a list of positions"))
    rounded: list[list[float]] = []
    for position in ring:
        if (
            not isinstance(position, list | tuple)
            or len(position) < 2
            or not all(
                isinstance(value, int | float) and not isinstance(value, bool)
                for value in position[:2]
            )
        ):
            raise ValueError(_("a position is not [longitude, latitude]"))
        try:
            point = [round(float(position[0]), DECIMALS), round(float(position[1]), DECIMALS)]
        except OverflowError:
            point = [float("inf"), float("inf")]  # refused just below, like any other
        if not (-180 <= point[0] <= 180 and -90 <= point[1] <= 90):
            raise ValueError(_("%(point)s is not a longitude and latitude") % {"point": point})
        if not rounded or rounded[-1] != point:  # rounding merges close neighbours
            rounded.append(point)
    if rounded and rounded[0] != rounded[-1]:
        rounded.append(list(rounded[0]))
    return rounded


def _round_polygon(rings: Any) -> list[list[list[float]]]:
    if not isinstance(rings, list) or not rings:
        raise ValueError(_("a polygon has no rings"))
    rounded = [_round_ring(ring) for ring in rings]
    if len(rounded[0]) < 4:
        return []  # smaller than the rounding: nothing left to draw
    return [ring for ring in rounded if len(ring) >= 4]


def clean_geometry(geometry: dict[str, Any]) -> dict[str, Any]:
    """A Polygon or MultiPolygon with rounded coordinates. Raises ValueError."""
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates")
    if kind == "Polygon":
        polygon = _round_polygon(coordinates)
        if not polygon:
            raise ValueError(_("the polygon vanishes when rounded to %s decimals") % DECIMALS)
        return {"type": "Polygon", "coordinates": polygon}
    if kind == "MultiPolygon":
        if not isinstance(coordinates, list) or not coordinates:
            raise ValueError(_("a MultiPolygon has no polygons"))
        polygons = [p for p in (_round_polygon(rings) for rings in coordinates) if p]
        if not polygons:
            raise ValueError(_("the polygons vanish when rounded to %s decimals") % DECIMALS)
        return {"type": "MultiPolygon", "coordinates": polygons}
    raise ValueError(
        _("geometry type %(type)s is not a boundary (Polygon or MultiPolygon)")
        % {
            "type": kind,
        }
    )


def write(plan: BoundaryPlan, progress: Progress = no_progress) -> ImportReport:
    return timed_write(lambda: _write(plan, progress))


def _write(plan: BoundaryPlan, progress: Progress) -> ImportReport:
    report = ImportReport(notes=list(plan.notes))
    existing = {
        boundary.territory_id: boundary
        for boundary in Boundary.objects.filter(territory_id__in=list(plan.geometries))
    }
    now = timezone.now()
    to_create, to_update = [], []
    for territory_id, geometry in plan.geometries.items():
        label = Level(plan.levels[territory_id]).label
        boundary = existing.get(territory_id)
        if boundary is None:
            to_create.append(
                Boundary(territory_id=territory_id, geometry=geometry, source=plan.source)
            )
            report.add(label, "created")
        elif boundary.geometry != geometry or boundary.source != plan.source:
            boundary.geometry = geometry
            boundary.source = plan.source
            boundary.updated_at = now  # bulk_update does not apply auto_now
            to_update.append(boundary)
            report.add(label, "updated")
        else:
            report.add(label, "unchanged")
    Boundary.objects.bulk_create(to_create, batch_size=200)
    Boundary.objects.bulk_update(to_update, ["geometry", "source", "updated_at"], batch_size=200)
    progress(len(plan.geometries), len(plan.geometries), _("Boundaries saved"))
    return report
