"""An attendee's name is public only with their consent, and the form says who will see it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from convivencia.dialogues.models import Participation
from tests.dialogues.builders import make_commitment, make_private_process, make_session, make_world

LISTED, UNLISTED = "Rosa Quiñones", "José Manquillo"


@pytest.fixture
def world(db):
    world = make_world()
    make_commitment(world)
    Participation.objects.create(
        session=world.session,
        name=LISTED,
        role="community_leader",
        organisation=world.community,
        public_listing=True,
    )
    Participation.objects.create(
        session=world.session,
        name=UNLISTED,
        role="community_leader",
        organisation=world.community,
        public_listing=False,
    )
    return world


def registration_form(client, session) -> str:
    page = client.get(reverse("dialogues:session", args=[session.pk])).content.decode()
    start = page.index('data-testid="listing-who"')
    return page[start : page.index("</span>", start)]


def test_the_form_of_a_published_session_says_anyone_on_the_internet_will_see_the_name(
    world, client
):
    client.force_login(world.nadia)
    text = registration_form(client, make_session(world.process))
    assert (
        "Your name will be shown to anyone on the internet, on this session's public page." in text
    )
    assert "Your organisation, e-mail and phone are not shown." in text
    assert "only the coordinators of the process see your name" in text


def test_the_form_of_a_private_session_names_who_sees_it_now_and_if_it_is_published(world, client):
    session = make_session(make_private_process(world))
    client.force_login(world.luz)
    text = registration_form(client, session)
    assert "to everyone with a role in Popayán" in text
    assert "to anyone on the internet if this process is published" in text


def test_the_public_list_shows_the_name_alone_without_the_organisation(world, client):
    page = client.get(reverse("dialogues:session", args=[world.session.pk])).content.decode()
    start = page.index('data-testid="public-attendees"')
    listed = page[start : page.index("</ul>", start)]
    assert LISTED in listed
    assert world.community.name not in listed


def test_without_consent_a_name_appears_on_no_public_page_export_or_api(world, client):
    process, session = world.process, world.session
    urls = [
        reverse("dialogues:session", args=[session.pk]),
        reverse("dialogues:process", args=[process.pk]),
        reverse("dialogues:commitment_list", args=[process.pk]),
        reverse("dialogues:print", args=[process.pk]),
        reverse("dialogues:priorities", args=[session.pk]),
        reverse("dialogues:calendar", args=[process.territory.pk]),
        reverse("dialogues:session_list", args=[process.territory.pk]),
        reverse("dialogues:board", args=[process.territory.pk]),
        reverse("dialogues:export_csv", args=[process.pk, "commitments"]),
        reverse("dialogues:export_csv", args=[process.pk, "updates"]),
        reverse("dialogues:export_xlsx", args=[process.pk]),
        "/api/v1/dialogues/processes/",
        f"/api/v1/dialogues/processes/{process.pk}/",
        "/api/v1/dialogues/sessions/",
        f"/api/v1/dialogues/sessions/{session.pk}/",
        "/api/v1/dialogues/commitments/",
    ]
    seen_listed = False
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode("utf-8", errors="replace")
        assert UNLISTED not in text, url
        assert "Manquillo" not in text, url
        seen_listed = seen_listed or LISTED in text
    assert seen_listed  # the consenting attendee is on the session's page
