"""The provider view and the digest sent when a wave closes.

Personas as in test_dashboard.make_world: Pablo (police, Popayán), Julia (judiciary,
Cauca: judges and the justice system), Pedro (police, Pasto), Camila (coordinator).
"""

from __future__ import annotations

import pytest
from django.core import mail

from convivencia.core.models import Notification
from convivencia.panels import digest, services
from tests.panels.test_dashboard import (
    RESPONDENT_CODES,
    SIZE,
    answer_wave,
    close,
    get,
    make_world,
    open_wave,
)


@pytest.fixture
def world(db):
    return make_world()


def test_a_police_liaison_sees_how_trust_in_the_police_moved(client, world):
    response = get(client, world, "pablo", "/panels/provider/")
    [section] = response.context["sections"]
    assert section["panel"] == world.panel
    assert [row.item.code for row in section["rows"]] == ["B18", "POLRESPECT"]
    row = section["rows"][0]
    assert row.wave == world.february
    assert row.current.pct_trust == 0 and row.change.flagged
    assert row.trend == [100.0, 0.0]
    page = response.content.decode()
    assert 'data-testid="flag"' in page and "<svg" in page
    assert "JUDGES" not in page  # only his own institution


def test_a_judiciary_liaison_sees_judges_and_the_justice_system(client, world):
    [section] = get(client, world, "julia", "/panels/provider/").context["sections"]
    # Flagged first, then in questionnaire order.
    assert [row.item.code for row in section["rows"]] == ["JUDGES", "B10A", "AOJ12"]


def test_a_liaison_sees_only_the_panels_of_their_territories(client, world):
    sections = get(client, world, "pedro", "/panels/provider/").context["sections"]
    assert [section["panel"].code for section in sections] == ["pasto"]


def test_providers_never_see_individual_answers(client, world):
    for persona in ("pablo", "julia"):
        page = get(client, world, persona, "/panels/provider/").content.decode()
        for code in RESPONDENT_CODES:
            assert code not in page


def test_small_cells_are_withheld_from_providers(client, world, settings):
    settings.MIN_CELL_SIZE = SIZE + 1
    response = get(client, world, "pablo", "/panels/provider/")
    row = response.context["sections"][0]["rows"][0]
    assert row.current.suppressed and row.current.pct_trust is None and row.change is None
    assert "withheld" in response.content.decode() or "reservad" in response.content.decode()


def test_an_open_wave_is_not_shown_to_providers(client, world):
    march = open_wave(world.panel, "2024-03")
    answer_wave(march, {n: {"B18": 7} for n in range(1, SIZE + 1)})
    row = get(client, world, "pablo", "/panels/provider/").context["sections"][0]["rows"][0]
    assert row.wave == world.february


# The digest


def test_importing_the_digest_registers_it_on_wave_close():
    assert digest.send_wave_digest in services.WAVE_CLOSED_HOOKS
    digest.register()
    assert services.WAVE_CLOSED_HOOKS.count(digest.send_wave_digest) == 1


@pytest.fixture
def march(world, django_capture_on_commit_callbacks):
    """March: trust in the judges comes back, the justice system and the police stay put."""
    wave = open_wave(world.panel, "2024-03")
    answer_wave(wave, {n: {"B18": 2 + n % 2, "JUDGES": 7} for n in range(1, SIZE + 1)})
    with django_capture_on_commit_callbacks(execute=True):
        services.close_wave(wave, world.camila)
    return wave


def _message_to(address: str):
    [message] = [m for m in mail.outbox if m.to == [address]]
    return message


def test_closing_a_wave_notifies_the_liaisons_of_the_territory(world, march):
    assert sorted(m.to[0] for m in mail.outbox) == ["julia@example.org", "pablo@example.org"]
    told = Notification.objects.order_by("user__username")
    assert [n.user.username for n in told] == ["julia", "pablo"]
    assert all(n.url == "/panels/provider/" for n in told)


def test_the_digest_leads_with_the_flagged_changes(world, march):
    message = _message_to("julia@example.org")
    assert "JUDGES" in message.subject or "1" in message.subject
    body = message.body
    assert body.index("(JUDGES)") < body.index("(B10A)")
    assert "SIGNIFICANT CHANGES" in body or "CAMBIOS SIGNIFICATIVOS" in body
    html, content_type = message.alternatives[0]
    assert content_type == "text/html" and html.index("(JUDGES)") < html.index("(B10A)")


def test_the_digest_speaks_only_of_the_liaisons_institution(world, march):
    body = _message_to("pablo@example.org").body
    assert "(B18)" in body and "(JUDGES)" not in body
    for code in RESPONDENT_CODES:
        assert code not in body


def test_the_digest_respects_suppression(world, settings, django_capture_on_commit_callbacks):
    settings.MIN_CELL_SIZE = SIZE + 1
    wave = open_wave(world.panel, "2024-03")
    answer_wave(wave, {n: {} for n in range(1, SIZE + 1)})
    with django_capture_on_commit_callbacks(execute=True):
        services.close_wave(wave, world.camila)
    body = _message_to("pablo@example.org").body
    assert "%" not in body.split("\n\n")[2]  # the results paragraph carries no figure


def test_a_wave_closed_twice_sends_one_digest(world, march, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.close_wave(march, world.camila)
    assert len(mail.outbox) == 2


def test_a_liaison_without_an_address_still_gets_the_notification(world):
    world.pablo.email = ""
    world.pablo.save()
    wave = close(open_wave(world.panel, "2024-03"))
    answer_wave(open_wave(world.panel, "2024-04"), {})  # nothing: no crash on empty waves
    digest.send_wave_digest(wave)
    assert Notification.objects.filter(user=world.pablo).exists()
    assert [m.to for m in mail.outbox] == [["julia@example.org"]]
