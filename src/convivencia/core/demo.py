"""The synthetic demo: built in code, never read from files, safe to run twice.

Names and DIVIPOLA codes of departments and municipalities are public facts;
every person, population figure and boundary here is invented (boundaries are
small hexagons around the real municipal seats, enough to find a place on a map).
Later features add their own parts through ``DEMO_BUILDERS``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction

from convivencia.accounts import services as account_services
from convivencia.accounts.choices import OrganisationType, Role
from convivencia.accounts.models import Organisation, User
from convivencia.core.models import DemoDataset
from convivencia.dialogues import demo as dialogues_demo
from convivencia.evidence import demo as evidence_demo
from convivencia.indicators import demo as indicators_demo
from convivencia.panels import demo as panels_demo
from convivencia.territories.choices import Level, Scheme
from convivencia.territories.models import Boundary, Population, Territory
from convivencia.territories.services import ensure_country, upsert_territory

DEMO_VERSION = "1"
DEMO_PASSWORD = "convivencia-demo"  # noqa: S105  (printed to the person running the demo)
POPULATION_SOURCE = "Demo data (synthetic)"
YEARS = range(2018, 2025)

# (DIVIPOLA, ISO 3166-2, name)
DEPARTMENTS = [
    ("05", "CO-ANT", "Antioquia"),
    ("18", "CO-CAQ", "Caquetá"),
    ("19", "CO-CAU", "Cauca"),
    ("52", "CO-NAR", "Nariño"),
    ("54", "CO-NSA", "Norte de Santander"),
]
# (DIVIPOLA, name, latitude, longitude of the seat, synthetic 2024 population)
MUNICIPALITIES = [
    ("05001", "Medellín", 6.2442, -75.5812, 2_600_000),
    ("05045", "Apartadó", 7.8829, -76.6258, 121_000),
    ("05837", "Turbo", 8.0929, -76.7284, 134_000),
    ("05154", "Caucasia", 7.9866, -75.1934, 118_000),
    ("18001", "Florencia", 1.6144, -75.6062, 185_000),
    ("18753", "San Vicente del Caguán", 2.1153, -74.7700, 55_000),
    ("18150", "Cartagena del Chairá", 1.3350, -74.8436, 33_000),
    ("19001", "Popayán", 2.4448, -76.6147, 343_000),
    ("19698", "Santander de Quilichao", 3.0094, -76.4847, 101_000),
    ("19821", "Toribío", 2.9550, -76.2700, 32_000),
    ("19256", "El Tambo", 2.4517, -76.8103, 48_000),
    ("52001", "Pasto", 1.2136, -77.2811, 392_000),
    ("52835", "San Andrés de Tumaco", 1.8067, -78.7647, 267_000),
    ("52356", "Ipiales", 0.8302, -77.6444, 150_000),
    ("54001", "San José de Cúcuta", 7.8939, -72.5078, 800_000),
    ("54810", "Tibú", 8.6390, -72.7350, 62_000),
    ("54498", "Ocaña", 8.2375, -73.3560, 130_000),
]


@dataclass
class DemoPerson:
    username: str
    first_name: str
    last_name: str
    organisation: str
    role: str
    territories: list[str] = field(default_factory=list)  # DIVIPOLA codes; empty = everywhere
    superuser: bool = False


ORGANISATIONS = [
    ("Programa Convivencia (demo)", "Convivencia", OrganisationType.CIVIL_SOCIETY),
    ("Policía Nacional — Departamento de Policía Cauca", "DECAU", OrganisationType.POLICE),
    ("Ejército Nacional — Tercera División", "3DIV", OrganisationType.ARMY),
    (
        "Fiscalía General de la Nación — Seccional Cauca", "Fiscalía Cauca",
        OrganisationType.PROSECUTOR,
    ),
    ("Rama Judicial — Juzgados de Popayán", "Juzgados Popayán", OrganisationType.JUDICIARY),
    ("Defensoría del Pueblo — Regional Cauca", "Defensoría Cauca", OrganisationType.OMBUDSMAN),
    ("Alcaldía de Popayán", "Alcaldía Popayán", OrganisationType.LOCAL_GOVERNMENT),
    ("Alcaldía de San Andrés de Tumaco", "Alcaldía Tumaco", OrganisationType.LOCAL_GOVERNMENT),
    ("Junta de Acción Comunal Barrio Bolívar (demo)", "JAC Bolívar", OrganisationType.COMMUNITY),
    ("Universidad del Cauca (demo)", "Unicauca", OrganisationType.ACADEMIA),
    ("Fondo de Cooperación (demo)", "Fondo demo", OrganisationType.DONOR),
]

PEOPLE = [
    DemoPerson("admin", "Ana", "Administradora", "Convivencia", Role.ADMINISTRATOR, superuser=True),
    DemoPerson("coordinadora.cauca", "Camila", "Muñoz", "Convivencia", Role.COORDINATOR, ["19"]),
    DemoPerson("coordinador.narino", "Carlos", "Rosero", "Convivencia", Role.COORDINATOR, ["52"]),
    DemoPerson(
        "analista", "Andrea", "Pérez", "Unicauca", Role.ANALYST, ["05", "18", "19", "52", "54"]
    ),
    DemoPerson("encuestador.cauca", "Esteban", "Quiñones", "Convivencia", Role.ENUMERATOR, ["19"]),
    DemoPerson("policia.popayan", "Pablo", "Ortiz", "DECAU", Role.PROVIDER, ["19001"]),
    DemoPerson("fiscalia.popayan", "Fernanda", "Ríos", "Fiscalía Cauca", Role.PROVIDER, ["19001"]),
    DemoPerson("lider.popayan", "Luz", "Caicedo", "JAC Bolívar", Role.COMMUNITY_LEADER, ["19001"]),
]

DEMO_BUILDERS: list[Callable[[], None]] = []
DEMO_BUILDERS.append(evidence_demo.build)
DEMO_BUILDERS.append(indicators_demo.build)
DEMO_BUILDERS.append(dialogues_demo.build)
# Before the dialogues: their agenda proposals read the panels' waves, and a second load
# would otherwise propose more than the first.
DEMO_BUILDERS.insert(DEMO_BUILDERS.index(dialogues_demo.build), panels_demo.build)


def hexagon(latitude: float, longitude: float, radius: float) -> dict:
    ring = [
        [
            round(longitude + radius * math.cos(math.radians(angle)), 5),
            round(latitude + radius * math.sin(math.radians(angle)), 5),
        ]
        for angle in range(0, 360, 60)
    ]
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [ring]}


def _bounding_polygon(points: list[tuple[float, float]], margin: float) -> dict:
    latitudes = [lat for lat, _ in points]
    longitudes = [lon for _, lon in points]
    south, north = min(latitudes) - margin, max(latitudes) + margin
    west, east = min(longitudes) - margin, max(longitudes) + margin
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [[[round(x, 5), round(y, 5)] for x, y in ring]]}


def _population(territory: Territory, value_2024: int) -> None:
    for year in YEARS:
        # Back-cast at 1.1 % a year: plausible, and obviously not an official figure.
        value = round(value_2024 / (1.011 ** (2024 - year)))
        Population.objects.update_or_create(
            territory=territory, year=year, source=POPULATION_SOURCE, defaults={"value": value}
        )


def build_territories() -> dict[str, Territory]:
    colombia = ensure_country("CO")
    by_code: dict[str, Territory] = {}
    for divipola, iso, name in DEPARTMENTS:
        department, _ = upsert_territory(
            parent=colombia, level=Level.REGION, name=name, kind="departamento",
            codes={Scheme.DIVIPOLA: divipola, Scheme.ISO: iso},
        )
        by_code[divipola] = department
    seats: dict[str, list[tuple[float, float]]] = {}
    for divipola, name, latitude, longitude, population in MUNICIPALITIES:
        department = by_code[divipola[:2]]
        municipality, _ = upsert_territory(
            parent=department, level=Level.MUNICIPALITY, name=name, kind="municipio",
            codes={Scheme.DIVIPOLA: divipola},
        )
        by_code[divipola] = municipality
        _population(municipality, population)
        Boundary.objects.update_or_create(
            territory=municipality,
            defaults={"geometry": hexagon(latitude, longitude, 0.12), "source": POPULATION_SOURCE},
        )
        seats.setdefault(divipola[:2], []).append((latitude, longitude))
    for divipola, points in seats.items():
        Boundary.objects.update_or_create(
            territory=by_code[divipola],
            defaults={"geometry": _bounding_polygon(points, 0.3), "source": POPULATION_SOURCE},
        )
    return by_code


def build_people(territories: dict[str, Territory]) -> list[DemoPerson]:
    colombia = ensure_country("CO")
    organisations = {}
    for name, short_name, kind in ORGANISATIONS:
        organisation, _ = Organisation.objects.update_or_create(
            name=name, country=colombia, defaults={"short_name": short_name, "type": kind}
        )
        organisations[short_name] = organisation
    for person in PEOPLE:
        user, created = User.objects.get_or_create(
            username=person.username,
            defaults={
                "first_name": person.first_name, "last_name": person.last_name,
                "email": f"{person.username}@demo.invalid",
                "is_superuser": person.superuser, "is_staff": person.superuser,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        account_services.grant(
            user, organisations[person.organisation], person.role,
            [territories[code] for code in person.territories],
        )
    return PEOPLE


@transaction.atomic
def load() -> list[DemoPerson]:
    territories = build_territories()
    people = build_people(territories)
    for builder in DEMO_BUILDERS:
        builder()
    DemoDataset.objects.update_or_create(pk=1, defaults={"version": DEMO_VERSION})
    refresh_statistics()
    return people


def refresh_statistics() -> None:
    """Let PostgreSQL plan with the demo's real table sizes.

    Autovacuum analyses a table only after the transaction that filled it commits, and
    then only later; until then the planner takes the 324,000 answers for a handful and
    picks nested loops that take minutes. ANALYZE inside the transaction sees its rows.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
