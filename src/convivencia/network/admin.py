"""Coordinators and administrators (staff) manage the network's content here."""

from __future__ import annotations

from django.contrib import admin

from convivencia.network import services
from convivencia.network.forms import SpecialistAdminForm
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
    Registration,
    Session,
    Speaker,
    Specialist,
    SpecialistTag,
)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "acronym", "kind", "country"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "acronym"]


@admin.register(EventSeries)
class EventSeriesAdmin(admin.ModelAdmin):
    search_fields = ["name"]


class EventOrganisationInline(admin.TabularInline):
    model = EventOrganisation
    extra = 1
    autocomplete_fields = ["organisation"]


class SessionInline(admin.StackedInline):
    model = Session
    extra = 0
    show_change_link = True


class DocumentInline(admin.TabularInline):
    model = Document
    extra = 0
    fields = ["kind", "title", "language", "url", "session", "is_public"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "city", "country", "start_date", "end_date", "is_published"]
    list_filter = ["kind", "series", "country", "is_published"]
    search_fields = ["title", "city"]
    date_hierarchy = "start_date"
    inlines = [EventOrganisationInline, SessionInline, DocumentInline]


class SpeakerInline(admin.TabularInline):
    model = Speaker
    extra = 1
    autocomplete_fields = ["specialist", "affiliation"]


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["title", "event", "date", "theme"]
    list_filter = ["theme", "event"]
    search_fields = ["title", "event__title"]
    inlines = [SpeakerInline]


class SpecialistTagInline(admin.TabularInline):
    model = SpecialistTag
    extra = 1


@admin.register(Specialist)
class SpecialistAdmin(admin.ModelAdmin):
    form = SpecialistAdminForm
    list_display = ["name", "affiliation", "is_public", "consent_recorded_at"]
    list_filter = ["is_public", "tags__kind", "affiliation"]
    search_fields = ["name", "affiliation__name"]
    autocomplete_fields = ["affiliation", "user"]
    filter_horizontal = ["events_attended"]
    inlines = [SpecialistTagInline]
    readonly_fields = ["consent_recorded_at"]

    def save_model(self, request, obj, form, change) -> None:
        # The public flag goes through the service: it stamps the consent and audits it.
        wants_public = obj.is_public
        before = Specialist.objects.filter(pk=obj.pk).values_list("is_public", flat=True)
        obj.is_public = bool(change and before.first())
        super().save_model(request, obj, form, change)
        if wants_public != obj.is_public:
            services.set_public_profile(obj, wants_public, note=obj.consent_note, request=request)


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["name", "event", "name_visibility", "created_at"]
    list_filter = ["event", "name_visibility"]
    search_fields = ["name", "email"]
    readonly_fields = ["consent_at", "created_at"]


class AuthorInline(admin.TabularInline):
    model = Author
    extra = 1
    autocomplete_fields = ["specialist"]


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "journal", "year", "doi"]
    list_filter = ["kind", "year", "language"]
    search_fields = ["title", "doi"]
    inlines = [AuthorInline]


class PresentationInline(admin.StackedInline):
    model = Presentation
    extra = 0
    filter_horizontal = ["presenters", "documents"]


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "country", "focus", "intervention", "is_published"]
    list_filter = ["focus", "country", "is_published"]
    search_fields = ["name"]
    autocomplete_fields = ["implementer"]
    raw_id_fields = ["intervention"]
    inlines = [PresentationInline]
