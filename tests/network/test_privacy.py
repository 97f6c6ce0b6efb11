"""A specialist without opt-in is found nowhere public: not on any page, in any export,
calendar, suggestion or API answer, whoever asks; with opt-in they are, and after
withdrawing they are gone again."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from convivencia.accounts.models import AuditEntry
from convivencia.network import services
from convivencia.network.models import Specialist
from tests.network.builders import (
    HIDDEN_EMAIL,
    HIDDEN_NAME,
    PUBLIC_EMAIL,
    PUBLIC_NAME,
    make_network,
)
from tests.personas import make_personas

pytestmark = pytest.mark.django_db

ASK = "?description=jóvenes+y+policía+en+las+escuelas&country=CO&language=es&expertise=youth"


def public_urls(world) -> list[str]:
    """Every public page, export and API answer of the network."""
    return [
        reverse("network:events"),
        reverse("network:events") + "?country=CO",
        reverse("network:calendar_ics"),
        reverse("network:event", args=[world.past.pk]),
        reverse("network:event_ics", args=[world.past.pk]),
        reverse("network:specialists"),
        reverse("network:specialists") + "?expertise=youth",
        reverse("network:specialists") + "?country=EC",
        reverse("network:specialists") + "?language=fr",
        reverse("network:specialists") + "?q=Ocult",
        reverse("network:specialists_csv"),
        reverse("network:specialists_csv") + "?expertise=community",
        reverse("network:organisation", args=[world.fip.pk]),
        reverse("network:practices"),
        reverse("network:practice", args=[world.practice.pk]),
        reverse("network:publications"),
        reverse("network:ask") + ASK,
        "/api/v1/network/events/",
        f"/api/v1/network/events/{world.past.pk}/",
        "/api/v1/network/organisations/",
        "/api/v1/network/specialists/",
        "/api/v1/network/specialists/?expertise=community",
        "/api/v1/network/practices/",
        f"/api/v1/network/practices/{world.practice.pk}/",
    ]


def contents(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


@pytest.mark.parametrize("persona", ["anonymous", "nobody", "admin", "coord_cauca"])
def test_a_specialist_without_opt_in_is_named_nowhere_public(persona):
    personas = make_personas()
    world = make_network()
    client = Client()
    if personas.people[persona] is not None:
        client.force_login(personas.people[persona])
    for url in public_urls(world):
        text = contents(client, url)
        for secret in (HIDDEN_NAME, "Oculto", HIDDEN_EMAIL, "Mediador comunitario"):
            assert secret not in text, f"{secret!r} is in {url}"
        assert PUBLIC_EMAIL not in text, f"an email is in {url}"


def test_their_profile_page_and_api_answer_404_as_if_they_did_not_exist():
    world = make_network()
    client = Client()
    assert client.get(reverse("network:specialist", args=[world.hidden.pk])).status_code == 404
    response = client.get(f"/api/v1/network/specialists/{world.hidden.pk}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_on_the_programme_they_are_a_speaker_of_their_organisation():
    world = make_network()
    page = contents(Client(), reverse("network:event", args=[world.past.pk]))
    assert "A speaker (FIP)" in page
    assert PUBLIC_NAME in page
    detail = Client().get(f"/api/v1/network/events/{world.past.pk}/").json()
    speakers = [speaker for s in detail["sessions"] for speaker in s["speakers"]]
    assert {"label": "A speaker (FIP)", "specialist_id": None, "role": "speaker"} in speakers
    assert {"label": PUBLIC_NAME, "specialist_id": world.public.pk, "role": "speaker"} in speakers


def test_without_an_organisation_they_are_just_a_speaker():
    world = make_network()
    world.youth.speakers.update(affiliation=None)
    Specialist.objects.filter(pk=world.hidden.pk).update(affiliation=None)
    page = contents(Client(), reverse("network:event", args=[world.past.pk]))
    assert "A speaker" in page and "A speaker (" not in page


def test_as_an_author_they_are_an_author_not_listed():
    make_network()
    page = contents(Client(), reverse("network:publications"))
    assert "an author not listed in the directory" in page
    assert "Autora Externa" in page  # a printed name of somebody outside the directory


def test_their_expertise_never_earns_a_public_suggestion():
    world = make_network()
    result = services.suggest("mediación comunitaria en barrios", country="EC")
    assert world.hidden not in [s.target for s in result.specialists]


def test_the_directory_offers_no_country_only_they_work_in():
    make_network()
    page = contents(Client(), reverse("network:specialists"))
    assert 'value="EC"' not in page  # Ecuador: only Hernán works there
    assert 'value="BR"' in page


def test_opting_in_publishes_them_and_withdrawing_removes_them_again():
    world = make_network()
    client = Client()
    services.set_public_profile(world.hidden, True, note="on the phone, 2026-12-01")
    assert HIDDEN_NAME in contents(client, reverse("network:specialists"))
    assert HIDDEN_NAME in contents(client, reverse("network:event", args=[world.past.pk]))
    services.set_public_profile(world.hidden, False, note="")
    for url in public_urls(world):
        assert HIDDEN_NAME not in contents(client, url), url
    assert AuditEntry.objects.filter(object_type="network.specialist").count() >= 2


def test_opting_in_without_saying_how_consent_was_given_is_refused():
    world = make_network()
    with pytest.raises(Exception, match="consent"):
        services.set_public_profile(world.hidden, True, note="  ")
    world.hidden.refresh_from_db()
    assert not world.hidden.is_public


def test_the_database_refuses_a_public_profile_without_a_consent_date():
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        Specialist.objects.create(name="Sin consentimiento", is_public=True)


def test_the_admin_records_consent_through_the_service(client):
    personas = make_personas()
    world = make_network()
    client.force_login(personas.admin)
    url = reverse("admin:network_specialist_change", args=[world.hidden.pk])
    data = {
        "name": HIDDEN_NAME,
        "email": HIDDEN_EMAIL,
        "affiliation": world.fip.pk,
        "position": "",
        "bio": "",
        "is_public": "on",
        "consent_note": "",
        "tags-TOTAL_FORMS": "0",
        "tags-INITIAL_FORMS": "0",
    }
    response = client.post(url, data)
    assert response.status_code == 200  # the form again: no note, no public profile
    world.hidden.refresh_from_db()
    assert not world.hidden.is_public
    data["consent_note"] = "signed form, Bogotá 2015"
    response = client.post(url, data)
    assert response.status_code == 302
    world.hidden.refresh_from_db()
    assert world.hidden.is_public and world.hidden.consent_recorded_at is not None
