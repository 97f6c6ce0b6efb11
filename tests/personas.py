"""The demo's roles as named people with fixed territories, one module for every test.

Territories come from ``tests.factories.make_colombia``: Colombia › Cauca (19) › Popayán
(19001) and Colombia › Nariño (52) › Pasto (52001). Nariño is "the other territory":
everybody below works in Cauca except Carlos, who coordinates Nariño.

key: person — role, territory; organisation (its type)

- ``anonymous``: not signed in.
- ``nobody``: Nadia Nadie — signed in, no role anywhere.
- ``admin``: Ana Administradora — administrator, national, superuser and staff;
  Programa Convivencia (civil society).
- ``coord_cauca``: Camila Muñoz — coordinator, Cauca; Programa Convivencia (civil society).
- ``coord_narino``: Carlos Rosero — coordinator, Nariño; Programa Convivencia (civil society).
- ``analyst``: Andrea Pérez — analyst, Cauca; Universidad del Cauca (academia).
- ``enumerator``: Esteban Quiñones — enumerator, Cauca; Programa Convivencia (civil society).
- ``police``: Pablo Ortiz — provider (police liaison), Popayán; Policía Metropolitana de
  Popayán (police).
- ``prosecutor``: Fernanda Ríos — provider (prosecutor's liaison), Popayán; Fiscalía
  Seccional Cauca (prosecutor's office).
- ``leader``: Luz Caicedo — community leader, Popayán; JAC Barrio Bolívar (community
  organisation).

``make_organisations`` also makes Pasto's police, an organisation none of them works for.

Unlike the demo's analyst (five departments), Andrea works in Cauca only, so that every
role has a territory it does not cover.

A test module that builds its own people for a story of its own gives them these first
names for the same role and place (``make_user("camila")``: a coordinator of Cauca;
``"luz"``: a community leader of Popayán; ``"carlos"``: a coordinator of Nariño…), and
other names to anybody else. The other names in use for people with a role:

- ``pedro``: police liaison in Pasto (panels' ``make_world``, dialogues' builders,
  accounts' views);
- ``lucia``: community leader in Pasto (dialogues' builders);
- ``julia``: judiciary liaison for Cauca (panels' ``make_world``);
- ``alba``: analyst of Cauca in the evidence importer's tests.

Who may open which page is checked persona by persona in ``tests/test_access_table.py``
(every route of the site) and in each app's ``test_permissions.py``: those of panels and
evidence build their worlds from ``make_personas``; the dialogues' keeps the dialogues'
world (``tests/dialogues/builders.make_world``), whose people bear the same names.
"""

from __future__ import annotations

from types import SimpleNamespace

from convivencia.accounts.choices import OrganisationType, Role
from convivencia.accounts.models import Organisation, User
from tests.factories import grant, make_colombia, make_organisation, make_user

# In the order the access table lists its columns.
PERSONAS: tuple[str, ...] = (
    "anonymous",
    "nobody",
    "admin",
    "coord_cauca",
    "coord_narino",
    "analyst",
    "enumerator",
    "police",
    "prosecutor",
    "leader",
)


def make_organisations() -> SimpleNamespace:
    """The organisations the personas work for, plus Pasto's police (a stranger to them)."""
    return SimpleNamespace(
        programme=make_organisation("Programa Convivencia", OrganisationType.CIVIL_SOCIETY),
        university=make_organisation("Universidad del Cauca", OrganisationType.ACADEMIA),
        police=make_organisation("Policía Metropolitana de Popayán", OrganisationType.POLICE),
        prosecutor=make_organisation("Fiscalía Seccional Cauca", OrganisationType.PROSECUTOR),
        community=make_organisation("JAC Barrio Bolívar", OrganisationType.COMMUNITY),
        police_pasto=make_organisation("Policía Metropolitana de Pasto", OrganisationType.POLICE),
    )


def _person(username: str, first_name: str, last_name: str, **fields) -> User:
    return make_user(
        username,
        first_name=first_name,
        last_name=last_name,
        email=f"{username}@example.org",
        **fields,
    )


def make_personas() -> SimpleNamespace:
    """Places, organisations and one user per persona (``anonymous`` is ``None``).

    ``people`` maps each key of PERSONAS to its user, for tables that loop over them.
    """
    places = make_colombia()
    orgs = make_organisations()
    people: dict[str, User | None] = {"anonymous": None}
    people["nobody"] = _person("nadia.nadie", "Nadia", "Nadie")
    people["admin"] = _person("admin", "Ana", "Administradora", is_superuser=True, is_staff=True)
    grant(people["admin"], orgs.programme, Role.ADMINISTRATOR)
    memberships: dict[str, tuple[str, str, str, Organisation, str, object]] = {
        "coord_cauca": (
            "coordinadora.cauca",
            "Camila",
            "Muñoz",
            orgs.programme,
            Role.COORDINATOR,
            places.cauca,
        ),
        "coord_narino": (
            "coordinador.narino",
            "Carlos",
            "Rosero",
            orgs.programme,
            Role.COORDINATOR,
            places.narino,
        ),
        "analyst": ("analista", "Andrea", "Pérez", orgs.university, Role.ANALYST, places.cauca),
        "enumerator": (
            "encuestador.cauca",
            "Esteban",
            "Quiñones",
            orgs.programme,
            Role.ENUMERATOR,
            places.cauca,
        ),
        "police": ("policia.popayan", "Pablo", "Ortiz", orgs.police, Role.PROVIDER, places.popayan),
        "prosecutor": (
            "fiscalia.popayan",
            "Fernanda",
            "Ríos",
            orgs.prosecutor,
            Role.PROVIDER,
            places.popayan,
        ),
        "leader": (
            "lider.popayan",
            "Luz",
            "Caicedo",
            orgs.community,
            Role.COMMUNITY_LEADER,
            places.popayan,
        ),
    }
    for key, (username, first, last, organisation, role, territory) in memberships.items():
        user = _person(username, first, last)
        grant(user, organisation, role, [territory])
        people[key] = user
    assert tuple(people) == PERSONAS
    return SimpleNamespace(places=places, orgs=orgs, people=people, **people)


LOGIN = "login"  # in a permission table: a 302 to the login page


def answer(client, url: str) -> int | str:
    """What ``url`` answers the client: a status code, or LOGIN for a redirect to log in.
    A refused API call must also carry the API's error body."""
    from django.urls import reverse

    from tests.api.helpers import error_of

    response = client.get(url)
    if url.startswith("/api/") and response.status_code != 200:
        error_of(response)
    if response.status_code == 302 and response["Location"].startswith(reverse("accounts:login")):
        return LOGIN
    return response.status_code


def table_mismatches(
    people: dict[str, User | None], url: str, expected: tuple[int | str, ...]
) -> list[str]:
    """Each persona (in PERSONAS order) asks for ``url``; the answers that differ from
    ``expected``, one line each."""
    from django.test import Client

    mismatches = []
    for persona, wanted in zip(PERSONAS, expected, strict=True):
        client = Client()
        if people[persona] is not None:
            client.force_login(people[persona])
        got = answer(client, url)
        if got != wanted:
            mismatches.append(f"{persona}: got {got}, the table says {wanted}")
    return mismatches
