"""Opening and closing monthly waves: only coordinators of the panel's territory, audited.

Personas: Camila coordinates Cauca (Popayán's department), Esteban is an enumerator
in Popayán, Carlos coordinates Nariño, Nadia holds no role; anonymous holds nothing.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from convivencia.accounts.choices import AuditAction, Role
from convivencia.accounts.models import AuditEntry
from convivencia.panels import services
from convivencia.panels.choices import WaveStatus
from convivencia.panels.models import Wave
from tests.factories import grant, make_colombia, make_organisation, make_user
from tests.panels.builders import make_panel


@pytest.fixture
def world(db):
    places = make_colombia()
    programme = make_organisation("Programa")
    camila = make_user("camila")
    grant(camila, programme, Role.COORDINATOR, [places.cauca])
    esteban = make_user("esteban")
    grant(esteban, programme, Role.ENUMERATOR, [places.popayan])
    carlos = make_user("carlos")
    grant(carlos, programme, Role.COORDINATOR, [places.narino])
    nadia = make_user("nadia")
    panel = make_panel(places.popayan)
    return {
        "panel": panel,
        "camila": camila,
        "esteban": esteban,
        "carlos": carlos,
        "nadia": nadia,
        "anonymous": AnonymousUser(),
    }


def audit_of(wave: Wave) -> list[AuditEntry]:
    return list(AuditEntry.objects.about(wave).order_by("at", "pk"))


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("anonymous", False),
        ("nadia", False),
        ("esteban", False),
        ("carlos", False),
        ("camila", True),
    ],
)
def test_only_a_coordinator_of_the_territory_opens_and_closes_a_wave(world, persona, allowed):
    actor = world[persona]
    panel = world["panel"]
    if not allowed:
        with pytest.raises(PermissionDenied):
            services.open_wave(panel, "2024-03", actor)
        assert not Wave.objects.exists()
        wave = services.open_wave(panel, "2024-03", world["camila"])
        with pytest.raises(PermissionDenied):
            services.close_wave(wave, actor)
        wave.refresh_from_db()
        assert wave.is_open
        return
    wave = services.open_wave(panel, "2024-03", actor)
    assert (wave.label, wave.status, wave.opened_by) == ("2024-03", WaveStatus.OPEN, actor)
    closed = services.close_wave(wave, actor)
    assert (closed.status, closed.closed_by) == (WaveStatus.CLOSED, actor)
    assert closed.closed_at is not None
    assert [entry.action for entry in audit_of(wave)] == [AuditAction.CREATE, AuditAction.UPDATE]
    assert {entry.actor for entry in audit_of(wave)} == {actor}


def test_opening_an_open_month_again_returns_the_same_wave_and_writes_nothing(world):
    first = services.open_wave(world["panel"], "2024-03", world["camila"])
    again = services.open_wave(world["panel"], "2024-03", world["camila"])
    assert again.pk == first.pk
    assert Wave.objects.count() == 1
    assert len(audit_of(first)) == 1


@pytest.mark.parametrize("text", ["2024-3", "03-2024", "2024-13", "marzo", ""])
def test_a_month_not_written_as_yyyy_mm_is_refused(world, text):
    with pytest.raises(ValidationError, match="YYYY-MM"):
        services.open_wave(world["panel"], text, world["camila"])
    assert not Wave.objects.exists()


def test_a_closed_wave_is_reopened_only_when_a_coordinator_asks_for_it(world):
    panel, camila = world["panel"], world["camila"]
    wave = services.close_wave(services.open_wave(panel, "2024-03", camila), camila)
    with pytest.raises(services.WaveClosed, match="closed"):
        services.open_wave(panel, "2024-03", camila)
    with pytest.raises(PermissionDenied):
        services.open_wave(panel, "2024-03", None, reopen=True)  # the system may not
    with pytest.raises(PermissionDenied):
        services.open_wave(panel, "2024-03", world["esteban"], reopen=True)
    reopened = services.open_wave(panel, "2024-03", camila, reopen=True)
    assert reopened.pk == wave.pk and reopened.is_open and reopened.closed_at is None
    last = audit_of(wave)[-1]
    assert last.changes["reopened"] is True
    assert last.changes["status"] == [WaveStatus.CLOSED, WaveStatus.OPEN]


def test_the_system_opens_a_wave_and_the_audit_entry_names_no_one(world):
    wave = services.open_wave(world["panel"], "2024-04", None)
    [entry] = audit_of(wave)
    assert entry.action == AuditAction.CREATE and entry.actor is None and entry.actor_name == ""


def test_the_hooks_run_once_after_the_close_is_committed(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    called = []
    failing_first = []

    def broken(wave):
        failing_first.append(wave.pk)
        raise RuntimeError("the digest failed")

    monkeypatch.setattr(services, "WAVE_CLOSED_HOOKS", [broken, called.append])
    wave = services.open_wave(world["panel"], "2024-03", world["camila"])
    with django_capture_on_commit_callbacks(execute=True):
        services.close_wave(wave, world["camila"])
        assert called == []  # not before the commit
    # A failing hook is logged and does not stop the next one.
    assert failing_first == [wave.pk]
    assert [w.pk for w in called] == [wave.pk]
    with django_capture_on_commit_callbacks(execute=True):
        services.close_wave(wave, world["camila"])  # already closed: nothing happens
    assert len(called) == 1


@pytest.mark.parametrize(
    ("persona", "status"),
    [("esteban", 403), ("carlos", 404), ("nadia", 404), ("camila", 302)],
)
def test_the_panel_page_buttons_follow_the_same_rule(client, world, persona, status):
    panel = world["panel"]
    client.force_login(world[persona])
    response = client.post(
        reverse("panels:collection:open_wave", args=[panel.code]), {"period": "2024-05"}
    )
    assert response.status_code == status
    assert Wave.objects.filter(period__month=5).exists() == (status == 302)


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    response = client.get(reverse("panels:collection:panel", args=[world["panel"].code]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_a_coordinator_closes_a_wave_from_the_panel_page(client, world):
    panel, camila = world["panel"], world["camila"]
    wave = services.open_wave(panel, "2024-03", camila)
    client.force_login(camila)
    page = client.get(reverse("panels:collection:panel", args=[panel.code]))
    assert b"2024-03" in page.content and b"openrosa" in page.content
    response = client.post(reverse("panels:collection:close_wave", args=[panel.code, "2024-03"]))
    assert response.status_code == 302
    wave.refresh_from_db()
    assert not wave.is_open
