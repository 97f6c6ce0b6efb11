"""The loop's notifications: the responsible organisation hears of a commitment assigned to
it, the territory's community leaders of a claim of completion awaiting their verdict.

Personas (tests/dialogues/builders.make_world): Camila coordinates Cauca; Pablo is the
police liaison for Popayán; Luz is a community leader in Popayán, Lucía in Pasto;
Fernanda is the prosecutor's liaison. Tomás works for Pablo's police, but in Pasto.
"""

import pytest
from django.core import mail
from django.urls import reverse

from convivencia.accounts.choices import Role
from convivencia.core.choices import EmailFrequency
from convivencia.core.notifications import send_digests
from convivencia.dialogues import services
from tests.dialogues.builders import make_commitment, make_world, status
from tests.factories import grant, make_user


@pytest.fixture
def world(db):
    world = make_world()
    for person in (world.camila, world.pablo, world.luz, world.lucia, world.fernanda):
        person.email = f"{person.username}@example.org"
        person.save()
    world.tomas = make_user("tomas", email="tomas@example.org")
    grant(world.tomas, world.police, Role.PROVIDER, [world.places.pasto])
    return world


def told(person) -> list[str]:
    return list(person.notifications.values_list("title", flat=True))


def commitment_form(world, **changes):
    data = {
        "reference": "C-7",
        "title": "Alumbrado en el parque",
        "responsible": world.police.pk,
        "territory": world.places.popayan.pk,
        "due_date": "2027-03-01",
        "verification": "Acta de la JAC",
        "weight": 1,
        "roll_up": "weighted",
    }
    data.update(changes)
    return data


def test_the_responsible_organisations_members_in_the_territory_are_told_of_a_new_commitment(
    client, world
):
    client.force_login(world.camila)
    response = client.post(
        reverse("dialogues:commitment_create", args=[world.process.pk]), commitment_form(world)
    )
    assert response.status_code == 302
    assert told(world.pablo) == ["C-7: a commitment for your organisation"]
    assert [message.to for message in mail.outbox] == [["pablo@example.org"]]
    assert "Alumbrado en el parque" in mail.outbox[0].body
    # Not the police's member in another territory, not another organisation, not the author.
    assert told(world.tomas) == told(world.fernanda) == told(world.camila) == []


def test_an_organisation_added_later_is_told_and_the_first_one_not_again(client, world):
    commitment = make_commitment(world)
    client.force_login(world.camila)
    response = client.post(
        reverse("dialogues:commitment_edit", args=[commitment.pk]),
        commitment_form(
            world,
            reference=commitment.reference,
            title=commitment.title,
            co_responsible=[world.prosecutor.pk],
        ),
    )
    assert response.status_code == 302
    assert told(world.fernanda) == ["C-1: a commitment for your organisation"]
    assert told(world.pablo) == []


def test_a_claim_of_completion_tells_the_territorys_leaders_that_their_verdict_is_awaited(
    world,
):
    commitment = make_commitment(world)
    services.post_update(
        commitment, world.pablo, status=status("reported_done"), description="Cumplido"
    )
    [note] = world.luz.notifications.all()
    assert note.title == "C-1: done? The community's verdict is awaited"
    assert note.url == reverse("dialogues:commitment", args=[commitment.pk]) + "#verify"
    assert "luz@example.org" in [address for message in mail.outbox for address in message.to]
    assert told(world.lucia) == []  # a leader of Pasto, another territory
    assert told(world.pablo) == []  # who claimed it


def test_a_progress_update_does_not_ask_the_leaders_for_a_verdict(world):
    services.post_update(
        make_commitment(world), world.pablo, status=status("in_progress"), description="Avance"
    )
    assert told(world.luz) == []


def test_a_leader_who_chose_the_daily_digest_gets_the_claim_in_it(world):
    world.luz.email_notifications = EmailFrequency.DAILY
    world.luz.save()
    services.post_update(
        make_commitment(world), world.pablo, status=status("reported_done"), description="Listo"
    )
    assert "luz@example.org" not in [a for message in mail.outbox for a in message.to]
    assert send_digests().sent == 1
    assert mail.outbox[-1].to == ["luz@example.org"]
    assert "C-1: done?" in mail.outbox[-1].body


def test_the_notification_is_written_in_the_leaders_language(world):
    world.luz.preferred_language = "en"
    world.luz.save()
    services.post_update(
        make_commitment(world), world.pablo, status=status("reported_done"), description="Listo"
    )
    assert told(world.luz)[0].startswith("C-1: done?")
