"""The calendar and archive, the event page, registration with consent, and the
iCalendar exports."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from convivencia.network import services
from convivencia.network.choices import NameVisibility
from convivencia.network.models import Registration
from tests.network.builders import make_event, make_network

pytestmark = pytest.mark.django_db


def page(url: str, client: Client | None = None) -> str:
    response = (client or Client()).get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_coming_events_are_in_the_calendar_and_past_ones_in_the_archive():
    world = make_network()
    response = Client().get(reverse("network:events"))
    assert list(response.context["upcoming"]) == [world.upcoming]
    assert list(response.context["past"]) == [world.past]


def test_an_unpublished_event_is_listed_nowhere_and_its_page_is_404():
    world = make_network()
    assert world.draft.title not in page(reverse("network:events"))
    assert Client().get(reverse("network:event", args=[world.draft.pk])).status_code == 404
    assert world.draft.title.encode() not in Client().get(reverse("network:calendar_ics")).content


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=workshop", {"Taller de Quito"}),
        ("country=CO", {"Diálogo de Bogotá"}),
        ("year=2015", {"Diálogo de Bogotá"}),
        ("series={series}", {"Diálogo de Bogotá"}),
        ("country=CO&kind=workshop", set()),
        ("", {"Diálogo de Bogotá", "Taller de Quito"}),
    ],
)
def test_the_filters_narrow_the_calendar_and_the_archive(query, expected):
    world = make_network()
    response = Client().get(reverse("network:events") + "?" + query.format(series=world.series.pk))
    found = {event.title for event in [*response.context["upcoming"], *response.context["past"]]}
    assert found == expected


def test_a_wrong_filter_is_shown_and_ignored_rather_than_an_error():
    make_network()
    response = Client().get(reverse("network:events") + "?year=abc&kind=nonsense")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert len(response.context["past"]) == 1


def test_the_event_page_shows_programme_roles_and_documents_with_their_language():
    world = make_network()
    text = page(reverse("network:event", args=[world.past.pk]))
    for expected in ("Territorio y justicia", "Jóvenes y policía", "Promoter", "Funder", "Partner"):
        assert expected in text
    assert 'hreflang="es"' in text and 'hreflang="en"' in text
    assert "Informe final" in text and "Final report" in text
    assert "Escuelas seguras" in text  # the practice presented there
    assert "Dispatches from Colombia" in text


def test_the_participant_list_is_never_on_the_public_page():
    world = make_network()
    assert "Lista de asistentes" not in page(reverse("network:event", args=[world.past.pk]))


def test_country_names_follow_the_reader_s_language():
    world = make_network()
    url = reverse("network:event", args=[world.upcoming.pk])
    assert "Quito, Equador" in page(url, Client(headers={"accept-language": "pt"}))
    assert "Quito, Ecuador" in page(url, Client(headers={"accept-language": "en"}))


# --- registration ---------------------------------------------------------------------------

FORM = {
    "name": "Rosa Quintero",
    "email": "Rosa@Example.org",
    "affiliation": "Alcaldía de Quito",
    "name_visibility": NameVisibility.PUBLIC,
    "consent": "on",
}


def test_registration_needs_consent_and_keeps_nothing_without_it():
    world = make_network()
    url = reverse("network:register", args=[world.upcoming.pk])
    response = Client().post(url, {**FORM, "consent": ""})
    assert response.status_code == 400
    assert "consent" in response.content.decode().lower()
    assert not Registration.objects.exists()


def test_a_registration_that_chose_public_is_listed_and_one_for_organisers_is_not():
    world = make_network()
    url = reverse("network:register", args=[world.upcoming.pk])
    response = Client().post(url, FORM)
    assert response.status_code == 302
    Client().post(
        url,
        {
            **FORM,
            "name": "Óscar Reservado",
            "email": "oscar@example.org",
            "name_visibility": NameVisibility.ORGANISERS,
        },
    )
    text = page(reverse("network:event", args=[world.upcoming.pk]))
    assert "Rosa Quintero" in text
    assert "Óscar Reservado" not in text
    assert "rosa@example.org" not in text.lower()
    stored = Registration.objects.get(name="Rosa Quintero")
    assert stored.email == "rosa@example.org" and stored.consent_at is not None


def test_registering_twice_with_one_email_is_refused_by_name():
    world = make_network()
    url = reverse("network:register", args=[world.upcoming.pk])
    Client().post(url, FORM)
    response = Client().post(url, {**FORM, "name": "Rosa Q."})
    assert response.status_code == 400
    assert "already registered" in response.content.decode()
    assert Registration.objects.count() == 1


def test_a_past_event_refuses_registrations():
    world = make_network()
    world.past.registration_open = True
    world.past.save()
    response = Client().post(reverse("network:register", args=[world.past.pk]), FORM)
    assert response.status_code == 409
    assert not Registration.objects.exists()
    with pytest.raises(services.RegistrationClosed):
        services.register(
            world.past, name="x", email="x@example.org", name_visibility="public", consent=True
        )


def test_a_signed_in_person_finds_their_name_and_email_filled_in(client):
    from tests.personas import make_personas

    personas = make_personas()
    world = make_network()
    client.force_login(personas.leader)
    form = client.get(reverse("network:register", args=[world.upcoming.pk])).context["form"]
    assert form.initial == {"name": "Luz Caicedo", "email": "lider.popayan@example.org"}


# --- iCalendar ------------------------------------------------------------------------------


def test_the_calendar_file_follows_rfc_5545():
    world = make_network()
    world.past.summary = "Control, territorio; justicia\nsegunda línea " + "x" * 120
    world.past.save()
    response = Client().get(reverse("network:calendar_ics"))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content
    lines = body.split(b"\r\n")
    assert body.endswith(b"\r\n") and b"\n" not in body.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in lines), "lines are folded at 75 octets"
    unfolded = body.replace(b"\r\n ", b"")
    assert b"Control\\, territorio\\; justicia\\nsegunda" in unfolded
    assert lines[0] == b"BEGIN:VCALENDAR" and b"VERSION:2.0" in lines


def test_an_all_day_event_ends_the_day_after_its_last_day():
    world = make_network()
    body = Client().get(reverse("network:event_ics", args=[world.past.pk])).content
    calendar = Calendar.from_ical(body)
    [event] = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == datetime.date(2015, 4, 16)
    assert event.decoded("dtend") == datetime.date(2015, 4, 18)
    assert str(event["location"]) == "Bogotá, Colombia"
    assert str(event["uid"]) == f"network-event-{world.past.pk}@convivencia"
    assert "Hernán" not in body.decode()


def test_the_calendar_export_takes_the_page_s_filters():
    make_network()
    make_event("Sesión en Lima", datetime.date(2016, 5, 5), city="Lima", country="PE")
    body = Client().get(reverse("network:calendar_ics") + "?country=PE").content.decode()
    assert "Sesión en Lima" in body and "Bogotá" not in body
