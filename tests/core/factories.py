"""Test data for the pages, on top of the shared tests.factories (Colombia › Cauca › Popayán)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from convivencia.accounts.choices import Role
from convivencia.accounts.models import User
from convivencia.jobs.models import Job
from convivencia.territories.models import Boundary, Population, Territory, TerritoryName
from tests.factories import grant, make_colombia, make_organisation, make_user

POPULATION_SOURCE = "DANE projections (CNPV 2018)"


def square(west: float, south: float, size: float) -> dict[str, Any]:
    """A GeoJSON Polygon: a square with its south-west corner at (west, south)."""
    east, north = west + size, south + size
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def make_places(*, boundaries: bool = False) -> SimpleNamespace:
    """Colombia with Popayán's alternative name and population series; squares as boundaries."""
    places = make_colombia()
    TerritoryName.objects.create(territory=places.popayan, name="Ciudad Blanca", source="uso común")
    for year, value in ((2020, 318_059), (2021, 320_421), (2022, 325_717)):
        Population.objects.create(
            territory=places.popayan, year=year, value=value, source=POPULATION_SOURCE
        )
    if boundaries:
        Boundary.objects.create(territory=places.cauca, geometry=square(-77.5, 1.5, 1.5))
        Boundary.objects.create(territory=places.popayan, geometry=square(-76.7, 2.3, 0.3))
    return places


def make_coordinator(username: str, territory: Territory) -> User:
    """A coordinator for the NGO "Fundación Paz Cauca", working in ``territory``."""
    user = make_user(username, email=f"{username}@example.org")
    grant(user, make_organisation("Fundación Paz Cauca"), Role.COORDINATOR, [territory])
    return user


def make_job(user: User, **fields: Any) -> Job:
    defaults = {"kind": "test", "label": "Importar población", "created_by": user}
    return Job.objects.create(**{**defaults, **fields})
