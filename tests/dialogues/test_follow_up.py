"""Commitments followed until the community confirms them; dates and roll-ups at their edges."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from convivencia.accounts.models import AuditEntry
from convivencia.dialogues import services
from convivencia.dialogues.choices import RollUp, Verdict
from convivencia.dialogues.models import Commitment
from tests.dialogues.builders import make_commitment, make_world, status


@pytest.fixture
def world(db):
    return make_world()


def test_the_responsible_organisation_posts_updates_and_others_cannot(world):
    commitment = make_commitment(world)
    update = services.post_update(
        commitment,
        world.pablo,
        status=status("in_progress"),
        description="Dos patrullajes por semana",
    )
    commitment.refresh_from_db()
    assert (commitment.status.code, commitment.progress) == ("in_progress", 25)
    assert update.organisation == world.police
    for outsider in (world.pedro, world.luz, world.camila):
        with pytest.raises(PermissionDenied):
            services.post_update(
                commitment, outsider, status=status("in_progress"), description="x"
            )
    assert AuditEntry.objects.about(commitment).count() == 1


def test_updates_are_append_only(world):
    update = services.post_update(
        make_commitment(world), world.pablo, status=status("in_progress"), description="Avance"
    )
    update.progress = 90
    with pytest.raises(ValueError, match="append-only"):
        update.save()


def test_a_provider_cannot_close_a_commitment_alone(world):
    with pytest.raises(ValidationError):
        services.post_update(
            make_commitment(world), world.pablo, status=status("verified"), description="Listo"
        )


def test_a_community_leader_confirms_a_completion_claim_and_the_commitment_is_verified(world):
    commitment = make_commitment(world)
    claim = services.post_update(
        commitment, world.pablo, status=status("reported_done"), description="Patrullajes cumplidos"
    )
    assert services.verification_state(commitment) == "pending"
    services.verify(claim, world.luz, Verdict.CONFIRMED, "Los vimos pasar cada noche")
    commitment.refresh_from_db()
    assert commitment.status.code == "verified" and commitment.progress == 100
    assert services.verification_state(commitment) == Verdict.CONFIRMED


def test_a_dispute_keeps_the_commitment_open_and_is_visible(world):
    commitment = make_commitment(world)
    claim = services.post_update(
        commitment, world.pablo, status=status("reported_done"), description="Cumplido"
    )
    services.verify(claim, world.luz, Verdict.DISPUTED, "Solo vinieron una vez")
    commitment.refresh_from_db()
    assert commitment.status.code == "reported_done"
    assert services.verification_state(commitment) == Verdict.DISPUTED


def test_only_leaders_of_the_territory_verify_and_never_an_administrator(world):
    from tests.factories import make_user

    commitment = make_commitment(world)
    claim = services.post_update(
        commitment, world.pablo, status=status("reported_done"), description="Cumplido"
    )
    admin = make_user("ana", is_superuser=True)
    for person in (world.lucia, world.pablo, world.camila, admin):
        with pytest.raises(PermissionDenied):
            services.verify(claim, person, Verdict.CONFIRMED, "Sí")
    with pytest.raises(ValidationError):
        services.verify(claim, world.luz, Verdict.CONFIRMED, "   ")


def test_a_progress_update_is_not_a_claim_to_verify(world):
    update = services.post_update(
        make_commitment(world), world.pablo, status=status("in_progress"), description="Avance"
    )
    with pytest.raises(ValidationError):
        services.verify(update, world.luz, Verdict.CONFIRMED, "Sí")


@pytest.mark.parametrize(
    ("roll_up", "expected"),
    [(RollUp.WEIGHTED, 75), (RollUp.AVERAGE, 50)],  # (100×3 + 0×1)/4 and (100 + 0)/2
)
def test_sub_commitments_roll_up_weighted_or_averaged(world, roll_up, expected):
    parent = make_commitment(world, "C-1", roll_up=roll_up)
    big = make_commitment(world, "C-1.1", parent=parent, weight=3)
    make_commitment(world, "C-1.2", parent=parent, weight=1)
    services.post_update(big, world.pablo, status=status("reported_done"), description="Hecho")
    parent.refresh_from_db()
    assert parent.progress == expected


def test_overdue_is_strictly_after_the_due_date_and_never_for_closed_ones(world):
    today = datetime.date(2025, 3, 10)
    due_today = make_commitment(world, "A", due=today)
    due_yesterday = make_commitment(world, "B", due=today - datetime.timedelta(days=1))
    assert not services.flags(due_today, today).overdue
    assert services.flags(due_yesterday, today).overdue
    assert services.flags(due_yesterday, today).days_overdue == 1
    assert list(Commitment.objects.overdue(today)) == [due_yesterday]
    due_yesterday.status = status("verified")
    due_yesterday.save()
    assert not services.flags(due_yesterday, today).overdue
    assert list(Commitment.objects.overdue(today)) == []


def test_stalled_means_no_update_for_the_given_number_of_days(world):
    commitment = make_commitment(world)
    now = timezone.now()
    Commitment.objects.filter(pk=commitment.pk).update(
        created_at=now - datetime.timedelta(days=60),
        last_update_at=now - datetime.timedelta(days=44),
    )
    commitment.refresh_from_db()
    today = timezone.localdate()
    assert not services.flags(commitment, today, stalled_after=45).stalled
    assert services.flags(commitment, today + datetime.timedelta(days=1), 45).stalled
    assert list(
        services.stalled(Commitment.objects.all(), today + datetime.timedelta(days=1), 45)
    ) == [commitment]
    assert list(services.stalled(Commitment.objects.all(), today, 45)) == []


def test_followers_are_notified_in_app_and_by_email(world):
    world.luz.email = "luz@example.org"
    world.luz.save()
    commitment = make_commitment(world)
    commitment.followers.add(world.luz)
    services.post_update(
        commitment, world.pablo, status=status("in_progress"), description="Avance"
    )
    assert world.luz.notifications.count() == 1
    assert mail.outbox[0].to == ["luz@example.org"]
    assert world.pablo.notifications.count() == 0  # not told of their own update


def test_a_cancelled_sub_commitment_no_longer_holds_its_parent_back(world):
    parent = make_commitment(world, "C-1")
    done = make_commitment(world, "C-1.1", parent=parent)
    dropped = make_commitment(world, "C-1.2", parent=parent)
    services.post_update(done, world.pablo, status=status("reported_done"), description="Hecho")
    parent.refresh_from_db()
    assert parent.progress == 50
    services.cancel(dropped, world.camila, "Lo asumió la Alcaldía")
    parent.refresh_from_db()
    assert parent.progress == 100


def test_a_dispute_after_a_confirmation_reopens_the_commitment(world):
    from tests.factories import grant, make_user

    commitment = make_commitment(world)
    claim = services.post_update(
        commitment, world.pablo, status=status("reported_done"), description="Hecho"
    )
    services.verify(claim, world.luz, Verdict.CONFIRMED, "Sí")
    other_leader = make_user("mario")
    grant(other_leader, world.community, "community_leader", [world.places.popayan])
    services.verify(claim, other_leader, Verdict.DISPUTED, "En mi cuadra no")
    commitment.refresh_from_db()
    assert commitment.status.code == "reported_done"
    assert services.verification_state(commitment) == Verdict.DISPUTED


def test_only_the_latest_claim_can_be_verified(world):
    commitment = make_commitment(world)
    old = services.post_update(
        commitment, world.pablo, status=status("reported_done"), description="Hecho"
    )
    services.post_update(
        commitment, world.pablo, status=status("in_progress"), description="Faltaba una cuadra"
    )
    with pytest.raises(ValidationError):
        services.verify(old, world.luz, Verdict.CONFIRMED, "Sí")


def test_followers_are_told_in_their_own_language(world):
    world.luz.email, world.luz.preferred_language = "luz@example.org", "en"
    world.luz.save()
    world.pablo.preferred_language = "es"
    world.pablo.save()
    commitment = make_commitment(world)
    commitment.followers.add(world.luz)
    services.post_update(
        commitment, world.pablo, status=status("in_progress"), description="Avance", progress=30
    )
    assert world.luz.notifications.get().title == "C-1: new update (30%)"


def test_verification_states_for_many_commitments_match_one_by_one(world):
    quiet = make_commitment(world, "C-1")
    pending = make_commitment(world, "C-2")
    services.post_update(pending, world.pablo, status=status("reported_done"), description="Hecho")
    disputed = make_commitment(world, "C-3")
    claim = services.post_update(
        disputed, world.pablo, status=status("reported_done"), description="Hecho"
    )
    services.verify(claim, world.luz, Verdict.DISPUTED, "No")
    many = services.verification_states([quiet, pending, disputed])
    assert many == {c.pk: services.verification_state(c) for c in (quiet, pending, disputed)}
    assert list(many.values()) == [None, "pending", Verdict.DISPUTED]
