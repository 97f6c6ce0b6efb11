"""Places, the waitlist and its promotion, at their edges."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from convivencia.dialogues import registration
from convivencia.dialogues.choices import Attendance, ParticipantRole, SessionStatus
from convivencia.dialogues.models import Participation
from tests.dialogues.builders import make_session, make_world
from tests.factories import make_user

REGISTERED, WAITLISTED = Attendance.REGISTERED, Attendance.WAITLISTED


@pytest.fixture
def world(db):
    return make_world()


def people(count: int) -> list:
    return [
        make_user(f"persona{number}", first_name=f"Persona {number}") for number in range(count)
    ]


def test_registering_beyond_capacity_puts_people_on_the_waitlist_in_order(world):
    session = make_session(world.process, capacity=2)
    first, second, third, fourth = people(4)
    attendance = [
        registration.register(session, user).attendance for user in (first, second, third, fourth)
    ]
    assert attendance == [REGISTERED, REGISTERED, WAITLISTED, WAITLISTED]
    assert registration.places_left(session) == 0


def test_a_cancellation_promotes_the_first_waitlisted_only_and_tells_them(world):
    session = make_session(world.process, capacity=1)
    holder, first_waiting, second_waiting = people(3)
    registration.register(session, holder)
    registration.register(session, first_waiting)
    registration.register(session, second_waiting)
    held = Participation.objects.get(session=session, user=holder)
    promoted = registration.cancel(held, holder)
    assert [p.user for p in promoted] == [first_waiting]
    states = dict(session.participations.values_list("user__username", "attendance"))
    assert states == {first_waiting.username: REGISTERED, second_waiting.username: WAITLISTED}
    assert first_waiting.notifications.count() == 1
    assert second_waiting.notifications.count() == 0


def test_a_waitlisted_cancellation_promotes_nobody(world):
    session = make_session(world.process, capacity=1)
    holder, waiting, behind = people(3)
    for user in (holder, waiting, behind):
        registration.register(session, user)
    promoted = registration.cancel(
        Participation.objects.get(session=session, user=waiting), waiting
    )
    assert promoted == []
    assert Participation.objects.get(session=session, user=behind).attendance == WAITLISTED


def test_without_capacity_nobody_waits(world):
    session = make_session(world.process, capacity=None)
    assert {registration.register(session, user).attendance for user in people(5)} == {REGISTERED}
    assert registration.places_left(session) is None


def test_a_session_with_no_places_waitlists_everyone(world):
    session = make_session(world.process, capacity=0)
    assert registration.register(session, people(1)[0]).attendance == WAITLISTED


def test_registering_twice_keeps_the_first_registration(world):
    session = make_session(world.process, capacity=1)
    user, other = people(2)
    first = registration.register(session, user)
    registration.register(session, other)
    again = registration.register(session, user)
    assert again.pk == first.pk and again.attendance == REGISTERED
    assert session.participations.count() == 2


def test_an_invited_person_takes_a_place_only_when_registering(world):
    session = make_session(world.process, capacity=1)
    invited, walk_in = people(2)
    Participation.objects.create(
        session=session,
        user=invited,
        name="Invitada",
        role=ParticipantRole.COMMUNITY_LEADER,
        attendance=Attendance.INVITED,
    )
    assert registration.places_left(session) == 1
    assert registration.register(session, walk_in).attendance == REGISTERED
    assert registration.register(session, invited).attendance == WAITLISTED


def test_attendees_keep_their_place_and_no_shows_free_it(world):
    session = make_session(world.process, capacity=2)
    present, absent = people(2)
    registration.check_in(registration.register(session, present), world.camila, attended=True)
    registration.check_in(registration.register(session, absent), world.camila, attended=False)
    assert registration.places_left(session) == 1


def test_registration_closes_when_the_session_starts_or_is_not_planned(world):
    started = make_session(world.process, days=-1)
    cancelled = make_session(world.process, status=SessionStatus.CANCELLED)
    user = people(1)[0]
    for session in (started, cancelled):
        with pytest.raises(ValidationError):
            registration.register(session, user)


def test_more_places_move_the_waitlist_up(world, client):
    session = make_session(world.process, capacity=1)
    for user in people(3):
        registration.register(session, user)
    client.force_login(world.camila)
    start = timezone.localtime(session.starts_at)
    response = client.post(
        reverse("dialogues:session_edit", args=[session.pk]),
        {
            "kind": session.kind,
            "title": session.title,
            "mode": session.mode,
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "status": session.status,
            "capacity": 2,
        },
    )
    assert response.status_code == 302
    assert session.participations.filter(attendance=REGISTERED).count() == 2
    assert session.participations.filter(attendance=WAITLISTED).count() == 1


def test_a_coordinator_adds_people_without_accounts_and_they_take_places(world):
    session = make_session(world.process, capacity=1)
    added = registration.add_participant(
        session,
        world.camila,
        name="Rosa Quiñones",
        role=ParticipantRole.COMMUNITY_LEADER,
        attendance=REGISTERED,
    )
    assert added.attendance == REGISTERED
    late = registration.add_participant(
        session,
        world.camila,
        name="José Manquillo",
        role=ParticipantRole.COMMUNITY_LEADER,
        attendance=REGISTERED,
    )
    assert late.attendance == WAITLISTED
    with pytest.raises(PermissionDenied):
        registration.add_participant(session, world.luz, name="X", role=ParticipantRole.OBSERVER)


def test_only_the_person_or_a_coordinator_cancels_a_registration(world):
    session = make_session(world.process, capacity=3)
    user = people(1)[0]
    participation = registration.register(session, user)
    with pytest.raises(PermissionDenied):
        registration.cancel(participation, world.luz)
    registration.cancel(participation, world.camila)
    assert not session.participations.exists()


def test_registering_takes_the_role_held_in_the_territory(world):
    session = make_session(world.process)
    assert registration.register(session, world.luz).role == ParticipantRole.COMMUNITY_LEADER
    police = registration.register(session, world.pablo)
    assert (police.role, police.organisation) == (ParticipantRole.PROVIDER, world.police)
    assert registration.register(session, world.nadia).role == ParticipantRole.OBSERVER


def test_the_session_page_offers_the_waitlist_when_full(world, client):
    session = make_session(world.process, capacity=1)
    registration.register(session, world.luz)
    client.force_login(world.nadia)
    page = client.get(reverse("dialogues:session", args=[session.pk])).content.decode()
    assert 'data-testid="register"' in page
    client.post(reverse("dialogues:register", args=[session.pk]), {"public_listing": "on"})
    mine = session.participations.get(user=world.nadia)
    assert (mine.attendance, mine.public_listing) == (WAITLISTED, True)
    client.post(reverse("dialogues:cancel_registration", args=[session.pk]))
    assert not session.participations.filter(user=world.nadia).exists()
