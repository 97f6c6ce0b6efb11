"""load_demo as a whole: every role, the five departments, logins, the demo mark.

Loading the demo takes a while (the panels go through the real validation path),
so the module loads it once, inside a transaction rolled back at the end.
"""

import datetime

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Q

from convivencia import demo
from convivencia.accounts import access
from convivencia.accounts.choices import Role
from convivencia.accounts.models import Membership, User
from convivencia.dialogues.choices import AgendaOrigin, ProposalStatus, SessionStatus
from convivencia.dialogues.models import AgendaItem, Session, Update, Verification
from convivencia.panels.choices import WaveStatus
from convivencia.panels.models import Wave
from convivencia.territories.models import Boundary, Territory

pytestmark = pytest.mark.django_db


# The demo is built as if today were this day (load_demo --today), so these tests do not
# depend on the day they run.
TODAY = datetime.date(2026, 12, 6)


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", today=TODAY)
        yield
        transaction.set_rollback(True)


def test_loading_the_demo_again_duplicates_nothing_and_prints_the_logins(loaded, capsys):
    counts = (Territory.objects.count(), User.objects.count(), Membership.objects.count())
    call_command("load_demo", today=TODAY)
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


def test_the_open_wave_is_this_month_and_the_last_closed_one_last_month(loaded):
    demo_waves = Wave.objects.filter(panel__code__startswith="demo-")
    open_periods = set(demo_waves.filter(status=WaveStatus.OPEN).values_list("period", flat=True))
    assert open_periods == {datetime.date(2026, 12, 1)}
    last_closed = demo_waves.filter(status=WaveStatus.CLOSED).order_by("-period").first()
    assert last_closed.period == datetime.date(2026, 11, 1)


def test_nothing_the_demo_says_has_happened_lies_in_the_future(loaded):
    end_of_today = datetime.datetime.combine(
        TODAY + datetime.timedelta(days=1), datetime.time(), tzinfo=datetime.UTC
    )
    held = Session.objects.exclude(status=SessionStatus.PLANNED)
    assert not held.filter(starts_at__gte=end_of_today).exists()
    assert not Update.objects.filter(posted_at__gte=end_of_today).exists()
    assert not Verification.objects.filter(at__gte=end_of_today).exists()
    assert not Wave.objects.filter(period__gt=TODAY).exists()


def test_the_proposed_agenda_says_how_old_each_figure_is(loaded):
    # Every proposal citing a figure: the panels' changes and concerns, the indicators
    # (the process's own open concerns cite ballots, not figures).
    proposed = AgendaItem.objects.filter(
        Q(origin__in=[AgendaOrigin.PANEL, AgendaOrigin.INDICATOR])
        # The demo proposes in Spanish, the language of its people and its other texts.
        | Q(origin=AgendaOrigin.CONCERN, title__startswith="Problema de la comunidad:"),
        status=ProposalStatus.PROPOSED,
        session__status=SessionStatus.PLANNED,
    )
    assert proposed.filter(origin=AgendaOrigin.CONCERN).exists()
    assert proposed.filter(origin=AgendaOrigin.INDICATOR).exists()
    for item in proposed:
        # Upcoming sessions meet within weeks: the figures are one or two months old.
        assert "2026-11" in item.evidence or "2026-10" in item.evidence, item.evidence
        assert "2024-" not in item.evidence, item.evidence


def test_the_demo_draws_the_real_country_from_dane_boundaries(loaded):
    colombia = Boundary.objects.get(territory__level=0, territory__codes__code="CO")
    assert colombia.geometry["type"] == "MultiPolygon"
    ring = max((polygon[0] for polygon in colombia.geometry["coordinates"]), key=len)
    assert len(ring) > 300  # an outline, not a rectangle
    longitudes = [point[0] for point in ring]
    assert min(longitudes) < -78  # the Pacific coast
    assert max(longitudes) > -67.5  # the Orinoco border with Venezuela
    popayan = Boundary.objects.get(territory__codes__code="19001")
    assert popayan.source.startswith("DANE")
    assert len(popayan.geometry["coordinates"][0]) > 7  # not the old synthetic hexagon
