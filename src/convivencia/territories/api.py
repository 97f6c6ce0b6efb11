"""/api/v1/territories/: the territory tree, its codes, names, populations and boundaries.

Territories are public reference data, so these endpoints answer anonymous
callers; only ``your_roles`` in the detail depends on who is asking.
"""

# No `from __future__ import annotations` here: ninja reads the endpoint
# signatures at import time and cannot resolve string annotations such as Query[...].
from enum import StrEnum
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from convivencia.accounts import access
from convivencia.api.errors import ApiError, ErrorBody, invalid
from convivencia.api.pagination import PageNumberPagination
from convivencia.territories.choices import Level, Scheme
from convivencia.territories.models import (
    Boundary,
    Population,
    Territory,
    TerritoryCode,
)

router = Router(tags=["territories"])

# Levels travel as names ("municipality"): the numbers are a storage detail.
# mypy takes the functional Enum form only with literal names; these come from Level.
LevelName = StrEnum("LevelName", [level.name.lower() for level in Level])  # type: ignore[misc]


def level_name(level: int) -> str:
    return Level(level).name.lower()


class TerritoryRef(Schema):
    id: int
    name: str


class TerritoryOut(Schema):
    id: int
    name: str
    level: LevelName
    kind: str = Field(description="The local word for the level: departamento, vereda…")
    parent: int | None = Field(description="The parent territory's id.")
    codes: dict[str, str] = Field(description='Code per scheme, e.g. {"divipola": "19001"}.')
    ancestors: list[TerritoryRef] = Field(description="From the country down to the parent.")

    @staticmethod
    def resolve_level(territory: Territory) -> str:
        return level_name(territory.level)

    @staticmethod
    def resolve_parent(territory: Territory) -> int | None:
        return territory.parent_id

    @staticmethod
    def resolve_codes(territory: Territory) -> dict[str, str]:
        return {code.scheme: code.code for code in territory.codes.all()}

    @staticmethod
    def resolve_ancestors(territory: Territory) -> list[dict[str, Any]]:
        # Set on each territory by attach_ancestors, for this schema; not a model field.
        return territory.api_ancestors  # type: ignore[attr-defined]


class AlternativeNameOut(Schema):
    name: str
    language: str
    source: str


class PopulationOut(Schema):
    year: int
    value: int
    source: str


class TerritoryDetailOut(TerritoryOut):
    alternative_names: list[AlternativeNameOut]
    area_km2: float | None
    children_count: int
    population: list[PopulationOut] = Field(description="Ordered by year, then source.")
    has_boundary: bool
    boundary_url: str | None
    url: str = Field(description="The territory's page on the website.")
    your_roles: list[str] = Field(
        description="The roles the caller holds for this territory (empty when anonymous)."
    )

    @staticmethod
    def resolve_alternative_names(territory: Territory) -> list[Any]:
        return list(territory.names.all())

    @staticmethod
    def resolve_population(territory: Territory) -> list[Any]:
        return list(territory.populations.all())

    @staticmethod
    def resolve_boundary_url(territory: Territory, context: dict[str, Any]) -> str | None:
        # Annotated by the list's queryset (Exists over the boundaries); not a model field.
        if not territory.has_boundary:  # type: ignore[attr-defined]
            return None
        path = reverse("api-v1:territory-boundary", args=[territory.pk])
        return context["request"].build_absolute_uri(path)

    @staticmethod
    def resolve_url(territory: Territory, context: dict[str, Any]) -> str:
        path = reverse("territories:detail", args=[territory.pk])
        return context["request"].build_absolute_uri(path)

    @staticmethod
    def resolve_your_roles(territory: Territory, context: dict[str, Any]) -> list[str]:
        return sorted(access.roles_in(context["request"].user, territory))


class TerritoryFilters(Schema):
    q: str | None = Field(
        None, description="Search by name (case and accents ignored) or code (exact or prefix)."
    )
    scheme: Scheme | None = Field(None, description="Only territories with a code in this scheme.")
    code: str | None = Field(None, description="Exact code (with `scheme`, in that scheme).")
    level: LevelName | None = None
    parent: int | None = Field(None, description="Children of this territory id.")
    within: int | None = Field(
        None, description="This territory id and everything below it, at any depth."
    )


def attach_ancestors(territories: list[Territory]) -> None:
    """Give each territory ``api_ancestors`` with one query for the whole list.

    The materialised path already holds the ancestor ids, so only their names
    are missing.
    """
    wanted = {pk for territory in territories for pk in territory.ancestor_ids[:-1]}
    names = dict(Territory.objects.filter(pk__in=wanted).values_list("pk", "name"))
    for territory in territories:
        # Read by TerritoryOut.resolve_ancestors; not a model field.
        territory.api_ancestors = [  # type: ignore[attr-defined]
            {"id": pk, "name": names[pk]} for pk in territory.ancestor_ids[:-1] if pk in names
        ]


def _existing(pk: int, parameter: str) -> Territory:
    territory = Territory.objects.filter(pk=pk).first()
    if territory is None:
        raise invalid(("query", parameter), _("No territory has the id %(id)d.") % {"id": pk})
    return territory


def filter_territories(filters: TerritoryFilters) -> QuerySet[Territory]:
    territories = Territory.objects.all()
    if filters.q is not None and filters.q.strip():
        territories = territories.search(filters.q)
    if filters.scheme is not None or filters.code is not None:
        codes = TerritoryCode.objects.all()
        if filters.scheme is not None:
            codes = codes.filter(scheme=filters.scheme)
        if filters.code is not None:
            codes = codes.filter(code__iexact=filters.code.strip())
        # A subquery, not a join: a territory with several matching codes stays one row.
        territories = territories.filter(pk__in=codes.values("territory_id"))
    if filters.level is not None:
        territories = territories.filter(level=Level[filters.level.name.upper()])
    if filters.parent is not None:
        territories = territories.filter(parent=_existing(filters.parent, "parent"))
    if filters.within is not None:
        territories = territories.within(_existing(filters.within, "within"))
    return territories.prefetch_related("codes").order_by("level", "name", "pk")


@router.get(
    "/",
    response={200: list[TerritoryOut], 400: ErrorBody, 401: ErrorBody, 404: ErrorBody},
    url_name="territory-list",
    summary="List and search territories",
)
@paginate(PageNumberPagination, prepare=attach_ancestors)
def list_territories(request: HttpRequest, filters: Query[TerritoryFilters]) -> QuerySet[Territory]:
    """Territories ordered by level and name, filtered by any combination of parameters.

    Look a territory up by its code with `?scheme=divipola&code=19001`; search with `?q=popayan`.
    """
    return filter_territories(filters)


@router.get(
    "/{int:territory_id}/",
    response={200: TerritoryDetailOut, 401: ErrorBody, 404: ErrorBody},
    url_name="territory-detail",
    summary="One territory",
)
def get_territory(request: HttpRequest, territory_id: int) -> Territory:
    """The territory with its codes, alternative names, population series and boundary status."""
    territory = (
        Territory.objects.filter(pk=territory_id)
        .annotate(
            children_count=Count("children"),
            has_boundary=Exists(Boundary.objects.filter(territory=OuterRef("pk"))),
        )
        .prefetch_related(
            "codes",
            "names",
            Prefetch("populations", queryset=Population.objects.order_by("year", "source")),
        )
        .first()
    )
    if territory is None:
        raise ApiError(404, _("No territory has the id %(id)d.") % {"id": territory_id})
    attach_ancestors([territory])
    return territory


@router.get(
    "/{int:territory_id}/boundary",
    response={200: dict[str, Any], 401: ErrorBody, 404: ErrorBody},
    url_name="territory-boundary",
    summary="A territory's boundary as GeoJSON",
)
def get_boundary(request: HttpRequest, territory_id: int) -> dict[str, Any]:
    """A GeoJSON Feature with the territory's own boundary (children not included)."""
    boundary = (
        Boundary.objects.filter(territory_id=territory_id).select_related("territory").first()
    )
    if boundary is None:
        if Territory.objects.filter(pk=territory_id).exists():
            raise ApiError(404, _("This territory has no boundary yet."))
        raise ApiError(404, _("No territory has the id %(id)d.") % {"id": territory_id})
    territory = boundary.territory
    return {
        "type": "Feature",
        "id": territory.pk,
        "geometry": boundary.geometry,
        "properties": {
            "id": territory.pk,
            "name": territory.name,
            "level": level_name(territory.level),
            "source": boundary.source,
            "updated_at": boundary.updated_at.isoformat(),
        },
    }
