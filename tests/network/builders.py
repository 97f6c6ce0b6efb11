"""The network's test world, built in code on the personas' conventions.

Two specialists tell the privacy rule apart: ``public`` (Valeria Vidal, opted in) and
``hidden`` (Hernán Oculto, no opt-in). Both speak at the past event, both presented the
practice, both wrote the article; Hernán must never be named by a public output, so his
name is distinctive enough to search for in any response.
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from django.utils import timezone

from convivencia.network import services
from convivencia.network.choices import (
    DocumentKind,
    EventKind,
    Expertise,
    Language,
    OrganisationKind,
    OrganisationRole,
    PublicationKind,
    TagKind,
)
from convivencia.network.models import (
    Author,
    Document,
    Event,
    EventOrganisation,
    EventSeries,
    Organisation,
    Practice,
    Presentation,
    Publication,
    Session,
    Speaker,
    Specialist,
)
from tests.evidence.builders import EFFECTIVE, make_intervention

HIDDEN_NAME = "Hernán Oculto"
HIDDEN_EMAIL = "hernan.oculto@example.org"
PUBLIC_NAME = "Valeria Vidal"
PUBLIC_EMAIL = "valeria.vidal@example.org"


def make_organisation(name: str, acronym: str = "", country: str = "CO", **fields) -> Organisation:
    return Organisation.objects.create(
        name=name,
        acronym=acronym,
        kind=fields.pop("kind", OrganisationKind.CIVIL_SOCIETY),
        country=country,
        **fields,
    )


def make_event(
    title: str,
    start: datetime.date,
    days: int = 2,
    *,
    city: str = "Bogotá",
    country: str = "CO",
    kind: str = EventKind.HIGH_LEVEL_DIALOGUE,
    **fields,
) -> Event:
    return Event.objects.create(
        title=title,
        kind=kind,
        city=city,
        country=country,
        start_date=start,
        end_date=start + datetime.timedelta(days=days - 1),
        **fields,
    )


def make_specialist(
    name: str,
    *,
    public: bool,
    expertise: list[str] = (),  # type: ignore[assignment]
    countries: list[str] = (),  # type: ignore[assignment]
    languages: list[str] = (),  # type: ignore[assignment]
    **fields,
) -> Specialist:
    specialist = Specialist.objects.create(name=name, **fields)
    if public:
        services.set_public_profile(specialist, True, note="signed form (test)")
    services.set_tags(specialist, TagKind.EXPERTISE, expertise)
    services.set_tags(specialist, TagKind.COUNTRY, countries)
    services.set_tags(specialist, TagKind.LANGUAGE, languages)
    return specialist


def make_network() -> SimpleNamespace:
    """A past Dialogue in Bogotá, a coming workshop in Quito open for registration, two
    specialists (one public, one not), two practices (one with an effective published
    intervention, one in no registry) and a special issue with an article."""
    today = timezone.localdate()
    fip = make_organisation("Fundación Ideas para la Paz", "FIP", "CO")
    igarape = make_organisation("Instituto Igarapé", "Igarapé", "BR")
    idrc = make_organisation(
        "International Development Research Centre", "IDRC", "CA", kind=OrganisationKind.FUNDER
    )
    series = EventSeries.objects.create(name="Citizen Security Dialogues")
    past = make_event(
        "Diálogo de Bogotá",
        datetime.date(2015, 4, 16),
        series=series,
        summary="Control; territorio",
    )
    EventOrganisation.objects.create(
        event=past, organisation=igarape, role=OrganisationRole.PROMOTER
    )
    EventOrganisation.objects.create(event=past, organisation=idrc, role=OrganisationRole.FUNDER)
    EventOrganisation.objects.create(event=past, organisation=fip, role=OrganisationRole.PARTNER)
    upcoming = make_event(
        "Taller de Quito",
        today + datetime.timedelta(days=30),
        days=3,
        city="Quito",
        country="EC",
        kind=EventKind.WORKSHOP,
        registration_open=True,
    )
    draft = make_event(
        "Borrador de evento", today + datetime.timedelta(days=60), is_published=False
    )
    plenary = Session.objects.create(
        event=past,
        title="Territorio y justicia",
        theme=Expertise.CRIMINAL_JUSTICE,
        date=past.start_date,
    )
    youth = Session.objects.create(
        event=past, title="Jóvenes y policía", theme=Expertise.YOUTH, date=past.end_date, order=1
    )
    public = make_specialist(
        PUBLIC_NAME,
        public=True,
        email=PUBLIC_EMAIL,
        affiliation=igarape,
        position="Investigadora",
        expertise=[Expertise.YOUTH, Expertise.DATA],
        countries=["BR", "CO"],
        languages=[Language.ES, Language.PT],
    )
    hidden = make_specialist(
        HIDDEN_NAME,
        public=False,
        email=HIDDEN_EMAIL,
        affiliation=fip,
        position="Mediador comunitario",
        expertise=[Expertise.YOUTH, Expertise.COMMUNITY],
        countries=["CO", "EC"],
        languages=[Language.ES, Language.FR],
    )
    Speaker.objects.create(session=plenary, specialist=public, affiliation=igarape)
    Speaker.objects.create(session=youth, specialist=hidden, affiliation=fip)
    hidden.events_attended.add(past)
    report = Document.objects.create(
        event=past,
        kind=DocumentKind.REPORT,
        title="Informe final",
        language=Language.ES,
        url="https://example.org/informe.pdf",
    )
    Document.objects.create(
        event=past,
        kind=DocumentKind.REPORT,
        title="Final report",
        language=Language.EN,
        url="https://example.org/report.pdf",
    )
    Document.objects.create(
        event=past,
        kind=DocumentKind.PARTICIPANT_LIST,
        title="Lista de asistentes",
        language=Language.ES,
        is_public=False,
    )
    intervention = make_intervention(
        "Patrullaje con jóvenes", rating_findings={"homicide": EFFECTIVE}, published=True
    )
    practice = Practice.objects.create(
        name="Escuelas seguras",
        city="Bogotá",
        country="CO",
        focus=Expertise.YOUTH,
        implementer=fip,
        intervention=intervention,
    )
    presentation = Presentation.objects.create(practice=practice, event=past, session=youth)
    presentation.presenters.add(public, hidden)
    presentation.documents.add(report)
    unevaluated = Practice.objects.create(
        name="Papo de Responsa", city="Rio de Janeiro", country="BR", focus=Expertise.YOUTH
    )
    Presentation.objects.create(practice=unevaluated, event=past)
    issue = Publication.objects.create(
        kind=PublicationKind.SPECIAL_ISSUE,
        title="Dispatches from Colombia",
        journal="Stability",
        year=2015,
        language=Language.EN,
        event=past,
    )
    article = Publication.objects.create(
        kind=PublicationKind.ARTICLE,
        title="Territorio y datos",
        part_of=issue,
        year=2015,
        language=Language.EN,
        doi="10.5334/sta.test",
        event=past,
    )
    Author.objects.create(publication=article, specialist=public, order=0)
    Author.objects.create(publication=article, specialist=hidden, order=1)
    Author.objects.create(publication=article, name="Autora Externa", order=2)
    return SimpleNamespace(
        fip=fip,
        igarape=igarape,
        idrc=idrc,
        series=series,
        past=past,
        upcoming=upcoming,
        draft=draft,
        plenary=plenary,
        youth=youth,
        public=public,
        hidden=hidden,
        practice=practice,
        unevaluated=unevaluated,
        intervention=intervention,
        issue=issue,
        article=article,
    )


def access_variants() -> dict[str, SimpleNamespace]:
    """The variants of the access table (tests/access_table.py): ``listed`` (a published
    past event, a public specialist, a published practice), ``unlisted`` (an unpublished
    event, a specialist without opt-in, an unpublished practice) and ``open`` (a coming
    event that takes registrations)."""
    world = make_network()
    hidden_practice = Practice.objects.create(
        name="Práctica sin publicar", country="CO", focus=Expertise.DATA, is_published=False
    )
    return {
        "listed": SimpleNamespace(
            event=world.past,
            specialist=world.public,
            practice=world.practice,
            network_organisation=world.fip,
        ),
        "unlisted": SimpleNamespace(
            event=world.draft, specialist=world.hidden, practice=hidden_practice
        ),
        "open": SimpleNamespace(event=world.upcoming),
    }
