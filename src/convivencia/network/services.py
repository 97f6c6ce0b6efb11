"""The network's operations, called by the pages, the API, the admin and the demo alike.

Privacy rule (decided here, documented in README's network section): a specialist
without an opted-in public profile is never named by a public output. On an event's
programme such a person is "A speaker" followed by the organisation they spoke for
("A speaker (FIP)") — organisations are public facts, a person is not; as an author
they are "an author not listed in the directory". Their expertise never counts in a
public suggestion either, so not even a match reveals them.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, Prefetch, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from convivencia.accounts import audit
from convivencia.accounts.choices import AuditAction
from convivencia.core import countries
from convivencia.core.text import fold
from convivencia.evidence.choices import Curation, Rating
from convivencia.evidence.models import Intervention
from convivencia.network.choices import (
    Expertise,
    Language,
    NameVisibility,
    OrganisationRole,
    TagKind,
)
from convivencia.network.models import (
    Author,
    Document,
    Event,
    EventOrganisation,
    Organisation,
    Practice,
    Presentation,
    Publication,
    Registration,
    Session,
    Speaker,
    Specialist,
    SpecialistQuerySet,
    SpecialistTag,
)

# --- who may be named ---------------------------------------------------------------------


def speaker_label(speaker: Speaker) -> str:
    """The speaker's name if they opted in; otherwise "A speaker" and their organisation."""
    if speaker.specialist.is_public:
        return speaker.specialist.name
    organisation = speaker.affiliation or speaker.specialist.affiliation
    if organisation is not None:
        return _("A speaker (%(organisation)s)") % {"organisation": organisation.short_name()}
    return _("A speaker")


def author_label(author: Author) -> str:
    if author.specialist is None:
        return author.name
    if author.specialist.is_public:
        return author.specialist.name
    return _("an author not listed in the directory")


def public_specialist(speaker_or_author: Speaker | Author) -> Specialist | None:
    """The specialist to link to, if their profile is public."""
    specialist = speaker_or_author.specialist
    return specialist if specialist is not None and specialist.is_public else None


# --- specialists ----------------------------------------------------------------------------

TAG_VOCABULARIES: dict[str, Callable[[str], bool]] = {
    TagKind.EXPERTISE: lambda code: code in Expertise.values,
    TagKind.LANGUAGE: lambda code: code in Language.values,
    TagKind.COUNTRY: lambda code: _is_country(code),
}


def _is_country(code: str) -> bool:
    try:
        return countries.alpha2(code) == code
    except countries.UnknownCountry:
        return False


def set_tags(specialist: Specialist, kind: str, codes: Iterable[str]) -> None:
    """Replace the specialist's codes of one kind; unknown codes are refused by name."""
    wanted = sorted(set(codes))
    unknown = [code for code in wanted if not TAG_VOCABULARIES[kind](code)]
    if unknown:
        raise ValidationError({kind: _("Unknown codes: %(codes)s") % {"codes": ", ".join(unknown)}})
    SpecialistTag.objects.filter(specialist=specialist, kind=kind).exclude(code__in=wanted).delete()
    existing = set(
        SpecialistTag.objects.filter(specialist=specialist, kind=kind).values_list(
            "code", flat=True
        )
    )
    SpecialistTag.objects.bulk_create(
        SpecialistTag(specialist=specialist, kind=kind, code=code)
        for code in wanted
        if code not in existing
    )


def own_profile_choice(
    specialist: Specialist, public: bool, *, consent: bool, request
) -> Specialist:
    """The person, signed in, chooses for themself; opting in needs their explicit consent."""
    if public and not consent:
        raise ValidationError(
            {"consent": _("Tick the box to agree that your profile becomes public.")}
        )
    return set_public_profile(
        specialist, public, note=_("given on their own profile page"), request=request
    )


def set_public_profile(
    specialist: Specialist, public: bool, *, note: str, actor=None, request=None
) -> Specialist:
    """Record the person's choice: opt in (with how consent was given) or withdraw."""
    if public and not note.strip():
        raise ValidationError({"consent_note": _("Say how the person gave their consent.")})
    before = {"is_public": specialist.is_public}
    specialist.is_public = public
    if public:
        specialist.consent_recorded_at = timezone.now()
        specialist.consent_note = note.strip()[:300]
    specialist.save(
        update_fields=["is_public", "consent_recorded_at", "consent_note", "updated_at"]
    )
    changes = audit.diff(before, {"is_public": public})
    if changes:
        audit.record(AuditAction.UPDATE, specialist, actor=actor, request=request, changes=changes)
    return specialist


def public_specialists() -> SpecialistQuerySet:
    return (
        Specialist.objects.public()
        .select_related("affiliation")
        .prefetch_related("tags")
        .order_by("name")
    )


def filter_specialists(
    expertise: str = "", country: str = "", language: str = "", text: str = ""
) -> SpecialistQuerySet:
    """The public directory, filtered (AND across filters)."""
    specialists = public_specialists()
    if expertise:
        specialists = specialists.tagged(TagKind.EXPERTISE, [expertise])
    if country:
        specialists = specialists.tagged(TagKind.COUNTRY, [country])
    if language:
        specialists = specialists.tagged(TagKind.LANGUAGE, [language])
    if text:
        specialists = specialists.filter(name__icontains=text) | specialists.filter(
            affiliation__name__icontains=text
        )
    return specialists.distinct()


def specialist_events(specialist: Specialist) -> dict[str, list[Event]]:
    spoken = Event.objects.published().filter(sessions__speakers__specialist=specialist).distinct()
    attended = specialist.events_attended.filter(is_published=True).exclude(
        pk__in=spoken.values("pk")
    )
    return {"spoken": list(spoken), "attended": list(attended)}


DIRECTORY_COLUMNS = [
    ("name", gettext_lazy("name")),
    ("affiliation", gettext_lazy("affiliation")),
    ("position", gettext_lazy("position")),
    ("expertise", gettext_lazy("expertise")),
    ("countries", gettext_lazy("countries")),
    ("languages", gettext_lazy("languages")),
    ("events", gettext_lazy("events")),
    ("profile", gettext_lazy("profile")),
]


def directory_rows(
    specialists: Iterable[Specialist], url_for: Callable[[Specialist], str]
) -> list[dict[str, str]]:
    """The public part of the directory, one row per specialist (codes, not labels, so
    a program can read it in any language). Never the email."""
    if isinstance(specialists, QuerySet):
        specialists = specialists.select_related("affiliation").prefetch_related("tags")
    public = [specialist for specialist in specialists if specialist.is_public]
    # Every public speaker's published events in one query, not one per row.
    spoken: dict[int, set[str]] = defaultdict(set)
    for specialist_id, title in (
        Event.objects.published()
        .filter(sessions__speakers__specialist__in=public)
        .values_list("sessions__speakers__specialist", "title")
    ):
        spoken[specialist_id].add(title)
    rows = []
    for specialist in public:  # a guard, should a caller pass anything else
        rows.append(
            {
                "name": specialist.name,
                "affiliation": specialist.affiliation.name if specialist.affiliation else "",
                "position": specialist.position,
                "expertise": ";".join(specialist.codes(TagKind.EXPERTISE)),
                "countries": ";".join(specialist.codes(TagKind.COUNTRY)),
                "languages": ";".join(specialist.codes(TagKind.LANGUAGE)),
                "events": ";".join(sorted(spoken[specialist.pk])),
                "profile": url_for(specialist),
            }
        )
    return rows


def directory_csv(rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([str(label) for _name, label in DIRECTORY_COLUMNS])
    for row in rows:
        # Guard against formula injection in spreadsheets: a leading = + - @ is quoted.
        writer.writerow([_safe_cell(row[name]) for name, _label in DIRECTORY_COLUMNS])
    return buffer.getvalue()


def _safe_cell(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


# --- events --------------------------------------------------------------------------------


def event_detail(event_id: int) -> Event | None:
    """A published event with everything its page shows."""
    speakers = Speaker.objects.select_related(
        "specialist", "specialist__affiliation", "affiliation"
    )
    return (
        Event.objects.published()
        .filter(pk=event_id)
        .select_related("series")
        .prefetch_related(
            Prefetch("organisers", queryset=ordered_organisers()),
            Prefetch(
                "sessions",
                queryset=Session.objects.prefetch_related(Prefetch("speakers", queryset=speakers)),
            ),
            Prefetch("documents", queryset=Document.objects.public()),
            "publications__authors__specialist",
            "presentations__practice",
        )
        .first()
    )


@dataclass
class ProgrammeItem:
    session: Session
    speakers: list[tuple[str, Specialist | None]]  # label, and whom to link to


def programme(event: Event) -> list[ProgrammeItem]:
    """The event's sessions with their speakers, named or not by the privacy rule."""
    return [
        ProgrammeItem(
            session,
            [
                (speaker_label(speaker), public_specialist(speaker))
                for speaker in session.speakers.all()
            ],
        )
        for session in event.sessions.all()
    ]


def publication_list() -> list[tuple[Publication, list[tuple[str, Specialist | None]]]]:
    """Every publication with its byline, named or not by the privacy rule."""
    found = Publication.objects.select_related("event", "part_of").prefetch_related(
        "authors__specialist"
    )
    return [
        (
            publication,
            [
                (author_label(author), public_specialist(author))
                for author in publication.authors.all()
            ],
        )
        for publication in found
    ]


ROLE_ORDER = [
    OrganisationRole.PROMOTER,
    OrganisationRole.HOST,
    OrganisationRole.PARTNER,
    OrganisationRole.FUNDER,
]


def ordered_organisers() -> QuerySet[EventOrganisation]:
    """An event's organisations, promoters first and funders last, then by name."""
    rank = Case(
        *[When(role=role, then=Value(index)) for index, role in enumerate(ROLE_ORDER)],
        default=Value(len(ROLE_ORDER)),
    )
    return (
        EventOrganisation.objects.select_related("organisation")
        .annotate(rank=rank)
        .order_by("rank", "organisation__name")
    )


def public_registrants(event: Event) -> list[Registration]:
    """Those who chose to be listed publicly on the event's page."""
    return list(event.registrations.filter(name_visibility=NameVisibility.PUBLIC))


class RegistrationClosed(Exception):
    pass


def register(
    event: Event,
    *,
    name: str,
    email: str,
    affiliation: str = "",
    name_visibility: str,
    consent: bool,
    user=None,
) -> Registration:
    """Register somebody for an event. Consent to the stated visibility is required."""
    if not event.accepts_registrations():
        raise RegistrationClosed(_("Registration for this event is closed."))
    if not consent:
        raise ValidationError(
            {"consent": _("Registration needs your consent to keep your name and email.")}
        )
    registration = Registration(
        event=event,
        user=user if user is not None and user.is_authenticated else None,
        name=name.strip(),
        email=email.strip().lower(),
        affiliation=affiliation.strip(),
        name_visibility=name_visibility,
        consent_at=timezone.now(),
    )
    registration.full_clean(exclude=["event", "user"], validate_unique=False)
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError as error:
        raise ValidationError(
            {"email": _("This email address is already registered for this event.")}
        ) from error
    audit.record(AuditAction.CREATE, registration, actor=user)
    return registration


def calendar(events: Iterable[Event], url_for: Callable[[Event], str], name: str) -> bytes:
    """An iCalendar (RFC 5545) file of ``events``: all-day events, no personal data.

    The icalendar library writes CRLF line ends, escapes commas, semicolons and
    newlines, and folds lines at 75 octets.
    """
    from icalendar import Calendar
    from icalendar import Event as CalendarEvent

    calendar = Calendar()
    calendar.add("prodid", "-//Convivencia//Network events//ES")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    stamp = timezone.now()
    for event in events:
        entry = CalendarEvent()
        entry.add("uid", f"network-event-{event.pk}@convivencia")
        entry.add("dtstamp", stamp)
        entry.add("summary", event.title)
        entry.add("dtstart", event.start_date)
        # DTEND of an all-day event is exclusive: the day after the last one.
        entry.add("dtend", event.end_date + datetime.timedelta(days=1))
        entry.add("location", f"{event.city}, {event.country_name()}")
        entry.add("description", event.summary)
        entry.add("categories", [event.get_kind_display()])
        entry.add("url", url_for(event))
        calendar.add_component(entry)
    return calendar.to_ical()


# --- practices -----------------------------------------------------------------------------


@dataclass
class PracticeEvidence:
    """What the evidence registry says about a practice, or that it says nothing."""

    intervention: Intervention | None
    rating: str  # a Rating code
    rating_label: str


def practice_evidence(practice: Practice) -> PracticeEvidence:
    """Only a published intervention counts: a draft is no evidence to the public.

    Read from the practice's intervention as loaded (lists select it with the practice),
    so that a list of practices asks no query per row."""
    intervention = practice.intervention
    if intervention is None or intervention.curation != Curation.PUBLISHED:
        return PracticeEvidence(None, "", _("Not in the evidence registry"))
    rating = Rating(intervention.best_rating)
    return PracticeEvidence(intervention, rating.value, str(rating.label))


def practice_detail(practice_id: int) -> Practice | None:
    return (
        Practice.objects.published()
        .filter(pk=practice_id)
        .select_related("implementer", "intervention")
        .prefetch_related(
            Prefetch(
                "presentations",
                queryset=Presentation.objects.filter(event__is_published=True)
                .select_related("event", "session")
                .prefetch_related(
                    "presenters__affiliation",
                    Prefetch("documents", queryset=Document.objects.public()),
                ),
            )
        )
        .first()
    )


# --- "who has done this?" ---------------------------------------------------------------

# Words that point to a focus area, folded (no accents, lower case), in es, pt and en.
# A word matches when a word of the description starts with it.
FOCUS_WORDS: dict[str, tuple[str, ...]] = {
    Expertise.POLICING: ("polic", "patrull", "patrulh", "cuadrant", "comisari", "delegaci"),
    Expertise.CRIMINAL_JUSTICE: ("justic", "fiscal", "juez", "juiz", "tribunal", "court"),
    Expertise.PRISONS: ("carcel", "prision", "prison", "presidio", "reinser", "reintegr"),
    Expertise.SOCIAL_PREVENTION: ("prevenc", "prevenca", "prevent", "escuel", "escola", "school"),
    Expertise.SITUATIONAL: ("espacio", "iluminac", "iluminaca", "lighting", "cpted", "urban"),
    Expertise.VAWG: ("mujer", "mulher", "women", "genero", "gender", "feminic", "femicid"),
    Expertise.YOUTH: ("joven", "jovem", "jovenes", "youth", "adolesc", "juvenil", "young"),
    Expertise.DRUGS_ALCOHOL: ("droga", "drug", "alcohol", "alcool", "narcot"),
    Expertise.FIREARMS: ("arma", "firearm", "gun", "desarm", "disarm"),
    Expertise.COMMUNITY: ("comunid", "community", "dialog", "participa", "vecin", "barrio"),
    Expertise.DATA: ("dato", "dados", "data", "estadist", "statist", "informac", "observator"),
}

RATING_BONUS = {Rating.EFFECTIVE: 2, Rating.PROMISING: 1}


def detect_focus(description: str) -> list[str]:
    """The focus areas a problem's description mentions, in the list's order."""
    words = fold(description).split()
    return [
        code
        for code, stems in FOCUS_WORDS.items()
        if any(word.startswith(stem) for word in words for stem in stems)
    ]


@dataclass
class Suggestion:
    """A specialist or organisation suggested for a problem, with why."""

    kind: str  # "specialist" or "organisation"
    target: Specialist | Organisation
    score: int = 0
    reasons: list[str] = field(default_factory=list)

    def add(self, points: int, reason: str) -> None:
        self.score += points
        self.reasons.append(f"+{points} {reason}")


@dataclass
class Suggestions:
    focus: list[str]
    detected: list[str]
    specialists: list[Suggestion]
    organisations: list[Suggestion]


def _focus_label(code: str) -> str:
    return str(Expertise(code).label)


def _practice_reasons(
    suggestion: Suggestion, practices: Iterable[Practice], focus: list[str]
) -> None:
    for practice in practices:
        if practice.focus not in focus:
            continue
        suggestion.add(2, _("linked to the practice “%(name)s”") % {"name": practice.name})
        evidence = practice_evidence(practice)
        bonus = RATING_BONUS.get(Rating(evidence.rating), 0) if evidence.rating else 0
        if bonus:
            suggestion.add(
                bonus,
                _("its intervention is rated “%(rating)s” in the evidence registry")
                % {"rating": evidence.rating_label},
            )


def suggest(
    description: str,
    expertise: list[str] | None = None,
    country: str = "",
    language: str = "",
    limit: int = 10,
) -> Suggestions:
    """Who has done this? Public specialists and organisations ranked by a simple sum:

    - 3 points per focus area both the problem and the specialist's expertise share
      (focus areas chosen, or found in the description's words);
    - 2 points for working in the problem's country (an organisation: based there);
    - 1 point for speaking the language asked for;
    - 2 points per practice of a shared focus area they presented (an organisation:
      implemented or co-organised an event where it was presented), plus 2 if its
      intervention is rated effective in the evidence registry, 1 if promising.

    Every point comes with its reason, shown next to the suggestion.
    """
    detected = detect_focus(description)
    focus = list(dict.fromkeys([*(expertise or []), *detected]))
    practices = list(
        Practice.objects.published()
        .select_related("intervention", "implementer")
        .prefetch_related("presentations__presenters", "presentations__event__organisers")
    )
    by_presenter: dict[int, list[Practice]] = {}
    by_organisation: dict[int, set[Practice]] = {}
    for practice in practices:
        if practice.implementer_id:
            by_organisation.setdefault(practice.implementer_id, set()).add(practice)
        for presentation in practice.presentations.all():
            for presenter in presentation.presenters.all():
                by_presenter.setdefault(presenter.pk, []).append(practice)
            for organiser in presentation.event.organisers.all():
                by_organisation.setdefault(organiser.organisation_id, set()).add(practice)

    specialists = []
    for specialist in public_specialists():
        suggestion = Suggestion("specialist", specialist)
        for code in specialist.codes(TagKind.EXPERTISE):
            if code in focus:
                suggestion.add(3, _("expertise: %(focus)s") % {"focus": _focus_label(code)})
        if country and country in specialist.codes(TagKind.COUNTRY):
            suggestion.add(2, _("works in %(country)s") % {"country": countries.name(country)})
        if language and language in specialist.codes(TagKind.LANGUAGE):
            suggestion.add(1, _("speaks %(language)s") % {"language": Language(language).label})
        _practice_reasons(suggestion, by_presenter.get(specialist.pk, []), focus)
        if suggestion.score and (focus or country):
            specialists.append(suggestion)

    organisations = []
    for organisation in Organisation.objects.all():
        suggestion = Suggestion("organisation", organisation)
        if country and organisation.country == country:
            suggestion.add(2, _("based in %(country)s") % {"country": countries.name(country)})
        _practice_reasons(
            suggestion, sorted(by_organisation.get(organisation.pk, set()), key=str), focus
        )
        if suggestion.score:
            organisations.append(suggestion)

    def rank(items: list[Suggestion]) -> list[Suggestion]:
        return sorted(items, key=lambda item: (-item.score, str(item.target)))[:limit]

    return Suggestions(focus, detected, rank(specialists), rank(organisations))
