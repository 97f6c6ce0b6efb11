"""The first-run checklist (/setup/) and the home page's pointer to it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from convivencia.accounts.choices import OrganisationType, Role
from tests.factories import grant, make_colombia, make_organisation, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(client: Client) -> Client:
    """Ana administers the installation."""
    client.force_login(make_user("ana", is_superuser=True, is_staff=True))
    return client


def test_on_a_fresh_installation_the_home_page_points_the_administrator_to_the_checklist(ana):
    html = ana.get("/").content.decode()
    assert 'data-testid="first-run"' in html
    assert f'href="{reverse("core:setup")}"' in html


def test_once_a_territory_exists_the_home_page_no_longer_points_to_the_checklist(ana):
    make_colombia()
    assert 'data-testid="first-run"' not in ana.get("/").content.decode()


def test_visitors_never_see_the_pointer(client):
    assert 'data-testid="first-run"' not in client.get("/").content.decode()


def test_the_checklist_links_to_the_import_pages_and_the_administration(ana):
    response = ana.get("/setup/")
    assert response.status_code == 200
    html = response.content.decode()
    for key in (
        "territories",
        "population",
        "boundaries",
        "crime",
        "organisations",
        "users",
        "panels",
    ):
        assert f'data-testid="step-{key}"' in html, key
    for url in (
        reverse("territories:import"),
        reverse("indicators:import:upload"),
        reverse("admin:accounts_organisation_add"),
        reverse("admin:accounts_user_add"),
        reverse("admin:accounts_membership_add"),
        reverse("indicators:manage:index"),
        reverse("admin:index"),
    ):
        assert f'href="{url}"' in html, url


def test_the_checklist_counts_what_is_done(ana):
    make_colombia()
    steps = {step.key: step for step in ana.get("/setup/").context["steps"]}
    assert steps["territories"].done == 5
    assert steps["population"].done == 0
    assert steps["crime"].done == 0


def test_the_checklist_is_for_administrators_only(client):
    assert client.get("/setup/").status_code == 404
    places = make_colombia()
    coordinator = make_user("carla")
    grant(
        coordinator,
        make_organisation("Red", OrganisationType.CIVIL_SOCIETY),
        Role.COORDINATOR,
        [places.cauca],
    )
    client.force_login(coordinator)
    assert client.get("/setup/").status_code == 404
