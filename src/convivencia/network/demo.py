"""The network's demo: the real events (public facts), synthetic people.

Events, dates, cities, organisations and their roles come from public sources:

- the Citizen Security Dialogues, their coordinator, funder and partners, and the titles
  of the four special issues of *Stability*: igarape.org.br/en/citizen-security-dialogues/;
- the Bogotá Dialogue's title and its special session on the post-2015 agenda (Goal 16):
  ideaspaz.org/publications/posts/1247 (report in Spanish and English);
- the World Urban Forum (WUF7) in Medellín, 5–11 April 2014: worldurbanforum.org/wuf7;
- the IDB Citizen Security Week 2015 in Quito, with the Government of Ecuador's Ministry
  of the Interior: events.iadb.org (event 4882) and the IDB's Citizen Security Week page;
- Papo de Responsa, a programme of the Civil Police of the State of Rio de Janeiro.

Not verified, so not stated: the DOIs of the special issues, document links other than
the sources above, the themes of the sessions not named in them (those sessions say they
are illustrative). Every specialist is invented, and says so; some opted in to a public
profile and some did not, so the demo shows both sides of the privacy rule.

Safe to run twice: everything is looked up by its name before it is created.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from convivencia.evidence import services as evidence_services
from convivencia.evidence.choices import Curation, Focus, ImplementerType, Scale
from convivencia.evidence.models import Intervention
from convivencia.network.choices import (
    DocumentKind,
    EventKind,
    Language,
    OrganisationKind,
    OrganisationRole,
    PublicationKind,
    SpeakerRole,
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
from convivencia.network.services import set_tags
from convivencia.territories.services import ensure_country

DIALOGUES = "Citizen Security Dialogues"
WEEKS = "IDB Citizen Security Weeks"
DIALOGUES_URL = "https://igarape.org.br/en/citizen-security-dialogues/"
STABILITY = "Stability: International Journal of Security & Development"
OBJECTIVES = (
    "Identify promising practices in citizen security; grow an international network of "
    "specialists; incubate innovations, including new technologies; reach policy makers "
    "and the media."
)
ILLUSTRATIVE = "Illustrative session of the demo: its theme is not taken from a source."

# name: (acronym, kind, country, website)
ORGANISATIONS: dict[str, tuple[str, str, str, str]] = {
    "Instituto Igarapé": (
        "Igarapé",
        OrganisationKind.CIVIL_SOCIETY,
        "BR",
        "https://igarape.org.br",
    ),
    "International Development Research Centre": (
        "IDRC",
        OrganisationKind.FUNDER,
        "CA",
        "https://idrc-crdi.ca",
    ),
    "Fundación Ideas para la Paz": (
        "FIP",
        OrganisationKind.CIVIL_SOCIETY,
        "CO",
        "https://ideaspaz.org",
    ),
    "Instituto para la Seguridad y la Democracia": (
        "insyde",
        OrganisationKind.CIVIL_SOCIETY,
        "MX",
        "",
    ),
    "African Policing Civilian Oversight Forum": (
        "APCOF",
        OrganisationKind.CIVIL_SOCIETY,
        "ZA",
        "https://apcof.org",
    ),
    "Inter-American Development Bank": (
        "IDB",
        OrganisationKind.MULTILATERAL,
        "",
        "https://www.iadb.org",
    ),
    "Deutsche Gesellschaft für Internationale Zusammenarbeit": (
        "GIZ",
        OrganisationKind.BILATERAL,
        "DE",
        "https://www.giz.de",
    ),
    "UN-Habitat": ("", OrganisationKind.MULTILATERAL, "", "https://unhabitat.org"),
    "United Nations Development Programme": (
        "UNDP",
        OrganisationKind.MULTILATERAL,
        "",
        "https://www.undp.org",
    ),
    "Ministerio del Interior del Ecuador": ("", OrganisationKind.GOVERNMENT, "EC", ""),
    "Polícia Civil do Estado do Rio de Janeiro": ("PCERJ", OrganisationKind.POLICE, "BR", ""),
    # Synthetic affiliations of the synthetic specialists.
    "Observatorio Urbano del Sur (demo)": ("OUS", OrganisationKind.ACADEMIA, "CO", ""),
    "Rede de Prevenção Comunitária (demo)": ("RPC", OrganisationKind.CIVIL_SOCIETY, "BR", ""),
    "Centro de Estudios de Policía (demo)": ("CEP", OrganisationKind.ACADEMIA, "MX", ""),
}

DIALOGUE_ROLES: list[tuple[str, str]] = [
    ("Instituto Igarapé", OrganisationRole.PROMOTER),
    ("International Development Research Centre", OrganisationRole.FUNDER),
    ("Fundación Ideas para la Paz", OrganisationRole.PARTNER),
    ("Instituto para la Seguridad y la Democracia", OrganisationRole.PARTNER),
    ("African Policing Civilian Oversight Forum", OrganisationRole.PARTNER),
]


@dataclass(frozen=True)
class DemoEvent:
    title: str
    kind: str
    city: str
    country: str
    start: datetime.date
    end: datetime.date
    series: str | None
    roles: Sequence[tuple[str, str]]
    summary: str
    website: str = ""


D = datetime.date

EVENTS: list[DemoEvent] = [
    DemoEvent(
        "Citizen Security Dialogue — Rio de Janeiro",
        EventKind.HIGH_LEVEL_DIALOGUE,
        "Rio de Janeiro",
        "BR",
        D(2014, 3, 20),
        D(2014, 3, 21),
        DIALOGUES,
        DIALOGUE_ROLES,
        "The first of four high-level sessions of policy makers, practitioners and analysts "
        "from Latin America and Africa on what works in citizen security.",
        DIALOGUES_URL,
    ),
    DemoEvent(
        "Citizen Security Dialogues at the World Urban Forum — Medellín",
        EventKind.CONFERENCE_SESSION,
        "Medellín",
        "CO",
        # The issue says 11 October 2014, but the seventh World Urban Forum met in
        # Medellín from 5 to 11 April 2014 (worldurbanforum.org/wuf7): its last day is kept.
        D(2014, 4, 11),
        D(2014, 4, 11),
        DIALOGUES,
        [
            ("Instituto Igarapé", OrganisationRole.PROMOTER),
            ("Inter-American Development Bank", OrganisationRole.PARTNER),
            ("Deutsche Gesellschaft für Internationale Zusammenarbeit", OrganisationRole.PARTNER),
            ("UN-Habitat", OrganisationRole.HOST),
        ],
        "A session of the Dialogues at the seventh World Urban Forum, with the IDB and GIZ.",
    ),
    DemoEvent(
        "Citizen Security Dialogue — Mexico City",
        EventKind.HIGH_LEVEL_DIALOGUE,
        "Ciudad de México",
        "MX",
        D(2014, 11, 7),
        D(2014, 11, 8),
        DIALOGUES,
        DIALOGUE_ROLES,
        "The second Dialogue, with the Instituto para la Seguridad y la Democracia.",
        DIALOGUES_URL,
    ),
    DemoEvent(
        "Citizen Security Dialogue — Cape Town",
        EventKind.HIGH_LEVEL_DIALOGUE,
        "Cape Town",
        "ZA",
        D(2015, 2, 25),
        D(2015, 2, 27),
        DIALOGUES,
        DIALOGUE_ROLES,
        "The third Dialogue, with the African Policing Civilian Oversight Forum.",
        DIALOGUES_URL,
    ),
    DemoEvent(
        "Citizen Security Dialogue — Bogotá",
        EventKind.HIGH_LEVEL_DIALOGUE,
        "Bogotá",
        "CO",
        D(2015, 4, 16),
        D(2015, 4, 17),
        DIALOGUES,
        DIALOGUE_ROLES,
        "“Controlling territory and building security and justice after the conflict”: "
        "the fourth Dialogue, with the Fundación Ideas para la Paz, and a special session "
        "on the post-2015 development agenda and Goal 16.",
        "http://www.ideaspaz.org/publications/posts/1247",
    ),
    DemoEvent(
        "IDB Citizen Security Week 2015 — Quito",
        EventKind.POLICY_DIALOGUE,
        "Quito",
        "EC",
        D(2015, 10, 19),
        D(2015, 10, 23),
        WEEKS,
        [
            ("Inter-American Development Bank", OrganisationRole.PROMOTER),
            ("Ministerio del Interior del Ecuador", OrganisationRole.HOST),
        ],
        "The Third Regional Policy Dialogue on Citizen Security, sub-regional meetings, the "
        "Seventh Intensive Training Clinic and the Advisory Group and Donors meeting of the "
        "Citizen Security Initiative.",
        "http://events.iadb.org/calendar/eventDetail.aspx?lang=en&id=4882",
    ),
    DemoEvent(
        "UNDP workshop on citizen security — Brasília",
        EventKind.WORKSHOP,
        "Brasília",
        "BR",
        D(2012, 10, 8),
        D(2012, 10, 9),
        None,
        [("United Nations Development Programme", OrganisationRole.PROMOTER)],
        "Sixty officials, police officers, academics and members of civil society; "
        "presentations in three themes.",
    ),
]

# event title: [(session title, kind, theme, date, description)]
SESSIONS: dict[str, list[tuple[str, str, str, datetime.date | None, str]]] = {
    "Citizen Security Dialogue — Rio de Janeiro": [
        ("Making Brazilian cities safer", "", Focus.POLICING, D(2014, 3, 20), ILLUSTRATIVE),
        ("Youth, schools and the police", "", Focus.YOUTH, D(2014, 3, 21), ILLUSTRATIVE),
    ],
    "Citizen Security Dialogues at the World Urban Forum — Medellín": [
        ("Citizen security in the city", "", Focus.SITUATIONAL, D(2014, 4, 11), ILLUSTRATIVE),
    ],
    "Citizen Security Dialogue — Mexico City": [
        ("Police reform and oversight", "", Focus.POLICING, D(2014, 11, 7), ILLUSTRATIVE),
        ("Data for prevention", "", Focus.DATA, D(2014, 11, 8), ILLUSTRATIVE),
    ],
    "Citizen Security Dialogue — Cape Town": [
        ("Civilian oversight of policing", "", Focus.POLICING, D(2015, 2, 25), ILLUSTRATIVE),
        ("Violence against women", "", Focus.VAWG, D(2015, 2, 26), ILLUSTRATIVE),
    ],
    "Citizen Security Dialogue — Bogotá": [
        (
            "Controlando el territorio y construyendo seguridad y justicia en el posconflicto",
            "",
            Focus.CRIMINAL_JUSTICE,
            D(2015, 4, 16),
            "",
        ),
        (
            "Special session: the post-2015 development agenda and Goal 16",
            "",
            Focus.DATA,
            D(2015, 4, 17),
            "",
        ),
    ],
    "IDB Citizen Security Week 2015 — Quito": [
        (
            "Third Regional Policy Dialogue on Citizen Security",
            EventKind.POLICY_DIALOGUE,
            Focus.DATA,
            D(2015, 10, 19),
            "Ministers and senior officials; the use of crime and violence data.",
        ),
        ("Sub-regional meetings", EventKind.MEETING, "", None, ""),
        ("Seventh Intensive Training Clinic", EventKind.TRAINING_CLINIC, "", None, ""),
        (
            "Advisory Group and Donors meeting of the Citizen Security Initiative",
            EventKind.DONORS_MEETING,
            "",
            None,
            "",
        ),
    ],
    "UNDP workshop on citizen security — Brasília": [
        ("Presentations of practices", "", Focus.YOUTH, D(2012, 10, 8), ILLUSTRATIVE),
        ("Discussion and conclusions", "", Focus.COMMUNITY, D(2012, 10, 9), ILLUSTRATIVE),
    ],
}

# event title: [(kind, title, language, url, public)]
DOCUMENTS: dict[str, list[tuple[str, str, str, str, bool]]] = {
    "Citizen Security Dialogue — Bogotá": [
        (
            DocumentKind.REPORT,
            "Informe del Diálogo de Seguridad Ciudadana en Bogotá",
            Language.ES,
            "http://www.ideaspaz.org/publications/posts/1247",
            True,
        ),
        (
            DocumentKind.REPORT,
            "Report of the Citizen Security Dialogue in Bogotá",
            Language.EN,
            "http://www.ideaspaz.org/publications/posts/1247",
            True,
        ),
    ],
    "UNDP workshop on citizen security — Brasília": [
        (DocumentKind.CONCEPT_NOTE, "Nota conceitual", Language.PT, "", True),
        (DocumentKind.PARTICIPANT_LIST, "Lista de participantes", Language.PT, "", False),
        (DocumentKind.REPORT, "Relatório da oficina", Language.PT, "", True),
        (DocumentKind.PRESENTATION, "Apresentações (três eixos temáticos)", Language.PT, "", True),
    ],
    "IDB Citizen Security Week 2015 — Quito": [
        (
            DocumentKind.MEDIA,
            "Siete retos para ganarle al crimen y la violencia (conclusions, IDB blog)",
            Language.ES,
            "http://blogs.iadb.org/sinmiedos/2015/11/03/siete-retos-para-ganarle-el-crimen-y-la-violencia/",
            True,
        ),
    ],
}

# The four special issues (titles and months from the Igarapé Institute's page).
SPECIAL_ISSUES = [
    ("Making Brazilian Cities Safer", 2014, "Citizen Security Dialogue — Rio de Janeiro"),
    ("Dispatches from Mexico", 2015, "Citizen Security Dialogue — Mexico City"),
    ("Dispatches from South Africa", 2015, "Citizen Security Dialogue — Cape Town"),
    ("Dispatches from Colombia", 2015, "Citizen Security Dialogue — Bogotá"),
]


@dataclass(frozen=True)
class DemoSpecialist:
    name: str
    affiliation: str
    position: str
    expertise: list[str]
    countries: list[str]
    languages: list[str]
    public: bool
    talks: list[tuple[str, str]]  # (event title, session title)


SPECIALISTS = [
    DemoSpecialist(
        "Valentina Ríos Acosta (demo)",
        "Observatorio Urbano del Sur (demo)",
        "Researcher",
        [Focus.DATA, Focus.SITUATIONAL],
        ["CO", "EC"],
        [Language.ES, Language.EN],
        True,
        [
            (
                "Citizen Security Dialogue — Bogotá",
                "Special session: the post-2015 development agenda and Goal 16",
            ),
            (
                "IDB Citizen Security Week 2015 — Quito",
                "Third Regional Policy Dialogue on Citizen Security",
            ),
        ],
    ),
    DemoSpecialist(
        "Rafael Nogueira Lima (demo)",
        "Rede de Prevenção Comunitária (demo)",
        "Coordinator",
        [Focus.YOUTH, Focus.COMMUNITY, Focus.POLICING],
        ["BR"],
        [Language.PT, Language.ES],
        True,
        [
            ("UNDP workshop on citizen security — Brasília", "Presentations of practices"),
            ("Citizen Security Dialogue — Rio de Janeiro", "Youth, schools and the police"),
        ],
    ),
    DemoSpecialist(
        "Lucía Méndez Ortega (demo)",
        "Centro de Estudios de Policía (demo)",
        "Director",
        [Focus.POLICING, Focus.CRIMINAL_JUSTICE],
        ["MX"],
        [Language.ES, Language.EN],
        True,
        [("Citizen Security Dialogue — Mexico City", "Police reform and oversight")],
    ),
    DemoSpecialist(
        "Thandiwe Mokoena (demo)",
        "",
        "Independent consultant",
        [Focus.VAWG, Focus.POLICING],
        ["ZA"],
        [Language.EN],
        True,
        [("Citizen Security Dialogue — Cape Town", "Violence against women")],
    ),
    # No public profile: named nowhere public, shown as "A speaker (…)".
    DemoSpecialist(
        "Jorge Castañeda Peña (demo)",
        "Observatorio Urbano del Sur (demo)",
        "Community mediator",
        [Focus.COMMUNITY, Focus.YOUTH],
        ["CO"],
        [Language.ES],
        False,
        [
            (
                "Citizen Security Dialogue — Bogotá",
                "Controlando el territorio y construyendo seguridad y justicia en el posconflicto",
            )
        ],
    ),
    DemoSpecialist(
        "Ana Beatriz Souza (demo)",
        "Rede de Prevenção Comunitária (demo)",
        "Social worker",
        [Focus.YOUTH, Focus.SOCIAL_PREVENTION],
        ["BR"],
        [Language.PT],
        False,
        [("Citizen Security Dialogue — Rio de Janeiro", "Making Brazilian cities safer")],
    ),
    DemoSpecialist(
        "Miguel Ángel Torres (demo)",
        "",
        "Former police officer",
        [Focus.POLICING, Focus.FIREARMS],
        ["MX", "CO"],
        [Language.ES],
        False,
        [("Citizen Security Dialogue — Mexico City", "Data for prevention")],
    ),
]

PAPO = "Papo de Responsa"
PAPO_ID = "network-papo-de-responsa"


def _organisations() -> dict[str, Organisation]:
    found = {}
    for name, (acronym, kind, country, website) in ORGANISATIONS.items():
        found[name], _created = Organisation.objects.get_or_create(
            name=name,
            defaults={"acronym": acronym, "kind": kind, "country": country, "website": website},
        )
    return found


def _events(organisations: dict[str, Organisation]) -> dict[str, Event]:
    series = {
        DIALOGUES: EventSeries.objects.get_or_create(
            name=DIALOGUES,
            defaults={
                "description": "Four high-level sessions coordinated by the Igarapé "
                "Institute with IDRC's support (2014–2015)."
            },
        )[0],
        WEEKS: EventSeries.objects.get_or_create(
            name=WEEKS,
            defaults={
                "description": "The IDB's yearly week of regional policy dialogue and "
                "training on citizen security."
            },
        )[0],
    }
    events = {}
    for item in EVENTS:
        event, created = Event.objects.get_or_create(
            title=item.title,
            defaults={
                "kind": item.kind,
                "city": item.city,
                "country": item.country,
                "start_date": item.start,
                "end_date": item.end,
                "series": series[item.series] if item.series else None,
                "summary": item.summary,
                "objectives": OBJECTIVES if item.series == DIALOGUES else "",
                "website": item.website,
            },
        )
        events[item.title] = event
        if not created:
            continue
        for name, role in item.roles:
            EventOrganisation.objects.create(
                event=event, organisation=organisations[name], role=role
            )
        for order, (title, kind, theme, day, description) in enumerate(SESSIONS[item.title]):
            Session.objects.create(
                event=event,
                title=title,
                kind=kind,
                theme=theme,
                date=day,
                description=description,
                order=order,
            )
        for kind, title, language, url, public in DOCUMENTS.get(item.title, []):
            Document.objects.create(
                event=event, kind=kind, title=title, language=language, url=url, is_public=public
            )
    return events


def _specialists(
    organisations: dict[str, Organisation], events: dict[str, Event]
) -> list[Specialist]:
    people = []
    for item in SPECIALISTS:
        specialist, created = Specialist.objects.get_or_create(
            name=item.name,
            defaults={
                "affiliation": organisations.get(item.affiliation),
                "position": item.position,
                "bio": "Synthetic profile of the demo: this person does not exist.",
                "is_public": item.public,
                "consent_recorded_at": timezone.now() if item.public else None,
                "consent_note": "Demo: synthetic person" if item.public else "",
            },
        )
        people.append(specialist)
        if not created:
            continue
        set_tags(specialist, TagKind.EXPERTISE, item.expertise)
        set_tags(specialist, TagKind.COUNTRY, item.countries)
        set_tags(specialist, TagKind.LANGUAGE, item.languages)
        for order, (event_title, session_title) in enumerate(item.talks):
            session = Session.objects.get(event=events[event_title], title=session_title)
            Speaker.objects.create(
                session=session,
                specialist=specialist,
                affiliation=specialist.affiliation,
                role=SpeakerRole.SPEAKER,
                order=order,
            )
            specialist.events_attended.add(events[event_title])
    return people


def _papo_intervention() -> Intervention:
    """Papo de Responsa in the evidence registry, published and not evaluated: so the
    practice's page shows that its evidence is missing, not that it is unknown to us."""
    existing = Intervention.objects.filter(external_id=PAPO_ID).first()
    if existing is not None:
        return existing
    intervention = Intervention(
        external_id=PAPO_ID,
        name=PAPO,
        name_language="pt",
        summary="Conversas de policiais civis com jovens em escolas sobre violência, drogas "
        "e o papel da polícia.",
        country=ensure_country("BR"),
        scale=Scale.MUNICIPAL,
        status="ongoing",
        implementer_name="Polícia Civil do Estado do Rio de Janeiro",
        implementer_type=ImplementerType.POLICE,
        curation=Curation.PUBLISHED,
        published_at=timezone.now(),
        is_demo=True,
    )
    return evidence_services.save_intervention(
        intervention, tags={"focus": [Focus.YOUTH, Focus.POLICING]}
    )


def _practice(
    organisations: dict[str, Organisation], events: dict[str, Event], people: list[Specialist]
) -> None:
    practice, created = Practice.objects.get_or_create(
        name=PAPO,
        defaults={
            "city": "Rio de Janeiro",
            "country": "BR",
            "focus": Focus.YOUTH,
            "summary": "Civil police officers talk with young people in schools about "
            "violence prevention, drugs and the role of the police.",
            "implementer": organisations["Polícia Civil do Estado do Rio de Janeiro"],
            "intervention": _papo_intervention(),
        },
    )
    if not created:
        return
    brasilia = events["UNDP workshop on citizen security — Brasília"]
    presentation = Presentation.objects.create(
        practice=practice,
        event=brasilia,
        session=Session.objects.get(event=brasilia, title="Presentations of practices"),
    )
    presentation.presenters.add(*[p for p in people if p.name.startswith("Rafael")])
    presentation.documents.add(
        *Document.objects.filter(event=brasilia, kind=DocumentKind.PRESENTATION)
    )


def _publications(events: dict[str, Event], people: list[Specialist]) -> None:
    for title, year, event_title in SPECIAL_ISSUES:
        Publication.objects.get_or_create(
            title=title,
            journal=STABILITY,
            defaults={
                "kind": PublicationKind.SPECIAL_ISSUE,
                "year": year,
                "language": Language.EN,
                "url": DIALOGUES_URL,
                "event": events[event_title],
            },
        )
    # One synthetic article, to show authors linked to specialists (one public, one not).
    issue = Publication.objects.get(title="Dispatches from Colombia", journal=STABILITY)
    article, created = Publication.objects.get_or_create(
        title="Territorial control and local data: notes from Bogotá (demo)",
        defaults={
            "kind": PublicationKind.ARTICLE,
            "journal": "Synthetic article of the demo",
            "part_of": issue,
            "year": 2015,
            "language": Language.EN,
            "event": events["Citizen Security Dialogue — Bogotá"],
        },
    )
    if created:
        by_name = {person.name: person for person in people}
        Author.objects.create(
            publication=article, specialist=by_name["Valentina Ríos Acosta (demo)"], order=0
        )
        Author.objects.create(
            publication=article, specialist=by_name["Jorge Castañeda Peña (demo)"], order=1
        )


@transaction.atomic
def build() -> None:
    """The demo's part of ``load_demo`` (registered in ``convivencia.demo.DEMO_BUILDERS``)."""
    organisations = _organisations()
    events = _events(organisations)
    people = _specialists(organisations, events)
    _practice(organisations, events, people)
    _publications(events, people)
