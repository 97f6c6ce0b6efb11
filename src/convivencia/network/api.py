"""/api/v1/network/: events, organisations, specialists (public profiles only) and
practices. Everything here is public, and follows the pages' privacy rule: a speaker
without a public profile has no name and no id (``services.speaker_label``)."""

import datetime
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from convivencia.api.errors import ApiError, ErrorBody
from convivencia.api.pagination import PageNumberPagination
from convivencia.network import services
from convivencia.network.choices import EventKind, Expertise, Language, TagKind
from convivencia.network.models import Event, Organisation, Practice, Specialist

router = Router(tags=["network"])


class OrganisationOut(Schema):
    id: int
    name: str
    acronym: str
    kind: str
    country: str = Field(description="ISO 3166-1 alpha-2; empty for international bodies.")
    website: str


class EventOrganisationOut(Schema):
    organisation_id: int
    name: str
    acronym: str
    role: str = Field(description="promoter, partner, funder or host.")


class EventOut(Schema):
    id: int
    title: str
    kind: str
    series: str | None
    city: str
    country: str = Field(description="ISO 3166-1 alpha-2.")
    start_date: datetime.date
    end_date: datetime.date
    url: str
    organisations: list[EventOrganisationOut]


class SpeakerOut(Schema):
    label: str = Field(
        description="The speaker's name if their profile is public; otherwise 'A speaker' "
        "and the organisation they spoke for."
    )
    specialist_id: int | None = Field(description="Only for public profiles.")
    role: str


class ProgrammeSessionOut(Schema):
    title: str
    kind: str
    theme: str = Field(description="A focus area of the evidence registry (may be empty).")
    date: datetime.date | None
    speakers: list[SpeakerOut]


class DocumentOut(Schema):
    kind: str
    title: str
    language: str = Field(description="ISO 639-1.")
    url: str


class EventDetailOut(EventOut):
    summary: str
    objectives: str
    sessions: list[ProgrammeSessionOut]
    documents: list[DocumentOut]
    practices: list[int]


class PublicationRefOut(Schema):
    title: str
    year: int
    doi: str
    journal: str


class SpecialistOut(Schema):
    id: int
    name: str
    affiliation_id: int | None
    affiliation: str
    position: str
    expertise: list[str]
    countries: list[str]
    languages: list[str]
    events_spoken_at: list[int]
    events_attended: list[int]
    publications: list[PublicationRefOut]
    url: str


class PracticeOut(Schema):
    id: int
    name: str
    city: str
    country: str
    focus: str
    summary: str
    implementer_id: int | None
    intervention_id: int | None = Field(
        description="The published intervention of the evidence registry, if any."
    )
    rating: str | None = Field(description="Its best rating; null when not in the registry.")
    events: list[int]
    url: str


class EventFilters(Schema):
    kind: EventKind | None = None
    country: str | None = Field(None, description="ISO 3166-1 alpha-2.", max_length=2)
    year: int | None = Field(None, ge=1950, le=2100)
    series: str | None = Field(None, description="The series' exact name.")


class SpecialistFilters(Schema):
    expertise: Expertise | None = None
    country: str | None = Field(None, description="ISO 3166-1 alpha-2.", max_length=2)
    language: Language | None = None


def _url(request: HttpRequest, name: str, pk: int) -> str:
    return request.build_absolute_uri(reverse(name, args=[pk]))


def _event(request: HttpRequest, event: Event) -> dict[str, Any]:
    return {
        "id": event.pk,
        "title": event.title,
        "kind": event.kind,
        "series": event.series.name if event.series else None,
        "city": event.city,
        "country": event.country,
        "start_date": event.start_date,
        "end_date": event.end_date,
        "url": _url(request, "network:event", event.pk),
        "organisations": [
            {
                "organisation_id": part.organisation_id,
                "name": part.organisation.name,
                "acronym": part.organisation.acronym,
                "role": part.role,
            }
            for part in event.organisers.all()
        ],
    }


class EventPagination(PageNumberPagination):
    def paginate_queryset(self, queryset, pagination, request, **params) -> dict[str, Any]:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page["results"] = [_event(request, event) for event in page["results"]]
        return page


@router.get(
    "/events/",
    response={200: list[EventOut], 400: ErrorBody, 401: ErrorBody, 404: ErrorBody},
    url_name="network-event-list",
    summary="List the network's events",
)
@paginate(EventPagination)
def list_events(request: HttpRequest, filters: Query[EventFilters]) -> QuerySet[Event]:
    """Published events, oldest first, with their organisers and partners and each one's
    role. Filters combine with AND."""
    events = (
        Event.objects.published()
        .select_related("series")
        .prefetch_related(Prefetch("organisers", queryset=services.ordered_organisers()))
        .order_by("start_date", "pk")
    )
    if filters.kind:
        events = events.filter(kind=filters.kind)
    if filters.country:
        events = events.filter(country=filters.country.upper())
    if filters.year:
        events = events.filter(start_date__year=filters.year)
    if filters.series:
        events = events.filter(series__name=filters.series)
    return events


@router.get(
    "/events/{int:event_id}/",
    response={200: EventDetailOut, 401: ErrorBody, 404: ErrorBody},
    url_name="network-event-detail",
    summary="One event with its programme and documents",
)
def get_event(request: HttpRequest, event_id: int) -> dict[str, Any]:
    """The event, its sessions with their speakers (named only with a public profile),
    its public documents with their language, and the practices presented there."""
    event = services.event_detail(event_id)
    if event is None:
        raise ApiError(404, _("No published event has the id %(id)d.") % {"id": event_id})
    return {
        **_event(request, event),
        "summary": event.summary,
        "objectives": event.objectives,
        "sessions": [
            {
                "title": item.session.title,
                "kind": item.session.kind,
                "theme": item.session.theme,
                "date": item.session.date,
                "speakers": [
                    {
                        "label": label,
                        "specialist_id": specialist.pk if specialist else None,
                        "role": speaker.role,
                    }
                    for (label, specialist), speaker in zip(
                        item.speakers, item.session.speakers.all(), strict=True
                    )
                ],
            }
            for item in services.programme(event)
        ],
        "documents": [
            {"kind": d.kind, "title": d.title, "language": d.language, "url": d.url}
            for d in event.documents.all()
        ],
        "practices": [
            presentation.practice_id
            for presentation in event.presentations.all()
            if presentation.practice.is_published
        ],
    }


@router.get(
    "/organisations/",
    response={200: list[OrganisationOut], 400: ErrorBody, 401: ErrorBody, 404: ErrorBody},
    url_name="network-organisation-list",
    summary="List the network's organisations",
)
@paginate(PageNumberPagination)
def list_organisations(request: HttpRequest) -> QuerySet[Organisation]:
    """Promoters, partners, funders and hosts of events, and affiliations of specialists."""
    return Organisation.objects.order_by("name")


def _specialist(request: HttpRequest, specialist: Specialist) -> dict[str, Any]:
    return {
        "id": specialist.pk,
        "name": specialist.name,
        "affiliation_id": specialist.affiliation_id,
        "affiliation": specialist.affiliation.name if specialist.affiliation else "",
        "position": specialist.position,
        "expertise": specialist.codes(TagKind.EXPERTISE),
        "countries": specialist.codes(TagKind.COUNTRY),
        "languages": specialist.codes(TagKind.LANGUAGE),
        "events_spoken_at": sorted(
            {
                talk.session.event_id
                for talk in specialist.talks.all()
                if talk.session.event.is_published
            }
        ),
        "events_attended": sorted(
            event.pk for event in specialist.events_attended.all() if event.is_published
        ),
        "publications": [
            {
                "title": author.publication.title,
                "year": author.publication.year,
                "doi": author.publication.doi,
                "journal": author.publication.journal,
            }
            for author in specialist.authorships.all()
        ],
        "url": _url(request, "network:specialist", specialist.pk),
    }


def _with_talks(specialists: QuerySet[Specialist]) -> QuerySet[Specialist]:
    return specialists.prefetch_related(
        Prefetch("talks__session__event"), "events_attended", "authorships__publication"
    )


class SpecialistPagination(PageNumberPagination):
    def paginate_queryset(self, queryset, pagination, request, **params) -> dict[str, Any]:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page["results"] = [_specialist(request, item) for item in page["results"]]
        return page


@router.get(
    "/specialists/",
    response={200: list[SpecialistOut], 400: ErrorBody, 401: ErrorBody, 404: ErrorBody},
    url_name="network-specialist-list",
    summary="List specialists with a public profile",
)
@paginate(SpecialistPagination)
def list_specialists(
    request: HttpRequest, filters: Query[SpecialistFilters]
) -> QuerySet[Specialist]:
    """Only people who opted in to a public profile; nobody else, whoever asks.
    Never an email address."""
    return _with_talks(
        services.filter_specialists(
            expertise=filters.expertise or "",
            country=(filters.country or "").upper(),
            language=filters.language or "",
        )
    )


@router.get(
    "/specialists/{int:specialist_id}/",
    response={200: SpecialistOut, 401: ErrorBody, 404: ErrorBody},
    url_name="network-specialist-detail",
    summary="One specialist with a public profile",
)
def get_specialist(request: HttpRequest, specialist_id: int) -> dict[str, Any]:
    specialist = _with_talks(services.public_specialists()).filter(pk=specialist_id).first()
    if specialist is None:
        raise ApiError(404, _("No public specialist has the id %(id)d.") % {"id": specialist_id})
    return _specialist(request, specialist)


def _practice(request: HttpRequest, practice: Practice) -> dict[str, Any]:
    evidence = services.practice_evidence(practice)
    return {
        "id": practice.pk,
        "name": practice.name,
        "city": practice.city,
        "country": practice.country,
        "focus": practice.focus,
        "summary": practice.summary,
        "implementer_id": practice.implementer_id,
        "intervention_id": evidence.intervention.pk if evidence.intervention else None,
        "rating": evidence.rating or None,
        "events": [
            presentation.event_id
            for presentation in practice.presentations.all()
            if presentation.event.is_published
        ],
        "url": _url(request, "network:practice", practice.pk),
    }


class PracticePagination(PageNumberPagination):
    def paginate_queryset(self, queryset, pagination, request, **params) -> dict[str, Any]:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page["results"] = [_practice(request, item) for item in page["results"]]
        return page


def _practices() -> QuerySet[Practice]:
    return (
        Practice.objects.published()
        .select_related("intervention")
        .prefetch_related("presentations__event")
        .order_by("name")
    )


@router.get(
    "/practices/",
    response={200: list[PracticeOut], 400: ErrorBody, 401: ErrorBody, 404: ErrorBody},
    url_name="network-practice-list",
    summary="List promising practices with their evidence",
)
@paginate(PracticePagination)
def list_practices(request: HttpRequest) -> QuerySet[Practice]:
    """Each practice with the events it was presented at and, when it is in the evidence
    registry (published), its intervention and best rating."""
    return _practices()


@router.get(
    "/practices/{int:practice_id}/",
    response={200: PracticeOut, 401: ErrorBody, 404: ErrorBody},
    url_name="network-practice-detail",
    summary="One promising practice",
)
def get_practice(request: HttpRequest, practice_id: int) -> dict[str, Any]:
    practice = _practices().filter(pk=practice_id).first()
    if practice is None:
        raise ApiError(404, _("No published practice has the id %(id)d.") % {"id": practice_id})
    return _practice(request, practice)
