"""Administrators manage the network's content in the admin: every list and edit page
opens, with its inlines."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.network.builders import make_network
from tests.personas import make_personas

pytestmark = pytest.mark.django_db


def test_every_network_admin_page_opens_for_the_administrator(client):
    personas = make_personas()
    world = make_network()
    client.force_login(personas.admin)
    objects = {
        "event": world.past,
        "specialist": world.hidden,
        "practice": world.practice,
        "session": world.youth,
        "publication": world.article,
        "organisation": world.fip,
        "eventseries": world.series,
    }
    for model, obj in objects.items():
        for url in (
            reverse(f"admin:network_{model}_changelist"),
            reverse(f"admin:network_{model}_change", args=[obj.pk]),
            reverse(f"admin:network_{model}_add"),
        ):
            assert client.get(url).status_code == 200, url
    assert client.get(reverse("admin:network_registration_changelist")).status_code == 200
