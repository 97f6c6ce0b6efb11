"""No list page or list API asks one query per row.

For every list of every app (the pages in each ``urls.py`` and the API's list paths), the
list is built with 2 rows and then with 6, in code on the personas of ``tests/personas.py``
(Camila coordinates Cauca, Pablo is Popayán's police liaison, Luz a community leader there,
Ana the administrator), and asked for by someone who may see it. The number of queries of
the second request must equal the first: a list that grows by one query per row is an N+1.

Every row is built with the relations the list shows (a commitment with its responsible
and co-responsible organisations, follower, session, concern, a completion claim and a
leader's verdict; an intervention with territories, tags, sources and evaluations; an
event with its organisations, session and speaker…), so that a missing
``select_related`` or ``prefetch_related`` shows as a difference. The larger list must
also answer a longer body, so that a row the page does not show cannot pass for a fix.

No list here needs a query per *kind* of row: the accountability boards, whose rows
each have a trust trend, read the trends of all rows at once (the territories' panels,
their questionnaires' items through ``panels.charts.items_by_code_of_panels``, and the
aggregates: a fixed number of queries whatever the number of rows or organisation types).

Left out: the panels map and the provider view (their rows are closed waves' results per
municipality and per institution, built and counted by the panels' own tests, e.g.
``tests/panels/test_dashboard.py``), and the evidence exports, whose queries
``tests/evidence/test_exports.py`` counts.

The cache is cleared before each counted request, and every page is asked for once before
counting, so that per-process warm-ups (content types, translations) count in neither.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from convivencia.accounts import audit
from convivencia.accounts.choices import OrganisationType, Role
from convivencia.accounts.models import ApiToken
from convivencia.core.models import Notification
from convivencia.dialogues.choices import Verdict
from convivencia.dialogues.models import (
    AgendaItem,
    Commitment,
    Concern,
    Participation,
    Process,
    Update,
    Verification,
)
from convivencia.evidence.choices import Focus, Problem
from convivencia.indicators import presets, rollup
from convivencia.indicators.choices import PeriodType, Source
from convivencia.indicators.models import DataElement, DataValue, Indicator
from convivencia.jobs.models import Job
from convivencia.network.choices import (
    EventKind,
    Expertise,
    Language,
    OrganisationRole,
    PublicationKind,
)
from convivencia.network.models import (
    Author,
    EventOrganisation,
    Practice,
    Publication,
    Speaker,
)
from convivencia.network.models import Session as NetworkSession
from convivencia.reports.choices import Audience
from convivencia.reports.models import Brief
from convivencia.studies import services as study_services
from convivencia.studies.choices import StudyRole
from convivencia.studies.models import Code as StudyCode
from convivencia.studies.models import Finding
from convivencia.territories.choices import Level
from convivencia.territories.models import Boundary, Population
from convivencia.territories.services import ensure_country
from tests.dialogues.builders import make_session, status
from tests.evidence.builders import EFFECTIVE, add_evaluation, make_intervention
from tests.factories import grant, make_organisation, make_territory, make_user
from tests.indicators.test_explorer import store
from tests.network.builders import make_event, make_specialist
from tests.network.builders import make_organisation as make_network_organisation
from tests.panels import add_respondent, make_default_panel
from tests.personas import make_personas
from tests.studies.builders import code, make_document, make_study

pytestmark = pytest.mark.django_db

SMALL, LARGE = 2, 6


# --- the world: the personas, a published process in Popayán with a session -------------------


def make_world() -> SimpleNamespace:
    world = make_personas()
    world.process = Process.objects.create(
        territory=world.places.popayan, title="Diálogo Popayán", is_published=True
    )
    world.session = make_session(world.process, title="Primer diálogo")
    world.study = make_study(world.places.popayan, world.coord_cauca, world.analyst)
    world.document = make_document(world.study, world.coord_cauca)
    world.panel = make_default_panel(world.places.popayan)
    world.event = make_event("Diálogo de Bogotá", datetime.date(2015, 4, 16))
    world.network_session = NetworkSession.objects.create(
        event=world.event, title="Plenaria", theme=Expertise.YOUTH, date=world.event.start_date
    )
    return world


# --- one row of each list ---------------------------------------------------------------------


COUNTRIES = ("MX", "BR", "PE", "EC", "CL", "AR", "GT", "HN")


def add_country(world, i: int) -> None:
    """A country with a region: the home page lists the countries that have places."""
    country = ensure_country(COUNTRIES[i])
    make_territory(country, Level.REGION, f"Región {i}", iso=f"{COUNTRIES[i]}-R{i}")


def add_notification(world, i: int) -> None:
    Notification.objects.create(
        user=world.coord_cauca, title=f"Aviso {i}", body="Algo pasó", url="/dialogues/"
    )


def add_audit_entry(world, i: int) -> None:
    audit.record("update", world.process, actor=world.coord_cauca, changes={"title": [i, i + 1]})


def add_token(world, i: int) -> None:
    ApiToken.issue(world.coord_cauca, f"Integración {i}")


def add_organisation_member(world, i: int) -> None:
    organisation = make_organisation(f"Organización {i}")
    grant(make_user(f"miembro{i}"), organisation, Role.ANALYST, [world.places.cauca])


def add_member_of_programme(world, i: int) -> None:
    grant(make_user(f"colega{i}"), world.orgs.programme, Role.ENUMERATOR, [world.places.cauca])


def add_municipality(world, i: int) -> None:
    make_territory(
        world.places.cauca, Level.MUNICIPALITY, f"Municipio {i}", divipola=f"19{i + 100:03d}"
    )


def add_job(world, i: int) -> None:
    Job.objects.create(kind="demo", label=f"Trabajo {i}", created_by=world.coord_cauca)


def add_intervention(world, i: int) -> None:
    intervention = make_intervention(
        f"Intervención {i}",
        focus=[list(Focus)[i % len(Focus)]],
        problem=[list(Problem)[i % len(Problem)]],
        population=["age_18_29"],
        territories=[world.places.popayan],
        rating_findings={list(Problem)[i % len(Problem)]: EFFECTIVE},
        budget_usd=1000 * (i + 1),
        sources=({"citation": f"Fuente {i}", "url": "https://example.org"},),
    )
    add_evaluation(intervention, "robbery", "desirable")


def add_evaluation_row(world, i: int) -> None:
    if not hasattr(world, "intervention"):
        world.intervention = make_intervention("Patrullaje con jóvenes")
    add_evaluation(
        world.intervention,
        list(Problem)[i % len(Problem)],
        "desirable",
        citation=f"Evaluación {i}",
        year=2010 + i,
    )


def add_draft_intervention(world, i: int) -> None:
    make_intervention(
        f"Borrador {i}", published=False, focus=["policing"], territories=[world.places.popayan]
    )


def add_indicator(world, i: int) -> None:
    element = DataElement.objects.create(code=f"delito-{i}", name={"es": f"Delito {i}"})
    Indicator.objects.create(
        code=f"tasa-{i}", name={"es": f"Tasa {i}"}, numerator=element, description="Por 100.000"
    )
    DataValue.objects.create(
        element=element,
        territory=world.places.popayan,
        period="2023",
        period_type=PeriodType.YEAR,
        start=datetime.date(2023, 1, 1),
        end=datetime.date(2023, 12, 31),
        source=Source.POLICE,
        value=10 + i,
    )


def add_rate(world, i: int) -> None:
    """A municipality of Cauca with its homicides and population of 2023: the explorer
    has a row (and a map shape) per municipality."""
    presets.ensure_presets()
    homicides = DataElement.objects.get(code="homicides")
    municipality = make_territory(
        world.places.cauca, Level.MUNICIPALITY, f"Municipio {i}", divipola=f"19{i + 100:03d}"
    )
    for month in range(1, 13):
        store(homicides, municipality, f"2023-{month:02d}", 1 + i % 3, sex="male")
    Population.objects.create(territory=municipality, year=2023, value=40_000 + i, source="DANE")
    Boundary.objects.create(
        territory=municipality,
        geometry={"type": "Polygon", "coordinates": [[[-76, 2], [-75, 2], [-75, 3], [-76, 2]]]},
    )
    rollup.refresh(
        [homicides.pk], ["police"], datetime.date(2023, 1, 1), datetime.date(2023, 12, 31)
    )


def explorer(path: str) -> Callable[[SimpleNamespace], str]:
    return lambda world: (
        f"{path}?indicator=homicide_rate&parent={world.places.cauca.pk}"
        "&type=month&from=2023-01&to=2023-12"
    )


def add_panel(world, i: int) -> None:
    municipality = make_territory(
        world.places.cauca, Level.MUNICIPALITY, f"Municipio {i}", divipola=f"19{i + 100:03d}"
    )
    panel = make_default_panel(municipality, code=f"panel-{i}")
    add_respondent(panel, f"R{i}")


def add_respondent_row(world, i: int) -> None:
    replaced = add_respondent(world.panel, f"X{i:03d}", is_active=False)
    add_respondent(world.panel, f"L{i:03d}", replaces=replaced)


def add_process(world, i: int) -> None:
    process = Process.objects.create(
        territory=world.places.popayan, title=f"Proceso {i}", is_published=True
    )
    session = make_session(process, title=f"Sesión {i}")
    _commitment(world, process, session, i)


def _commitment(world, process, session, i: int, **fields) -> Commitment:
    concern = Concern.objects.create(process=process, raised_in=session, title=f"Tema {i}")
    commitment = Commitment.objects.create(
        process=process,
        made_in=session,
        concern=concern,
        reference=f"C-{i}",
        title=f"Compromiso {i}",
        responsible=fields.get("responsible", world.orgs.police),
        territory=fields.get("territory", world.places.popayan),
        due_date=timezone.localdate() + datetime.timedelta(days=i - 3),
        verification="Acta de la JAC",
        status=status("not_started"),
    )
    commitment.co_responsible.add(world.orgs.prosecutor)
    commitment.followers.add(world.coord_cauca)
    claim = Update.objects.create(
        commitment=commitment,
        organisation=commitment.responsible,
        posted_by=world.police,
        status=status("reported_done"),
        progress=100,
        description="Hecho",
    )
    Verification.objects.create(
        update=claim, leader=world.leader, verdict=Verdict.CONFIRMED, comment="Lo vimos"
    )
    return commitment


def add_process_elsewhere(world, i: int) -> None:
    """A process in a municipality of its own: the index lists territories with processes."""
    municipality = make_territory(
        world.places.cauca, Level.MUNICIPALITY, f"Municipio {i}", divipola=f"19{i + 100:03d}"
    )
    process = Process.objects.create(territory=municipality, title=f"Proceso {i}")
    make_session(process, title=f"Sesión {i}")


def add_responsible(world, i: int) -> None:
    """A commitment of another organisation: the territory board has a row per organisation."""
    organisation = make_organisation(f"Policía {i}", OrganisationType.POLICE)
    _commitment(world, world.process, world.session, i, responsible=organisation)


def add_commitment_elsewhere(world, i: int) -> None:
    """A police commitment in a municipality of its own, which has a panel: the
    organisation board has a row per territory, with its trust trend."""
    municipality = make_territory(
        world.places.cauca, Level.MUNICIPALITY, f"Municipio {i}", divipola=f"19{i + 100:03d}"
    )
    make_default_panel(municipality, code=f"panel-{i}")
    _commitment(world, world.process, world.session, i, territory=municipality)


def add_brief(world, i: int) -> None:
    for audience in (Audience.PUBLIC, Audience.COORDINATOR):
        Brief.objects.create(
            territory=world.places.popayan,
            period=datetime.date(2024, i + 1, 1),
            language="es",
            audience=audience,
            version=1,
            content_hash=f"{i:064d}",
            data={"territory": "Popayán"},
            html="<p>Boletín</p>",
            generated_by=world.coord_cauca,
        )


def add_commitment(world, i: int) -> None:
    _commitment(world, world.process, world.session, i)


def add_update(world, i: int) -> None:
    commitment = getattr(world, "commitment", None)
    if commitment is None:
        world.commitment = commitment = _commitment(world, world.process, world.session, 100)
    Update.objects.create(
        commitment=commitment,
        organisation=world.orgs.police,
        posted_by=world.police,
        status=status("in_progress"),
        progress=min(100, 10 * i),
        description=f"Avance {i}",
    )


def add_session(world, i: int) -> None:
    session = make_session(world.process, title=f"Sesión {i}", days=i + 1)
    AgendaItem.objects.create(session=session, title=f"Punto {i}")
    Participation.objects.create(session=session, name=f"Líder {i}", role="community_leader")


def add_agenda_item(world, i: int) -> None:
    AgendaItem.objects.create(
        session=world.session, position=i, title=f"Punto {i}", description="Qué se discute"
    )


def add_participation(world, i: int) -> None:
    Participation.objects.create(
        session=world.session,
        name=f"Líder {i}",
        role="community_leader",
        organisation=world.orgs.community,
        user=make_user(f"participante{i}"),
    )


def add_code(world, i: int) -> None:
    parent = StudyCode.objects.create(study=world.study, name=f"Tema {i}", position=100 + i)
    StudyCode.objects.create(study=world.study, parent=parent, name=f"Subtema {i}")


def add_member(world, i: int) -> None:
    analyst = make_user(f"analista{i}")
    grant(analyst, world.orgs.university, Role.ANALYST, [world.places.cauca])
    study_services.add_member(world.study, analyst, StudyRole.ANALYST, actor=world.coord_cauca)


def add_study(world, i: int) -> None:
    make_study(world.places.popayan, world.coord_cauca, world.analyst, title=f"Estudio {i}")


def add_document(world, i: int) -> None:
    make_document(world.study, world.coord_cauca, title=f"Entrevista {i}")


def add_segment(world, i: int) -> None:
    names = list(world.study.codes.values_list("name", flat=True)[:6])
    document = make_document(world.study, world.coord_cauca, title=f"Entrevista {i}")
    code(document, world.analyst, "Uno llama y no contestan", names[i % len(names)])


def add_segment_on_document(world, i: int) -> None:
    phrases = (
        "Uno llama y no contestan",
        "La patrulla llegó a las dos horas",
        "lo amenazaron",
        "Tratan a los muchachos como ladrones",
        "Qué pasa cuando llama",
        "después de ir a la",
    )
    names = list(world.study.codes.values_list("name", flat=True)[:6])
    code(world.document, world.analyst, phrases[i], names[i])


def add_finding(world, i: int) -> None:
    document = make_document(world.study, world.coord_cauca, title=f"Entrevista {i}")
    segment = code(document, world.analyst, "Uno llama y no contestan", "Impunidad")
    study_services.save_finding(
        Finding(study=world.study, statement=f"Hallazgo {i}"),
        codes=[segment.codes.first()],
        segments=[segment],
        concerns=[],
        actor=world.coord_cauca,
    )


def add_event(world, i: int) -> None:
    event = make_event(
        f"Evento {i}",
        datetime.date(2016 + i, 5, 10),
        kind=EventKind.WORKSHOP,
        city=f"Ciudad {i}",
    )
    organisation = make_network_organisation(f"Aliado {i}", f"A{i}")
    EventOrganisation.objects.create(
        event=event, organisation=organisation, role=OrganisationRole.PARTNER
    )
    session = NetworkSession.objects.create(
        event=event, title=f"Plenaria {i}", theme=Expertise.YOUTH, date=event.start_date
    )
    specialist = make_specialist(f"Especialista {i}", public=True, expertise=[Expertise.YOUTH])
    Speaker.objects.create(session=session, specialist=specialist, affiliation=organisation)


def add_event_of_organisation(world, i: int) -> None:
    """An event the organisation took part in, a practice it runs and a specialist of it."""
    if not hasattr(world, "network_organisation"):
        world.network_organisation = make_network_organisation("Fundación Ideas para la Paz", "FIP")
    organisation = world.network_organisation
    event = make_event(f"Evento {i}", datetime.date(2016 + i, 5, 10))
    EventOrganisation.objects.create(
        event=event, organisation=organisation, role=OrganisationRole.PARTNER
    )
    Practice.objects.create(
        name=f"Práctica {i}",
        city="Bogotá",
        country="CO",
        focus=Expertise.YOUTH,
        implementer=organisation,
    )
    make_specialist(f"Investigadora {i}", public=True, affiliation=organisation)


def add_partner(world, i: int) -> None:
    organisation = make_network_organisation(f"Aliado {i}", f"A{i}")
    EventOrganisation.objects.create(
        event=world.event, organisation=organisation, role=OrganisationRole.PARTNER
    )
    make_specialist(f"Investigadora {i}", public=True, affiliation=organisation)


def add_specialist(world, i: int) -> None:
    organisation = make_network_organisation(f"Instituto {i}", f"I{i}")
    specialist = make_specialist(
        f"Especialista {i}",
        public=True,
        affiliation=organisation,
        position="Investigadora",
        expertise=[Expertise.YOUTH, Expertise.DATA],
        countries=["CO", "BR"],
        languages=[Language.ES, Language.PT],
    )
    Speaker.objects.create(session=world.network_session, specialist=specialist)


def add_talk(world, i: int) -> None:
    """A talk at an event of its own, an article and a practice of the specialist."""
    if not hasattr(world, "specialist"):
        world.specialist = make_specialist("Valeria Vidal", public=True)
    event = make_event(f"Evento {i}", datetime.date(2016 + i, 5, 10))
    session = NetworkSession.objects.create(
        event=event, title=f"Plenaria {i}", theme=Expertise.YOUTH, date=event.start_date
    )
    Speaker.objects.create(session=session, specialist=world.specialist)
    publication = Publication.objects.create(
        kind=PublicationKind.ARTICLE, title=f"Artículo {i}", year=2015 + i, event=event
    )
    Author.objects.create(publication=publication, specialist=world.specialist, order=0)


def add_practice(world, i: int) -> None:
    organisation = make_network_organisation(f"Implementadora {i}", f"P{i}")
    intervention = make_intervention(
        f"Intervención {i}", rating_findings={"homicide": EFFECTIVE}, published=True
    )
    Practice.objects.create(
        name=f"Práctica {i}",
        city="Bogotá",
        country="CO",
        focus=Expertise.YOUTH,
        implementer=organisation,
        intervention=intervention,
    )


def add_publication(world, i: int) -> None:
    publication = Publication.objects.create(
        kind=PublicationKind.ARTICLE,
        title=f"Artículo {i}",
        year=2015 + i,
        language=Language.EN,
        event=world.event,
    )
    specialist = make_specialist(f"Autora {i}", public=True)
    Author.objects.create(publication=publication, specialist=specialist, order=0)
    Author.objects.create(publication=publication, name=f"Autor externo {i}", order=1)


# --- the routes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListRoute:
    """A list page or API path, who asks for it, and how one more row is made."""

    name: str
    persona: str | None
    add_row: Callable[[SimpleNamespace, int], None]
    url: Callable[[SimpleNamespace], str]


def fixed(path: str) -> Callable[[SimpleNamespace], str]:
    return lambda world: path


ROUTES = [
    # core
    ListRoute("core:home", None, add_country, fixed("/")),
    ListRoute("core:notifications", "coord_cauca", add_notification, fixed("/notifications/")),
    # accounts
    ListRoute("accounts:profile", "coord_cauca", add_token, fixed("/accounts/me/")),
    ListRoute(
        "accounts:organisation_list",
        "admin",
        add_organisation_member,
        fixed("/accounts/organisations/"),
    ),
    ListRoute(
        "accounts:organisation_detail",
        "admin",
        add_member_of_programme,
        lambda w: reverse("accounts:organisation_detail", args=[w.orgs.programme.pk]),
    ),
    ListRoute("accounts:audit_log", "admin", add_audit_entry, fixed("/accounts/audit/")),
    # territories
    ListRoute("territories:search", None, add_municipality, fixed("/territories/?q=Municipio")),
    ListRoute(
        "territories:detail",
        "coord_cauca",
        add_municipality,
        lambda w: reverse("territories:detail", args=[w.places.cauca.pk]),
    ),
    ListRoute("api territories", None, add_municipality, fixed("/api/v1/territories/")),
    # jobs
    ListRoute("jobs:list", "coord_cauca", add_job, fixed("/jobs/")),
    # evidence
    ListRoute("evidence:dashboard", None, add_intervention, fixed("/evidence/")),
    ListRoute("evidence:gap_map", None, add_intervention, fixed("/evidence/gap-map/")),
    ListRoute(
        "evidence:curation:list", "coord_cauca", add_draft_intervention, fixed("/evidence/manage/")
    ),
    ListRoute("api interventions", None, add_intervention, fixed("/api/v1/interventions/")),
    ListRoute(
        "evidence:detail (evaluations)",
        None,
        add_evaluation_row,
        lambda w: reverse("evidence:detail", args=[w.intervention.pk]),
    ),
    # indicators
    ListRoute("indicators:manage:index", "admin", add_indicator, fixed("/indicators/manage/")),
    ListRoute("api indicators", None, add_indicator, fixed("/api/v1/indicators/")),
    ListRoute("indicators:explorer", None, add_rate, explorer("/indicators/")),
    ListRoute("indicators:export_csv", None, add_rate, explorer("/indicators/export.csv")),
    ListRoute("indicators:export_xlsx", None, add_rate, explorer("/indicators/export.xlsx")),
    # panels
    ListRoute("panels:collection:list", "coord_cauca", add_panel, fixed("/panels/collect/")),
    ListRoute("panels:index", "coord_cauca", add_panel, fixed("/panels/")),
    ListRoute("api panels", "coord_cauca", add_panel, fixed("/api/v1/panels/")),
    ListRoute(
        "panels:roster:roster",
        "coord_cauca",
        add_respondent_row,
        lambda w: reverse("panels:roster:roster", args=[w.panel.code]),
    ),
    ListRoute(
        "panels:roster:entities",
        "coord_cauca",
        add_respondent_row,
        lambda w: reverse("panels:roster:entities", args=[w.panel.code]),
    ),
    # dialogues
    ListRoute("dialogues:index", "coord_cauca", add_process_elsewhere, fixed("/dialogues/")),
    ListRoute(
        "dialogues:territory",
        "coord_cauca",
        add_process,
        lambda w: reverse("dialogues:territory", args=[w.places.popayan.pk]),
    ),
    ListRoute(
        "dialogues:session_list",
        "coord_cauca",
        add_session,
        lambda w: reverse("dialogues:session_list", args=[w.places.popayan.pk]),
    ),
    ListRoute(
        "dialogues:calendar",
        "coord_cauca",
        add_session,
        lambda w: reverse("dialogues:calendar", args=[w.places.popayan.pk]),
    ),
    ListRoute(
        "dialogues:board",
        "coord_cauca",
        add_responsible,
        lambda w: reverse("dialogues:board", args=[w.places.popayan.pk]),
    ),
    ListRoute(
        "dialogues:organisation_board",
        "police",
        add_commitment_elsewhere,
        lambda w: reverse("dialogues:organisation_board", args=[w.orgs.police.pk]),
    ),
    ListRoute(
        "dialogues:process",
        "coord_cauca",
        add_commitment,
        lambda w: reverse("dialogues:process", args=[w.process.pk]),
    ),
    ListRoute(
        "dialogues:process (sessions)",
        "coord_cauca",
        add_session,
        lambda w: reverse("dialogues:process", args=[w.process.pk]),
    ),
    ListRoute(
        "territories:detail (the dialogues' slot)",
        "coord_cauca",
        add_process,
        lambda w: reverse("territories:detail", args=[w.places.popayan.pk]),
    ),
    ListRoute(
        "dialogues:territory_slot",
        "coord_cauca",
        add_process,
        lambda w: reverse("dialogues:territory_slot", args=[w.places.popayan.pk]),
    ),
    ListRoute(
        "dialogues:print",
        "coord_cauca",
        add_commitment,
        lambda w: reverse("dialogues:print", args=[w.process.pk]),
    ),
    ListRoute(
        "dialogues:export_csv (commitments)",
        "coord_cauca",
        add_commitment,
        lambda w: reverse("dialogues:export_csv", args=[w.process.pk, "commitments"]),
    ),
    ListRoute(
        "dialogues:export_csv (updates)",
        "coord_cauca",
        add_commitment,
        lambda w: reverse("dialogues:export_csv", args=[w.process.pk, "updates"]),
    ),
    ListRoute(
        "dialogues:export_xlsx",
        "coord_cauca",
        add_commitment,
        lambda w: reverse("dialogues:export_xlsx", args=[w.process.pk]),
    ),
    ListRoute(
        "dialogues:commitment_list",
        "coord_cauca",
        add_commitment,
        lambda w: reverse("dialogues:commitment_list", args=[w.process.pk]),
    ),
    ListRoute(
        "dialogues:session (agenda)",
        "coord_cauca",
        add_agenda_item,
        lambda w: reverse("dialogues:session", args=[w.session.pk]),
    ),
    ListRoute(
        "dialogues:participants",
        "coord_cauca",
        add_participation,
        lambda w: reverse("dialogues:participants", args=[w.session.pk]),
    ),
    ListRoute(
        "dialogues:commitment (updates)",
        "coord_cauca",
        add_update,
        lambda w: reverse("dialogues:commitment", args=[w.commitment.pk]),
    ),
    ListRoute(
        "api dialogue processes", "coord_cauca", add_process, fixed("/api/v1/dialogues/processes/")
    ),
    ListRoute(
        "api dialogue sessions", "coord_cauca", add_session, fixed("/api/v1/dialogues/sessions/")
    ),
    ListRoute(
        "api dialogue commitments",
        "coord_cauca",
        add_commitment,
        fixed("/api/v1/dialogues/commitments/"),
    ),
    ListRoute(
        "api commitment updates",
        "coord_cauca",
        add_update,
        lambda w: f"/api/v1/dialogues/commitments/{w.commitment.pk}/updates/",
    ),
    # studies
    ListRoute("studies:index", "coord_cauca", add_study, fixed("/studies/")),
    ListRoute(
        "studies:study",
        "coord_cauca",
        add_document,
        lambda w: reverse("studies:study", args=[w.study.pk]),
    ),
    ListRoute(
        "studies:codebook",
        "coord_cauca",
        add_code,
        lambda w: reverse("studies:codebook", args=[w.study.pk]),
    ),
    ListRoute(
        "studies:analysis",
        "coord_cauca",
        add_finding,
        lambda w: reverse("studies:analysis", args=[w.study.pk]),
    ),
    ListRoute(
        "studies:team",
        "coord_cauca",
        add_member,
        lambda w: reverse("studies:team", args=[w.study.pk]),
    ),
    ListRoute(
        "studies:document (segments)",
        "analyst",
        add_segment_on_document,
        lambda w: reverse("studies:document", args=[w.document.pk]),
    ),
    ListRoute(
        "studies:segments_csv",
        "coord_cauca",
        add_segment,
        lambda w: reverse("studies:segments_csv", args=[w.study.pk]),
    ),
    ListRoute("api studies", "coord_cauca", add_study, fixed("/api/v1/studies/")),
    ListRoute(
        "api study codes", "coord_cauca", add_code, lambda w: f"/api/v1/studies/{w.study.pk}/codes"
    ),
    ListRoute(
        "api study segments",
        "coord_cauca",
        add_segment,
        lambda w: f"/api/v1/studies/{w.study.pk}/segments",
    ),
    ListRoute(
        "api study findings",
        "coord_cauca",
        add_finding,
        lambda w: f"/api/v1/studies/{w.study.pk}/findings",
    ),
    # reports
    ListRoute(
        "reports:briefs",
        "coord_cauca",
        add_brief,
        lambda w: reverse("reports:briefs", args=[w.places.popayan.pk]),
    ),
    ListRoute(
        "api report briefs",
        "coord_cauca",
        add_brief,
        lambda w: f"/api/v1/reports/briefs/{w.places.popayan.pk}",
    ),
    ListRoute("reports:exchange (panels)", "coord_cauca", add_panel, fixed("/reports/exchange/")),
    ListRoute(
        "reports:exchange (processes)", "coord_cauca", add_process, fixed("/reports/exchange/")
    ),
    ListRoute("reports:exchange (studies)", "coord_cauca", add_study, fixed("/reports/exchange/")),
    ListRoute("api reports exchange", "coord_cauca", add_panel, fixed("/api/v1/reports/exchange")),
    # network
    ListRoute("network:events", None, add_event, fixed("/network/")),
    ListRoute("network:events (archive)", None, add_event, fixed("/network/?when=past")),
    ListRoute("network:calendar_ics", None, add_event, fixed("/network/events/calendar.ics")),
    ListRoute(
        "network:event (partners)",
        None,
        add_partner,
        lambda w: reverse("network:event", args=[w.event.pk]),
    ),
    ListRoute(
        "network:organisation",
        None,
        add_event_of_organisation,
        lambda w: reverse("network:organisation", args=[w.network_organisation.pk]),
    ),
    ListRoute(
        "network:specialist (talks)",
        None,
        add_talk,
        lambda w: reverse("network:specialist", args=[w.specialist.pk]),
    ),
    ListRoute("network:specialists", None, add_specialist, fixed("/network/specialists/")),
    ListRoute(
        "network:specialists_csv", "admin", add_specialist, fixed("/network/specialists/export.csv")
    ),
    ListRoute("network:practices", None, add_practice, fixed("/network/practices/")),
    ListRoute("network:publications", None, add_publication, fixed("/network/publications/")),
    ListRoute("api network events", None, add_event, fixed("/api/v1/network/events/")),
    ListRoute(
        "api network organisations", None, add_partner, fixed("/api/v1/network/organisations/")
    ),
    ListRoute(
        "api network specialists", None, add_specialist, fixed("/api/v1/network/specialists/")
    ),
    ListRoute("api network practices", None, add_practice, fixed("/api/v1/network/practices/")),
]


@dataclass
class Counted:
    queries: int
    sql: list[str]
    size: int  # of the body: the larger list must show more


def count_queries(client: Client, url: str) -> Counted:
    response = client.get(url)  # warm-up: per-process caches fill here
    assert response.status_code == 200, (url, response.status_code)
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if getattr(response, "streaming", False):
            body = b"".join(response.streaming_content)
        else:
            body = response.content
    assert response.status_code == 200, (url, response.status_code)
    return Counted(len(queries), [query["sql"] for query in queries.captured_queries], len(body))


@pytest.mark.parametrize("route", ROUTES, ids=[route.name for route in ROUTES])
def test_the_list_asks_as_many_queries_for_six_rows_as_for_two(route: ListRoute) -> None:
    world = make_world()
    client = Client()
    client.cookies["django_language"] = "en"
    if route.persona is not None:
        client.force_login(getattr(world, route.persona))
    for i in range(SMALL):
        route.add_row(world, i)
    url = route.url(world)
    small = count_queries(client, url)
    for i in range(SMALL, LARGE):
        route.add_row(world, i)
    large = count_queries(client, url)
    assert large.size > small.size, f"{route.name} ({url}) shows no more for {LARGE} rows"
    assert large.queries == small.queries, (
        f"{route.name} ({url}): {small.queries} queries for {SMALL} rows, "
        f"{large.queries} for {LARGE}\n" + "\n".join(large.sql)
    )


# --- what the fixes must keep ---------------------------------------------------------------


def test_the_items_of_many_panels_at_once_are_each_panels_items_including_older_versions():
    from convivencia.panels import charts
    from tests.panels.builders import make_questionnaire
    from tests.panels.test_dashboard import answer_wave, answers, open_wave

    world = make_personas()
    popayan = make_default_panel(world.places.popayan)
    for number in (1, 2, 3):
        add_respondent(popayan, f"R{number:03d}")
    answer_wave(open_wave(popayan, "2024-01"), {number: answers() for number in (1, 2, 3)})
    popayan.questionnaire = make_questionnaire("mini")  # the default's items are now older
    popayan.save()
    pasto = make_default_panel(world.places.pasto, code="pasto")

    together = charts.items_by_code_of_panels([popayan, pasto])

    for panel in (popayan, pasto):
        one_by_one = charts.items_by_code(panel, with_choices=False)
        assert [(code, item.pk) for code, item in together[panel.pk].items()] == [
            (code, item.pk) for code, item in one_by_one.items()
        ]
    assert "B12" in together[popayan.pk]  # an item of the default questionnaire, with data


def test_the_study_list_still_says_on_which_studies_you_are_on_the_team():
    world = make_personas()
    own = make_study(world.places.popayan, world.coord_cauca, title="Estudio propio")
    other = make_study(world.places.popayan, world.admin, title="Estudio ajeno")
    client = Client()
    client.force_login(world.coord_cauca)

    listed = {row["id"]: row["on_team"] for row in client.get("/api/v1/studies/").json()["results"]}
    detail = client.get(f"/api/v1/studies/{other.pk}/").json()

    assert listed == {own.pk: True, other.pk: False}
    assert detail["on_team"] is False
