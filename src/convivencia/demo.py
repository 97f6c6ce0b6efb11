"""The synthetic demo: built in code, never read from files, safe to run twice.

The demo loader composes the apps' demos, so it sits above them all (the site layer, see
docs/architecture.md): the territories come from ``territories.demo``, the people from
here, and each domain app adds its part through ``DEMO_BUILDERS``. Every person is invented.
"""

from __future__ import annotations

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
from convivencia.network import demo as network_demo
from convivencia.panels import demo as panels_demo
from convivencia.studies import demo as studies_demo
from convivencia.territories.demo import build_territories
from convivencia.territories.models import Territory
from convivencia.territories.services import ensure_country

DEMO_VERSION = "1"
DEMO_PASSWORD = "convivencia-demo"  # noqa: S105  (printed to the person running the demo)


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
        "Fiscalía General de la Nación — Seccional Cauca",
        "Fiscalía Cauca",
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
DEMO_BUILDERS.append(studies_demo.build)  # after the dialogues: findings cite their concerns
DEMO_BUILDERS.append(network_demo.build)
# Before the dialogues: their agenda proposals read the panels' waves, and a second load
# would otherwise propose more than the first.
DEMO_BUILDERS.insert(DEMO_BUILDERS.index(dialogues_demo.build), panels_demo.build)


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
                "first_name": person.first_name,
                "last_name": person.last_name,
                "email": f"{person.username}@demo.invalid",
                "is_superuser": person.superuser,
                "is_staff": person.superuser,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        account_services.grant(
            user,
            organisations[person.organisation],
            person.role,
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
