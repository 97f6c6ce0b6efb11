"""A specialist with an account opts in or out themself, with explicit consent."""

from __future__ import annotations

import pytest
from django.urls import reverse

from convivencia.accounts.models import AuditEntry
from tests.factories import make_user
from tests.network.builders import HIDDEN_NAME, make_network

pytestmark = pytest.mark.django_db

URL = "network:own_profile"


@pytest.fixture
def hernan(client):
    world = make_network()
    user = make_user("hernan")
    world.hidden.user = user
    world.hidden.save()
    client.force_login(user)
    return world.hidden


def test_opting_in_needs_the_consent_box_and_then_publishes_the_profile(client, hernan):
    response = client.post(reverse(URL), {"public": "on"})
    assert response.status_code == 400
    hernan.refresh_from_db()
    assert not hernan.is_public
    response = client.post(reverse(URL), {"public": "on", "consent": "on"})
    assert response.status_code == 302
    hernan.refresh_from_db()
    assert hernan.is_public and hernan.consent_note == "given on their own profile page"
    assert HIDDEN_NAME in client.get(reverse("network:specialists")).content.decode()
    assert AuditEntry.objects.filter(object_id=str(hernan.pk), actor__username="hernan").exists()


def test_withdrawing_hides_the_profile_again(client, hernan):
    client.post(reverse(URL), {"public": "on", "consent": "on"})
    client.post(reverse(URL), {})
    hernan.refresh_from_db()
    assert not hernan.is_public
    assert client.get(reverse("network:specialist", args=[hernan.pk])).status_code == 404


def test_a_person_without_a_profile_is_told_so_and_cannot_post(client):
    client.force_login(make_user("sin.perfil"))
    assert "no profile" in client.get(reverse(URL)).content.decode()
    assert client.post(reverse(URL), {"public": "on", "consent": "on"}).status_code == 404
