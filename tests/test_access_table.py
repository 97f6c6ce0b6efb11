"""Who may open what: every route of the site and every path of the API, checked
against one table (``tests/access_table.py``) for every persona of ``tests/personas.py``.

The routes come from walking the URL resolver and the paths from ``/api/v1/openapi.json``,
so a page cannot be added without a row saying who may see it, and a row cannot outlive
its page. Arguments are filled from one world built once for the module: each object
exists in Cauca/Popayán (variant ``cauca``) and in Nariño/Pasto (``narino``), Popayán
also has a published dialogue process (``cauca_published``), and the registry has a
``published`` and a ``draft`` intervention. Every POST runs in a savepoint that is rolled
back, so it cannot change what the next request sees.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from http.cookies import SimpleCookie
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from django.contrib.admin.sites import site as admin_site
from django.core.cache import cache as django_cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.http import HttpResponseBase
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from convivencia.accounts.choices import Role
from convivencia.accounts.models import ApiToken
from convivencia.api.api import api
from convivencia.core.models import Notification
from convivencia.dialogues.choices import InstrumentKind
from convivencia.dialogues.models import (
    ActionPlan,
    AgendaItem,
    Attachment,
    Commitment,
    Concern,
    Evidence,
    Participation,
    PolicyUptake,
    Process,
    Update,
)
from convivencia.evidence.choices import ExternalSource
from convivencia.evidence.models import ExternalRating
from convivencia.indicators import presets
from convivencia.indicators.choices import Dhis2Kind
from convivencia.indicators.models import DataElement, Dhis2Mapping
from convivencia.jobs.models import Job
from convivencia.panels import openrosa
from convivencia.panels.jobs import IMPORT_JOB
from convivencia.territories.models import Boundary
from tests.access_table import (
    ADMIN_LOGIN,
    ANY,
    API,
    DEBUG_ONLY,
    EXAMPLES,
    LOGIN,
    PAGES,
    PARAMETERS,
    QUERY_PARAMETERS,
    Expected,
    Row,
    admin_rule,
)
from tests.dialogues.builders import make_session, status
from tests.evidence.builders import EFFECTIVE, make_intervention
from tests.factories import grant, make_user
from tests.indicators.test_explorer import store
from tests.network.builders import access_variants
from tests.panels import add_respondent, make_default_panel
from tests.panels.test_dashboard import SQUARE, answer_wave, close, open_wave
from tests.personas import PERSONAS, make_personas
from tests.studies.builders import add_access_variants as add_study_variants

OPEN_WAVE = "2024-03"

# --- the world -------------------------------------------------------------------------------


def _dialogue(
    variant: SimpleNamespace, municipality, responsible, leader_name: str, published: bool = False
) -> None:
    """A process in ``municipality`` (unpublished unless said) with one of each part."""
    process = Process.objects.create(
        territory=municipality, is_published=published, title=f"Diálogo de {municipality.name}"
    )
    session = make_session(process, title="Sesión conjunta")
    concern = Concern.objects.create(process=process, raised_in=session, title="Extorsión")
    plan = ActionPlan.objects.create(process=process, adopted_in=session, title="Plan 2024")
    commitment = Commitment.objects.create(
        process=process,
        made_in=session,
        action_plan=plan,
        concern=concern,
        reference="C-1",
        title="Patrullajes nocturnos",
        responsible=responsible,
        territory=municipality,
        due_date=timezone.localdate() + datetime.timedelta(days=30),
        verification="Acta de la JAC",
        status=status("not_started"),
    )
    update = Update.objects.create(
        commitment=commitment,
        organisation=responsible,
        status=status("in_progress"),
        progress=40,
        description="Primeras rondas",
    )
    evidence = Evidence(update=update, title="Acta")
    evidence.file.save("acta.txt", ContentFile(b"Acta de la ronda"), save=True)
    attachment = Attachment(session=session, title="Lista de asistencia")
    attachment.file.save("asistencia.txt", ContentFile(b"Asistentes"), save=True)
    variant.__dict__.update(
        process=process,
        session=session,
        concern=concern,
        plan=plan,
        commitment=commitment,
        update=update,
        evidence=evidence,
        attachment=attachment,
        agenda_item=AgendaItem.objects.create(session=session, title="Seguridad en el barrio"),
        participation=Participation.objects.create(
            session=session, name=leader_name, role="community_leader"
        ),
        uptake=PolicyUptake.objects.create(
            process=process,
            commitment=commitment,
            lesson="Rondas con la JAC",
            instrument_kind=InstrumentKind.PISCC,
            instrument_name="PISCC 2024-2027",
        ),
    )


def _panel(variant: SimpleNamespace, municipality, code: str, prefix: str, importer) -> None:
    """A panel with eight leaders, two closed waves answered, one open wave and an import
    job of ``importer`` with its file of rejected rows."""
    panel = make_default_panel(municipality, code=code)
    respondents = [
        add_respondent(
            panel,
            f"{prefix}{number:03d}",
            contact={"phone": f"300000{number:04d}"},
            sex="female" if number % 2 else "male",
        )
        for number in range(1, 9)
    ]
    for period, trust in (("2024-01", 6), ("2024-02", 3)):
        wave = open_wave(panel, period)
        answer_wave(wave, {n: {"B18": trust, "JUDGES": trust} for n in range(1, 9)}, prefix=prefix)
        close(wave)
    open_wave(panel, OPEN_WAVE)
    error_file = default_storage.save(
        f"jobs/access-table/{code}-rejected.csv", ContentFile(b"row,problem\n3,bad value\n")
    )
    job = Job.objects.create(
        kind=IMPORT_JOB,
        label=f"Respuestas {code}",
        created_by=importer,
        params={"panel": code},
        result={"error_file": error_file},
    )
    variant.__dict__.update(
        panel=panel.code,
        respondent=respondents[0],
        job=job,
        period=OPEN_WAVE,
        form_id=openrosa.xform_for(panel).form_id,
        questionnaire=panel.questionnaire,
    )


def _territorial(
    municipality, divipola: str, organisation, owner, code: str, prefix: str
) -> SimpleNamespace:
    Boundary.objects.create(territory=municipality, geometry=SQUARE, source="test")
    variant = SimpleNamespace(
        territory=municipality,
        organisation=organisation,
        department=municipality.parent,
        territory_code=f"divipola:{divipola}",
        export_kind="long.csv",
        export_what="commitments",
        decision="accept",
        indicator="homicide_rate",
        dhis2_mapping=Dhis2Mapping.objects.create(
            kind=Dhis2Kind.ORG_UNIT, identifier=f"ou{divipola}", territory=municipality
        ),
        token=ApiToken.issue(owner, "access table")[0],
        notification=Notification.objects.create(user=owner, title="Ola cerrada", url="/panels/"),
    )
    _dialogue(variant, municipality, organisation, leader_name=f"Líder de {municipality.name}")
    _panel(variant, municipality, code, prefix, importer=owner)
    return variant


def _published_process(municipality, responsible) -> SimpleNamespace:
    """The same parts in a published process of ``municipality``: strangers may read it
    but must not learn that its edit pages exist."""
    variant = SimpleNamespace(decision="accept", export_what="commitments")
    _dialogue(variant, municipality, responsible, leader_name="Líder en público", published=True)
    return variant


def _intervention(published: bool) -> SimpleNamespace:
    intervention = make_intervention(
        "Patrullaje focalizado" if published else "Borrador sin publicar",
        rating_findings={"homicide": EFFECTIVE},
        published=published,
    )
    external = ExternalRating.objects.create(
        intervention=intervention, source=ExternalSource.CRIMESOLUTIONS, label="Effective"
    )
    return SimpleNamespace(
        intervention=intervention,
        action="unpublish" if published else "submit",
        evaluation=intervention.evaluations.first(),
        rating=intervention.ratings.first(),
        external_rating=external,
    )


def build_world() -> SimpleNamespace:
    personas = make_personas()
    places, orgs, people = personas.places, personas.orgs, personas.people
    # Pasto's police has a liaison (not a persona), so Nariño's people see it at work there.
    grant(make_user("policia.pasto"), orgs.police_pasto, Role.PROVIDER, [places.pasto])
    presets.ensure_presets()
    homicides = DataElement.objects.get(code="homicides")
    for municipality in (places.popayan, places.pasto):
        for month in range(1, 13):
            store(homicides, municipality, f"2023-{month:02d}", 2)
    variants = {
        "cauca": _territorial(
            places.popayan, "19001", orgs.police, people["coord_cauca"], "popayan", "R"
        ),
        "narino": _territorial(
            places.pasto, "52001", orgs.police_pasto, people["coord_narino"], "pasto", "P"
        ),
        "cauca_published": _published_process(places.popayan, orgs.police),
        "published": _intervention(published=True),
        "draft": _intervention(published=False),
        **access_variants(),
    }
    add_study_variants(variants, personas)
    return SimpleNamespace(personas=personas, variants=variants)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[SimpleNamespace]:
    """Built once; its transaction is rolled back when the module ends."""
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_world()
        world.sessions = _sign_in(world.personas.people)
        yield world
        transaction.set_rollback(True)


def _sign_in(people) -> dict[str, str]:
    """A session cookie per persona, made once (force_login, no password hashing)."""
    cookies = {}
    for key, user in people.items():
        if user is not None:
            client = Client()
            client.force_login(user)
            cookies[key] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return cookies


# --- the routes ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """One URLPattern: its name ("namespace:name") and path with ``{param}`` placeholders."""

    name: str
    template: str
    params: tuple[str, ...]
    is_regex: bool


CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")


def walk(
    resolver: URLResolver | None = None, prefix: str = "", namespace: str = ""
) -> Iterator[Route]:
    """Every URLPattern below ``resolver``, depth first, with the prefixes of its includes."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        text = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from walk(pattern, text, inner)
        elif isinstance(pattern, URLPattern):
            # Unnamed patterns (the admin's catch-alls, the debug media route) go by their path.
            label = pattern.name or text
            name = f"{namespace}:{label}" if namespace else label
            is_regex = text.startswith("^") or "(?P<" in text or text.endswith("$")
            template = CONVERTER.sub(r"{\1}", text)
            yield Route(name, template, tuple(CONVERTER.findall(text)), is_regex)


@cache
def openapi_paths() -> frozenset[str]:
    """The paths of the API's schema, as /api/v1/openapi.json serves them."""
    return frozenset(api.get_openapi_schema()["paths"])


def api_operation_path(route: Route) -> str | None:
    """The OpenAPI path of an API route, or None for every other URL (the API's own
    pages, its JSON 404 included, are pages like any other)."""
    path = "/" + route.template
    return path if path in openapi_paths() else None


def is_admin(route: Route) -> bool:
    return route.name.startswith("admin:")


def fill(template: str, variant: SimpleNamespace | None) -> str:
    """The URL of ``template`` with each ``{param}`` taken from the variant's objects.

    Which object a path parameter means is read from PARAMETERS by the path up to it,
    e.g. ``dialogues/session/{pk}`` is the variant's ``session``; a query parameter is
    read from QUERY_PARAMETERS by its name.
    """
    path, mark, query = template.partition("?")

    def lookup(table: dict[str, str], key: str) -> str:
        if key not in table:
            raise AssertionError(f"no entry for {key!r} (route {template!r})")
        if variant is None:
            raise AssertionError(f"{template!r} has parameters: its rows need a variant")
        found: Any = getattr(variant, table[key])
        return str(found.pk if isinstance(found, models.Model) else found)

    path = re.sub(r"\{(\w+)\}", lambda m: lookup(PARAMETERS, path[: m.end()]), path)
    query = re.sub(r"\{(\w+)\}", lambda m: lookup(QUERY_PARAMETERS, m[1]), query)
    return f"/{path}{mark}{query}"


# --- requests --------------------------------------------------------------------------------


def outcome(response: HttpResponseBase) -> Expected:
    """The status, with the two login redirects told apart from other redirects."""
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(reverse("accounts:login")):
            return LOGIN
        if location.startswith(reverse("admin:login")):
            return ADMIN_LOGIN
    return response.status_code


def request(world: SimpleNamespace, persona: str, method: str, url: str) -> Expected:
    # A server error is an answer like any other here: the table names the request.
    client = Client(raise_request_exception=False)
    client.cookies = SimpleCookie()
    if persona != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[persona]
    if method == "GET":
        return outcome(client.get(url))
    with transaction.atomic():
        response = getattr(client, method.lower())(url)
        transaction.set_rollback(True)
    django_cache.clear()  # entries cached from rolled-back data must not be served
    return outcome(response)


def check(world: SimpleNamespace, template: str, row: Row) -> list[str]:
    """Every (request, persona) of ``row`` whose answer differs from the table."""
    mismatches = []
    for key, expected in row.items():
        method, _, variant_name = key.partition(" ")
        variant = world.variants[variant_name] if variant_name else None
        url = fill(template, variant)
        assert len(expected) == len(PERSONAS), f"{key}: one value per persona"
        for persona, wanted in zip(PERSONAS, expected, strict=True):
            if wanted is ANY:
                continue
            got = request(world, persona, method, url)
            if got != wanted:
                mismatches.append(f"{method} {url} as {persona}: {got}, table says {wanted}")
    return mismatches


def site_routes() -> dict[str, Route]:
    """Named routes of the site that the page table must cover (not admin, not API paths)."""
    routes = {}
    for route in walk():
        if is_admin(route) or api_operation_path(route) or route.name in DEBUG_ONLY:
            continue
        routes[route.name] = route
    return routes


def template_of(route: Route) -> str:
    return EXAMPLES.get(route.name, route.template)


# --- the tests -------------------------------------------------------------------------------


def test_every_route_has_a_row_in_the_table_and_every_row_a_route():
    routes = site_routes()
    problems = [
        f"route without a row in PAGES (tests/access_table.py): {name}"
        for name in sorted(set(routes) - set(PAGES))
    ]
    problems += [
        f"row of PAGES whose route no longer exists: {name}"
        for name in sorted(set(PAGES) - set(routes))
    ]
    problems += [
        f"route written as a regular expression without a path in EXAMPLES: {name}"
        for name, route in sorted(routes.items())
        if route.is_regex and name not in EXAMPLES
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_every_api_path_has_a_row_in_the_table_and_every_row_a_path(client):
    paths = set(client.get(reverse("api-v1:openapi-json")).json()["paths"])
    problems = [
        f"API path without a row in API (tests/access_table.py): {path}"
        for path in sorted(paths - set(API))
    ]
    problems += [
        f"row of API whose path no longer exists: {path}" for path in sorted(set(API) - paths)
    ]
    assert not problems, "\n".join(problems)
    assert paths == openapi_paths(), "the served schema and the API object disagree"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(PAGES))
def test_each_page_answers_each_persona_as_the_table_says(world, name):
    route = site_routes().get(name)
    assert route is not None, f"{name} is in the table but not in the URLconf"
    mismatches = check(world, template_of(route), PAGES[name])
    assert not mismatches, "\n".join([name, *mismatches])


@pytest.mark.django_db
@pytest.mark.parametrize("path", sorted(API))
def test_each_api_path_answers_each_persona_as_the_table_says(world, path):
    mismatches = check(world, EXAMPLES.get(path, path.lstrip("/")), API[path])
    assert not mismatches, "\n".join([path, *mismatches])


def admin_routes() -> list[Route]:
    return [route for route in walk() if is_admin(route)]


# Whether the admin lets someone in depends on is_staff alone: every persona is tried on the
# admin's index, and one of each kind (anonymous, no role, the highest role short of
# administrator, the administrator) on every other route, to keep the module quick.
ADMIN_SAMPLE = ("anonymous", "nobody", "coord_cauca", "admin")


@pytest.mark.django_db
def test_every_admin_route_lets_in_staff_only(world):
    """One rule for the admin's ~150 routes instead of rows (tests/access_table.py)."""
    admin_pk = str(world.personas.people["admin"].pk)
    mismatches = []
    for route in admin_routes():
        url = "/" + re.sub(r"\{(\w+)\}", admin_pk, template_of(route))
        expected = admin_rule(route.name, has_parameters=bool(route.params))
        personas = PERSONAS if route.name == "admin:index" else ADMIN_SAMPLE
        for persona, wanted in zip(PERSONAS, expected, strict=True):
            if wanted is ANY or persona not in personas:
                continue
            got = request(world, persona, "GET", url)
            if got != wanted:
                mismatches.append(f"GET {url} as {persona}: {got}, rule says {wanted}")
    assert not mismatches, "\n".join(mismatches)


def test_the_admin_rule_covers_every_registered_model():
    registered = {model._meta.label_lower for model in admin_site._registry}
    routes = {route.name for route in admin_routes()}
    for label in registered:
        app, model = label.split(".")
        assert f"admin:{app}_{model}_changelist" in routes, label
