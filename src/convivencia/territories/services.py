"""Territory operations used by pages, the API and importers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext

from convivencia.core import slots
from convivencia.territories.models import Boundary, Population, Territory


def population_series(territory: Territory) -> dict[str, list[dict[str, int]]]:
    """{source: [{year, value}, …]} ordered by year."""
    series: dict[str, list[dict[str, int]]] = {}
    for row in Population.objects.filter(territory=territory).order_by("source", "year"):
        series.setdefault(row.source, []).append({"year": row.year, "value": row.value})
    return series


def feature_collection(territory: Territory) -> dict[str, Any]:
    """GeoJSON of the territory's own boundary and its children's, where known."""
    ids = [territory.pk, *territory.children.values_list("pk", flat=True)]
    features = []
    for boundary in Boundary.objects.filter(territory_id__in=ids).select_related("territory"):
        features.append(
            {
                "type": "Feature",
                "geometry": boundary.geometry,
                "properties": {
                    "id": boundary.territory_id,
                    "name": boundary.territory.name,
                    "self": boundary.territory_id == territory.pk,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def context_collection(territory: Territory) -> dict[str, Any]:
    """GeoJSON of the land around a map: the territory's country and its regions.

    Drawn under every choropleth, so that a handful of municipalities sit inside the real
    outline of their country and departments. ``kind`` is "country" or "region".
    """
    country = territory.country()
    ids = [country.pk, *country.children.values_list("pk", flat=True)]
    features = []
    for boundary in Boundary.objects.filter(territory_id__in=ids).select_related("territory"):
        features.append(
            {
                "type": "Feature",
                "geometry": boundary.geometry,
                "properties": {
                    "id": boundary.territory_id,
                    "name": boundary.territory.name,
                    "kind": "country" if boundary.territory_id == country.pk else "region",
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _population_rows(series: dict[str, list[dict[str, int]]]) -> list[dict[str, Any]]:
    """The series as table rows {year, value, source}, by year then source."""
    rows = [
        {"year": point["year"], "value": point["value"], "source": source}
        for source, points in series.items()
        for point in points
    ]
    return sorted(rows, key=lambda row: (row["year"], row["source"]))


def _population_chart(series: dict[str, list[dict[str, int]]]) -> dict[str, Any]:
    """Chart.js data: one line per source over the union of years (gaps as null)."""
    years = sorted({point["year"] for points in series.values() for point in points})
    datasets = []
    for source, points in series.items():
        by_year = {point["year"]: point["value"] for point in points}
        # A source this code writes (choices.KNOWN_SOURCES) reads in the reader's language.
        label = gettext(source)
        datasets.append({"label": label, "data": [by_year.get(year) for year in years]})
    return {"labels": years, "datasets": datasets}


def page_context(territory: Territory) -> dict[str, Any]:
    children = territory.children.prefetch_related("codes").order_by("name")
    population = population_series(territory)
    return {
        "territory": territory,
        "ancestors": territory.ancestors(),
        "children": children,
        "codes": sorted(territory.codes.all(), key=lambda code: code.scheme),
        "alternative_names": sorted(territory.names.all(), key=lambda name: name.name),
        "population": population,
        "population_rows": _population_rows(population),
        "population_chart": _population_chart(population),
        "has_boundary": Boundary.objects.filter(
            territory_id__in=[territory.pk, *[c.pk for c in children]]
        ).exists(),
        # What the domain apps know of the territory, registered from their AppConfig.ready().
        **slots.context(slots.TERRITORY_PAGE, territory),
        "slot_templates": slots.templates(slots.TERRITORY_PAGE),
    }


class TerritoryConflict(ValueError):
    """Codes that should name one territory name two different ones."""


def find_by_codes(codes: Mapping[str, str]) -> Territory | None:
    """The one territory holding any of these codes, or None.

    Raises TerritoryConflict when the codes are held by different territories:
    merging them silently would lose one of the two.
    """
    from convivencia.territories.models import TerritoryCode

    if not codes:
        raise ValueError("at least one code is needed to find a territory")
    holders: dict[int, list[str]] = {}
    found: dict[int, Territory] = {}
    for row in TerritoryCode.objects.filter(_codes_q(codes)).select_related("territory"):
        holders.setdefault(row.territory_id, []).append(f"{row.scheme} {row.code}")
        found[row.territory_id] = row.territory
    if len(found) > 1:
        described = "; ".join(
            f"{', '.join(holders[pk])} → {found[pk].name} (#{pk})" for pk in sorted(found)
        )
        raise TerritoryConflict(
            f"these codes belong to {len(found)} different territories: {described}"
        )
    return next(iter(found.values()), None)


def upsert_territory(
    *,
    parent: Territory | None,
    level: int,
    name: str,
    codes: dict[str, str],
    kind: str = "",
) -> tuple[Territory, str]:
    """Find a territory by any of its codes (codes win over names) and bring it up to date.

    Returns the territory and what happened: "created", "updated" or "unchanged".
    Raises TerritoryConflict if the codes point at two different territories.
    """
    from convivencia.territories.models import TerritoryCode

    territory = find_by_codes(codes)
    if territory is None:
        territory = Territory.objects.create(parent=parent, level=level, name=name, kind=kind)
        for scheme, code in codes.items():
            TerritoryCode.objects.create(territory=territory, scheme=scheme, code=code)
        return territory, "created"

    changed = False
    for field, value in (("parent", parent), ("level", level), ("name", name)):
        if getattr(territory, field) != value:
            setattr(territory, field, value)
            changed = True
    if kind and territory.kind != kind:
        territory.kind = kind
        changed = True
    if changed:
        territory.save()
    held = {code.scheme: code for code in territory.codes.all()}
    for scheme, code in codes.items():
        if scheme not in held:
            TerritoryCode.objects.create(territory=territory, scheme=scheme, code=code)
            changed = True
        elif held[scheme].code != code:
            held[scheme].code = code
            held[scheme].save(update_fields=["code"])
            changed = True
    return territory, "updated" if changed else "unchanged"


def _codes_q(codes: Mapping[str, str]) -> Q:
    condition = Q()
    for scheme, code in codes.items():
        condition |= Q(scheme=scheme, code=code)
    return condition


def country_name(record: Any) -> str:
    """pycountry's everyday name: "Bolivia", not "Bolivia, Plurinational State of"."""
    return getattr(record, "common_name", None) or record.name


def upsert_country(alpha2: str) -> tuple[Territory, str]:
    """The country with this ISO 3166-1 alpha-2 code, from pycountry, and what happened."""
    import pycountry

    from convivencia.territories.choices import Level, Scheme

    record = pycountry.countries.get(alpha_2=alpha2.upper())
    if record is None:
        raise ValueError(f"{alpha2!r} is not an ISO 3166-1 alpha-2 country code")
    return upsert_territory(
        parent=None,
        level=Level.COUNTRY,
        name=country_name(record),
        codes={Scheme.ISO: record.alpha_2},
        kind="country",
    )


def ensure_country(alpha2: str) -> Territory:
    """The country with this ISO 3166-1 alpha-2 code, created from pycountry if missing."""
    territory, _ = upsert_country(alpha2)
    return territory
