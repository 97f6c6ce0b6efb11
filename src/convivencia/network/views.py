"""The network's public pages: calendar and archive, event pages, the specialists
directory, practices, publications and "who has done this?". Thin: an access helper or
a form, one service call, a render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from convivencia.core.forms import add_errors
from convivencia.network import services
from convivencia.network.forms import (
    AskForm,
    EventFilterForm,
    OwnProfileForm,
    RegistrationForm,
    SpecialistFilterForm,
)
from convivencia.network.models import Practice, Publication
from convivencia.network.permissions import (
    event_or_404,
    organisation_or_404,
    own_specialist,
    own_specialist_or_404,
    practice_or_404,
    specialist_or_404,
)

SECTION = "network"


@require_safe
def events(request: HttpRequest) -> HttpResponse:
    """The calendar (coming events) and the archive (past ones), with the same filters."""
    form = EventFilterForm(request.GET or None)
    found = form.events()
    today = timezone.localdate()
    query = request.GET.urlencode()
    return render(
        request,
        "network/events.html",
        {
            "section": SECTION,
            "form": form,
            "upcoming": found.upcoming(today),
            "past": found.past(today),
            "ics_url": reverse("network:calendar_ics") + (f"?{query}" if query else ""),
        },
    )


@require_safe
def calendar_ics(request: HttpRequest) -> HttpResponse:
    form = EventFilterForm(request.GET or None)
    body = services.calendar(
        form.events().order_by("start_date"),
        lambda event: request.build_absolute_uri(reverse("network:event", args=[event.pk])),
        name=_("Convivencia network events"),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="network-events.ics"'
    return response


@require_safe
def event(request: HttpRequest, pk: int) -> HttpResponse:
    found, may_write = event_or_404(request.user, pk)
    return render(
        request,
        "network/event.html",
        {
            "section": SECTION,
            "event": found,
            "may_write": may_write,
            "programme": services.programme(found),
            "registrants": services.public_registrants(found),
        },
    )


@require_safe
def event_ics(request: HttpRequest, pk: int) -> HttpResponse:
    found, _may_write = event_or_404(request.user, pk)
    body = services.calendar(
        [found],
        lambda event: request.build_absolute_uri(reverse("network:event", args=[event.pk])),
        name=found.title,
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="event-{found.pk}.ics"'
    return response


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, pk: int) -> HttpResponse:
    found, _may_write = event_or_404(request.user, pk)
    if not found.accepts_registrations():
        return render(
            request,
            "network/register.html",
            {"section": SECTION, "event": found, "closed": True},
            status=409 if request.method == "POST" else 200,
        )
    initial = {}
    if request.user.is_authenticated:
        initial = {"name": request.user.get_full_name(), "email": request.user.email}
    form = RegistrationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.register(found, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            return redirect(reverse("network:event", args=[found.pk]) + "?registered=1")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "network/register.html",
        {"section": SECTION, "event": found, "form": form},
        status=status,
    )


@require_safe
def specialists(request: HttpRequest) -> HttpResponse:
    form = SpecialistFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    query = request.GET.urlencode()
    return render(
        request,
        "network/specialists.html",
        {
            "section": SECTION,
            "form": form,
            "specialists": services.filter_specialists(
                expertise=filters.get("expertise", ""),
                country=filters.get("country", ""),
                language=filters.get("language", ""),
                text=filters.get("q", ""),
            ),
            "csv_url": reverse("network:specialists_csv") + (f"?{query}" if query else ""),
        },
    )


@require_safe
def specialists_csv(request: HttpRequest) -> HttpResponse:
    form = SpecialistFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    found = services.filter_specialists(
        expertise=filters.get("expertise", ""),
        country=filters.get("country", ""),
        language=filters.get("language", ""),
        text=filters.get("q", ""),
    )
    rows = services.directory_rows(
        found,
        lambda specialist: request.build_absolute_uri(
            reverse("network:specialist", args=[specialist.pk])
        ),
    )
    response = HttpResponse(services.directory_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="network-specialists.csv"'
    return response


@require_safe
def specialist(request: HttpRequest, pk: int) -> HttpResponse:
    found, may_write = specialist_or_404(request.user, pk)
    return render(
        request,
        "network/specialist.html",
        {
            "section": SECTION,
            "specialist": found,
            "may_write": may_write,
            "events": services.specialist_events(found),
            "publications": Publication.objects.filter(authors__specialist=found).distinct(),
            "practices": Practice.objects.published()
            .filter(presentations__presenters=found)
            .distinct(),
        },
    )


@require_safe
def practices(request: HttpRequest) -> HttpResponse:
    found = (
        Practice.objects.published()
        .select_related("implementer", "intervention")
        .prefetch_related("presentations__event")
    )
    return render(
        request,
        "network/practices.html",
        {
            "section": SECTION,
            "practices": [(practice, services.practice_evidence(practice)) for practice in found],
        },
    )


@require_safe
def practice(request: HttpRequest, pk: int) -> HttpResponse:
    found, may_write = practice_or_404(request.user, pk)
    return render(
        request,
        "network/practice.html",
        {
            "section": SECTION,
            "practice": found,
            "may_write": may_write,
            "evidence": services.practice_evidence(found),
        },
    )


@require_safe
def publications(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "network/publications.html",
        {"section": SECTION, "publications": services.publication_list()},
    )


@require_safe
def ask(request: HttpRequest) -> HttpResponse:
    """Who has done this? A GET form: nothing the person writes is stored."""
    form = AskForm(request.GET or None)
    result = None
    if form.is_valid():
        result = services.suggest(
            form.cleaned_data["description"],
            expertise=form.cleaned_data["expertise"],
            country=form.cleaned_data["country"],
            language=form.cleaned_data["language"],
        )
    return render(
        request,
        "network/ask.html",
        {"section": SECTION, "form": form, "result": result},
        status=400 if request.GET and not form.is_valid() else 200,
    )


@require_safe
def organisation(request: HttpRequest, pk: int) -> HttpResponse:
    """Organisations are public facts: their events and practices."""
    found, may_write = organisation_or_404(request.user, pk)
    return render(
        request,
        "network/organisation.html",
        {
            "section": SECTION,
            "organisation": found,
            "may_write": may_write,
            "roles": found.event_roles.filter(event__is_published=True).select_related("event"),
            "practices": found.practices.filter(is_published=True),
            "specialists": services.public_specialists().filter(affiliation=found),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def own_profile(request: HttpRequest) -> HttpResponse:
    """A specialist with an account decides themself whether their profile is public."""
    if request.method == "GET":
        found = own_specialist(request.user)
        form = OwnProfileForm(initial={"public": found.is_public if found else False})
        return render(
            request,
            "network/own_profile.html",
            {"section": SECTION, "specialist": found, "form": form},
        )
    specialist = own_specialist_or_404(request.user)
    form = OwnProfileForm(request.POST)
    if form.is_valid():
        try:
            services.own_profile_choice(
                specialist,
                form.cleaned_data["public"],
                consent=form.cleaned_data["consent"],
                request=request,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            return redirect("network:own_profile")
    return render(
        request,
        "network/own_profile.html",
        {"section": SECTION, "specialist": specialist, "form": form},
        status=400,
    )
