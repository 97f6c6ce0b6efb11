"""load_demo as a whole: every role, the five departments, logins, the demo mark.

Loading the demo takes a while (the panels go through the real validation path),
so the module loads it once, inside a transaction rolled back at the end.
"""

import pytest
from django.core.management import call_command
from django.db import transaction

from convivencia import demo
from convivencia.accounts import access
from convivencia.accounts.choices import Role
from convivencia.accounts.models import Membership, User
from convivencia.territories.models import Territory

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo")
        yield
        transaction.set_rollback(True)


def test_loading_the_demo_again_duplicates_nothing_and_prints_the_logins(loaded, capsys):
    counts = (Territory.objects.count(), User.objects.count(), Membership.objects.count())
    call_command("load_demo")
    assert (Territory.objects.count(), User.objects.count(), Membership.objects.count()) == counts
    printed = capsys.readouterr().out
    assert demo.DEMO_PASSWORD in printed
    assert "coordinadora.cauca" in printed


def test_the_demo_has_a_user_for_every_role_and_the_five_departments(loaded):
    held = set(Membership.objects.values_list("role", flat=True))
    assert held == set(Role.values)
    departments = set(Territory.objects.regions().values_list("name", flat=True))
    assert departments == {"Antioquia", "Caquetá", "Cauca", "Nariño", "Norte de Santander"}
    popayan = Territory.objects.with_code("divipola", "19001").get()
    assert popayan.parent.code("divipola") == "19"


def test_demo_logins_work_and_are_scoped(loaded, client):
    assert client.login(username="coordinadora.cauca", password=demo.DEMO_PASSWORD)
    camila = User.objects.get(username="coordinadora.cauca")
    pasto = Territory.objects.with_code("divipola", "52001").get()
    popayan = Territory.objects.with_code("divipola", "19001").get()
    assert access.has_role(camila, popayan, Role.COORDINATOR)
    assert not access.has_role(camila, pasto, Role.COORDINATOR)


def test_every_page_says_demo_data_once_the_demo_is_loaded(loaded, client):
    assert b'data-testid="demo-mark"' in client.get("/").content
