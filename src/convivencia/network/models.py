"""The network: events and their programmes, the specialists who meet there, the
organisations behind them, the practices they share and what they published.

Privacy: a specialist is public only by their own opt-in (``Specialist.is_public``);
every public output (pages, API, CSV, iCalendar, suggestions) starts from
``Specialist.objects.public()`` and names anybody else only as "a speaker" (see
``services.speaker_label``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from convivencia.core import countries
from convivencia.network.choices import (
    DocumentKind,
    EventKind,
    Expertise,
    Language,
    NameVisibility,
    OrganisationKind,
    OrganisationRole,
    PublicationKind,
    SpeakerRole,
    TagKind,
)


def validate_country(code: str) -> None:
    try:
        countries.record(code)
    except countries.UnknownCountry as error:
        raise ValidationError(
            _("%(code)s is not an ISO 3166-1 country code."), params={"code": code}
        ) from error


class Organisation(models.Model):
    """An organisation of the network: promoter, partner, funder or host of events,
    affiliation of specialists. Organisations are public facts."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    acronym = models.CharField(_("acronym"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    country = models.CharField(
        _("country"),
        max_length=2,
        blank=True,
        validators=[validate_country],
        help_text=_("ISO 3166-1 alpha-2; empty for international organisations."),
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("network organisation")
        verbose_name_plural = _("network organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def short_name(self) -> str:
        return self.acronym or self.name

    def country_name(self) -> str:
        return countries.name(self.country) if self.country else ""


class EventSeries(models.Model):
    """Events that belong together: the four Citizen Security Dialogues, the IDB's
    Citizen Security Weeks."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("event series")
        verbose_name_plural = _("event series")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EventQuerySet(models.QuerySet["Event"]):
    def published(self) -> EventQuerySet:
        return self.filter(is_published=True)

    def upcoming(self, today=None) -> EventQuerySet:
        return self.filter(end_date__gte=today or timezone.localdate()).order_by("start_date")

    def past(self, today=None) -> EventQuerySet:
        return self.filter(end_date__lt=today or timezone.localdate()).order_by("-start_date")


class Event(models.Model):
    """A meeting of the network, in a city, on one or several days."""

    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=30, choices=EventKind.choices)
    series = models.ForeignKey(
        EventSeries,
        verbose_name=_("series"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
    )
    city = models.CharField(_("city"), max_length=120)
    country = models.CharField(
        _("country"),
        max_length=2,
        validators=[validate_country],
        help_text=_("ISO 3166-1 alpha-2."),
    )
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    summary = models.TextField(_("summary"), blank=True)
    objectives = models.TextField(_("objectives"), blank=True)
    website = models.URLField(_("website"), blank=True)
    registration_open = models.BooleanField(
        _("registration open"),
        default=False,
        help_text=_("People may register on the event's page until its last day."),
    )
    is_published = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-start_date", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="event_ends_after_it_starts"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The last day is before the first day.")})

    def country_name(self) -> str:
        return countries.name(self.country)

    def accepts_registrations(self, today=None) -> bool:
        return self.registration_open and self.end_date >= (today or timezone.localdate())


class EventOrganisation(models.Model):
    """An organisation's part in an event."""

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="organisers"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="event_roles",
    )
    role = models.CharField(_("role"), max_length=20, choices=OrganisationRole.choices)

    class Meta:
        verbose_name = _("organiser or partner")
        verbose_name_plural = _("organisers and partners")
        ordering = ["role", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "organisation", "role"], name="one_role_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.get_role_display()}"


class Session(models.Model):
    """One item of an event's programme, with its theme."""

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="sessions"
    )
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=30, choices=EventKind.choices, blank=True)
    theme = models.CharField(_("theme"), max_length=30, choices=Expertise.choices, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("programme session")
        verbose_name_plural = _("programme sessions")
        # Undated parts (the Quito week's meetings) after the dated ones, on every database.
        ordering = ["event", F("date").asc(nulls_last=True), "order", "start_time", "pk"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        event = self.event if self.event_id else None
        if event and self.date and not event.start_date <= self.date <= event.end_date:
            raise ValidationError({"date": _("The session's date is outside the event's days.")})


class SpecialistQuerySet(models.QuerySet["Specialist"]):
    def public(self) -> SpecialistQuerySet:
        """Those who opted in to a public profile: the only ones any public output names."""
        return self.filter(is_public=True)

    def tagged(self, kind: str, codes: list[str]) -> SpecialistQuerySet:
        return self.filter(
            models.Exists(
                SpecialistTag.objects.filter(
                    specialist=models.OuterRef("pk"), kind=kind, code__in=codes
                )
            )
        )


class Specialist(models.Model):
    """A person of the network. Public only by their explicit opt-in."""

    name = models.CharField(_("name"), max_length=200)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="specialist",
        help_text=_("Lets the person manage their own public profile."),
    )
    email = models.EmailField(
        _("email"), blank=True, help_text=_("Never shown publicly, even with a public profile.")
    )
    affiliation = models.ForeignKey(
        Organisation,
        verbose_name=_("affiliation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="specialists",
    )
    position = models.CharField(_("position"), max_length=200, blank=True)
    bio = models.TextField(_("short biography"), blank=True)
    events_attended = models.ManyToManyField(
        Event, verbose_name=_("events attended"), blank=True, related_name="attendees"
    )
    is_public = models.BooleanField(
        _("public profile"),
        default=False,
        help_text=_(
            "Only with the person's explicit consent: their name, affiliation, expertise, "
            "countries, languages, events and publications become public."
        ),
    )
    consent_recorded_at = models.DateTimeField(_("consent recorded at"), null=True, blank=True)
    consent_note = models.CharField(
        _("how consent was given"),
        max_length=300,
        blank=True,
        help_text=_("E.g. 'signed form, Bogotá 2015' or 'on their own profile page'."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = SpecialistQuerySet.as_manager()

    class Meta:
        verbose_name = _("specialist")
        verbose_name_plural = _("specialists")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_public=False) | Q(consent_recorded_at__isnull=False),
                name="public_profile_needs_consent",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def codes(self, kind: str) -> list[str]:
        return sorted(tag.code for tag in self.tags.all() if tag.kind == kind)


class SpecialistTag(models.Model):
    """One expertise, country or language of a specialist (one narrow table, as the
    evidence registry's tags: filters are an indexed EXISTS on every database)."""

    specialist = models.ForeignKey(
        Specialist, verbose_name=_("specialist"), on_delete=models.CASCADE, related_name="tags"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=TagKind.choices)
    code = models.CharField(_("code"), max_length=30)

    class Meta:
        verbose_name = _("specialist tag")
        verbose_name_plural = _("specialist tags")
        constraints = [
            models.UniqueConstraint(
                fields=["specialist", "kind", "code"], name="unique_specialist_tag"
            )
        ]
        indexes = [models.Index(fields=["kind", "code", "specialist"])]

    def __str__(self) -> str:
        return f"{self.kind}:{self.code}"


class Speaker(models.Model):
    """A specialist on a session's panel, with the affiliation they spoke for."""

    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="speakers"
    )
    specialist = models.ForeignKey(
        Specialist, verbose_name=_("specialist"), on_delete=models.CASCADE, related_name="talks"
    )
    affiliation = models.ForeignKey(
        Organisation,
        verbose_name=_("affiliation at the time"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    role = models.CharField(
        _("role"), max_length=20, choices=SpeakerRole.choices, default=SpeakerRole.SPEAKER
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        ordering = ["session", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "specialist"], name="one_seat_per_speaker")
        ]

    def __str__(self) -> str:
        return f"{self.specialist} — {self.session}"


class DocumentQuerySet(models.QuerySet["Document"]):
    def public(self) -> DocumentQuerySet:
        return self.filter(is_public=True)


class Document(models.Model):
    """A document of an event (or of one of its sessions), in one language."""

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="documents"
    )
    session = models.ForeignKey(
        Session,
        verbose_name=_("session"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="documents",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=300)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    url = models.URLField(_("link"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True)
    is_public = models.BooleanField(
        _("public"),
        default=True,
        help_text=_("A participant list names people: keep it for the organisers."),
    )

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["event", "kind", "title"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.kind == DocumentKind.PARTICIPANT_LIST and self.is_public:
            raise ValidationError(
                {"is_public": _("A participant list names people: it cannot be public.")}
            )
        if self.session is not None and self.event_id and self.session.event_id != self.event_id:
            raise ValidationError({"session": _("The session belongs to another event.")})


class Registration(models.Model):
    """Somebody registered for an event, saying who may see their name."""

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="registrations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"))
    affiliation = models.CharField(_("affiliation"), max_length=200, blank=True)
    name_visibility = models.CharField(
        _("who may see my name"),
        max_length=12,
        choices=NameVisibility.choices,
        default=NameVisibility.ORGANISERS,
    )
    consent_at = models.DateTimeField(_("consent given at"))
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["event", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["event", "email"], name="one_registration_per_email")
        ]

    def __str__(self) -> str:
        return f"{self.name} — {self.event}"


class Publication(models.Model):
    """A journal special issue, an article in one, or a report, with its DOI."""

    kind = models.CharField(_("kind"), max_length=20, choices=PublicationKind.choices)
    title = models.CharField(_("title"), max_length=400)
    journal = models.CharField(_("journal"), max_length=200, blank=True)
    part_of = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="parts",
        help_text=_("The special issue an article belongs to."),
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1950), MaxValueValidator(2100)]
    )
    doi = models.CharField(_("DOI"), max_length=200, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    event = models.ForeignKey(
        Event,
        verbose_name=_("event it came from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="publications",
    )

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        ordering = ["-year", "title"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.doi and not self.doi.startswith("10."):
            raise ValidationError({"doi": _("A DOI starts with '10.' (without https://doi.org/).")})

    def doi_url(self) -> str:
        return f"https://doi.org/{self.doi}" if self.doi else ""


class Author(models.Model):
    """One author of a publication: a specialist of the directory, or a name as printed."""

    publication = models.ForeignKey(
        Publication, verbose_name=_("publication"), on_delete=models.CASCADE, related_name="authors"
    )
    specialist = models.ForeignKey(
        Specialist,
        verbose_name=_("specialist"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="authorships",
    )
    name = models.CharField(
        _("name as printed"),
        max_length=200,
        blank=True,
        help_text=_("For authors who are not in the directory."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("author")
        verbose_name_plural = _("authors")
        ordering = ["publication", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(specialist__isnull=False) | ~Q(name=""),
                name="author_is_a_specialist_or_a_name",
            )
        ]

    def __str__(self) -> str:
        return self.name or str(self.specialist)


class PracticeQuerySet(models.QuerySet["Practice"]):
    def published(self) -> PracticeQuerySet:
        return self.filter(is_published=True)


class Practice(models.Model):
    """A promising practice presented at the network's events, linked to the evidence
    registry's intervention (and so its rating), or visibly to none."""

    name = models.CharField(_("name"), max_length=300)
    city = models.CharField(_("city"), max_length=120, blank=True)
    country = models.CharField(_("country"), max_length=2, validators=[validate_country])
    focus = models.CharField(_("focus"), max_length=30, choices=Expertise.choices)
    summary = models.TextField(_("summary"), blank=True)
    implementer = models.ForeignKey(
        Organisation,
        verbose_name=_("implementer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="practices",
    )
    intervention = models.ForeignKey(
        "evidence.Intervention",
        verbose_name=_("intervention in the evidence registry"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    website = models.URLField(_("website"), blank=True)
    is_published = models.BooleanField(_("published"), default=True)

    objects = PracticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("promising practice")
        verbose_name_plural = _("promising practices")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def country_name(self) -> str:
        return countries.name(self.country)


class Presentation(models.Model):
    """A practice presented at an event: in which session, by whom, with which documents."""

    practice = models.ForeignKey(
        Practice,
        verbose_name=_("practice"),
        on_delete=models.CASCADE,
        related_name="presentations",
    )
    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="presentations"
    )
    session = models.ForeignKey(
        Session,
        verbose_name=_("session"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="presentations",
    )
    presenters = models.ManyToManyField(
        Specialist, verbose_name=_("presenters"), blank=True, related_name="presentations"
    )
    documents = models.ManyToManyField(
        Document, verbose_name=_("documents"), blank=True, related_name="presentations"
    )

    class Meta:
        verbose_name = _("presentation")
        verbose_name_plural = _("presentations")
        ordering = ["practice", "event__start_date"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "event"], name="one_presentation_per_event")
        ]

    def __str__(self) -> str:
        return f"{self.practice} — {self.event}"
