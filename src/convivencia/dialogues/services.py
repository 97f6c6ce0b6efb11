"""Follow-up of commitments: who may do what, updates, verification, roll-up, flags.

Rules:
- coordinators of the territory run processes and sessions and record commitments;
- members of the responsible organisation (any role, in a membership covering the
  commitment's territory) post updates — only for their organisation's commitments;
- community leaders of the territory confirm or dispute completion claims;
- every change is in the audit log; followers are notified of every update.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from convivencia.accounts import access, audit
from convivencia.accounts.choices import AuditAction, Role
from convivencia.accounts.models import Membership
from convivencia.core.notifications import notify_each
from convivencia.dialogues.choices import RollUp, Verdict
from convivencia.dialogues.models import (
    Commitment,
    CommitmentStatus,
    Evidence,
    Process,
    Update,
    Verification,
)

STALLED_AFTER_DAYS = 45
VERIFIED = "verified"
CANCELLED = "cancelled"


def can_run(user, process: Process) -> bool:
    return access.has_role(user, process.territory, Role.COORDINATOR)


def _member_covering(user, territory, **membership_filter) -> bool:
    """An explicit membership (not an administrator's reach) covering the territory."""
    if not user.is_authenticated:
        return False
    memberships = Membership.objects.active().filter(user=user, **membership_filter)
    for membership in memberships.prefetch_related("territories"):
        if any(territory.is_within(t) for t in membership.territories.all()):
            return True
    return False


def can_update(user, commitment: Commitment) -> bool:
    """A member of the responsible (or a co-responsible) organisation, in that territory."""
    organisations = {
        commitment.responsible_id,
        *commitment.co_responsible.values_list("pk", flat=True),
    }
    return _member_covering(user, commitment.territory, organisation__in=organisations)


def can_verify(user, commitment: Commitment) -> bool:
    """Only the community verifies: a community leader of the territory, never an admin."""
    return _member_covering(user, commitment.territory, role=Role.COMMUNITY_LEADER)


def _to_percent(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def rolled_up_progress(commitment: Commitment) -> int:
    """A commitment with sub-commitments takes its progress from them.

    Cancelled sub-commitments are left out: a part nobody will do any more must not
    hold the whole at a lower percentage for ever.
    """
    children = list(commitment.children.exclude(status__code=CANCELLED))
    if not children:
        return commitment.progress
    if commitment.roll_up == RollUp.WEIGHTED:
        total_weight = sum(child.weight for child in children)
        value = Decimal(sum(child.progress * child.weight for child in children)) / total_weight
    else:
        value = Decimal(sum(child.progress for child in children)) / len(children)
    return _to_percent(value)


def _roll_up_ancestors(commitment: Commitment) -> None:
    parent = commitment.parent
    while parent is not None:
        parent.progress = rolled_up_progress(parent)
        parent.save(update_fields=["progress"])
        parent = parent.parent


def roll_up_after_edit(commitment: Commitment, previous_parent_id: int | None) -> None:
    """A weight or parent changed: the parents' progress, old and new, follows."""
    _roll_up_ancestors(commitment)
    if previous_parent_id is not None and previous_parent_id != commitment.parent_id:
        previous = Commitment.objects.get(pk=previous_parent_id)
        previous.progress = rolled_up_progress(previous)
        previous.save(update_fields=["progress"])
        _roll_up_ancestors(previous)


def _notify_followers(commitment: Commitment, actor, describe: Callable[[], str]) -> None:
    """``describe`` is called inside each follower's language, so it says what happened
    in their words, not in the actor's."""
    url = reverse("dialogues:commitment", args=[commitment.pk])
    followers = commitment.followers.all()
    if actor is not None:
        followers = followers.exclude(pk=actor.pk)

    def render(user):
        return (
            _("%(reference)s: %(what)s") % {"reference": commitment.reference, "what": describe()},
            _("Commitment: %(title)s\nStatus: %(status)s, %(progress)s%%")
            % {
                "title": commitment.title,
                "status": commitment.status,
                "progress": commitment.progress,
            },
            url,
        )

    notify_each(followers, render)


def members_covering(territory, **membership_filter) -> list:
    """Active people with an explicit, active membership covering the territory.

    An administrator's reach does not count: these are the people whose job it is
    (the responsible organisation's staff there, the territory's community leaders).
    """
    memberships = (
        Membership.objects.active()
        .filter(user__is_active=True, **membership_filter)
        .select_related("user")
        .prefetch_related("territories")
    )
    people = {}
    for membership in memberships:
        if any(territory.is_within(t) for t in membership.territories.all()):
            people[membership.user.pk] = membership.user
    return [people[pk] for pk in sorted(people)]


def notify_assigned(commitment: Commitment, actor, already: Iterable[int] = ()) -> None:
    """Tell the members of each organisation newly responsible (or co-responsible) for the
    commitment, in its territory; ``already`` are the organisations that were before."""
    organisations = {
        commitment.responsible_id,
        *commitment.co_responsible.values_list("pk", flat=True),
    } - set(already)
    if not organisations:
        return
    people = [
        person
        for person in members_covering(commitment.territory, organisation__in=organisations)
        if actor is None or person.pk != actor.pk
    ]
    url = reverse("dialogues:commitment", args=[commitment.pk])

    def render(user):
        return (
            _("%(reference)s: a commitment for your organisation")
            % {"reference": commitment.reference},
            _(
                "Commitment: %(title)s\nResponsible: %(responsible)s\nTerritory: "
                "%(territory)s\nDue: %(due)s\nPost updates on its page as the work advances."
            )
            % {
                "title": commitment.title,
                "responsible": commitment.responsible,
                "territory": commitment.territory.name,
                "due": commitment.due_date.isoformat(),
            },
            url,
        )

    notify_each(people, render)


def _notify_claim(commitment: Commitment, update: Update) -> None:
    """A claim of completion awaits the community's verdict: tell the territory's leaders."""
    leaders = [
        person
        for person in members_covering(commitment.territory, role=Role.COMMUNITY_LEADER)
        if person.pk != update.posted_by_id
    ]
    url = reverse("dialogues:commitment", args=[commitment.pk]) + "#verify"

    def render(user):
        return (
            _("%(reference)s: done? The community's verdict is awaited")
            % {"reference": commitment.reference},
            _(
                "%(organisation)s reports the commitment as done: %(title)s\n"
                "Confirm it or dispute it on its page, saying why."
            )
            % {
                "organisation": update.organisation or commitment.responsible,
                "title": commitment.title,
            },
            url,
        )

    notify_each(leaders, render)


def _acting_for(user, commitment: Commitment) -> int:
    """The organisation the update is posted for: the responsible one when the user is a
    member of it, else the co-responsible one they belong to (it answered for its part)."""
    organisations = [
        commitment.responsible_id,
        *commitment.co_responsible.values_list("pk", flat=True),
    ]
    held = set(
        Membership.objects.active()
        .filter(user=user, organisation__in=organisations)
        .values_list("organisation", flat=True)
    )
    return next((pk for pk in organisations if pk in held), commitment.responsible_id)


@transaction.atomic
def post_update(
    commitment: Commitment,
    user,
    *,
    status: CommitmentStatus,
    description: str,
    progress: int | None = None,
    files=(),
) -> Update:
    if not can_update(user, commitment):
        raise PermissionDenied
    if commitment.status.is_final:
        raise ValidationError(_("This commitment is closed; no more updates can be posted."))
    if not description.strip():
        raise ValidationError(_("Say what was done."))
    if progress is None:
        progress = status.default_progress
    if not 0 <= progress <= 100:
        raise ValidationError(_("Progress is a percentage from 0 to 100."))
    if status.is_final and not user.is_superuser and not can_run(user, commitment.process):
        raise ValidationError(
            _(
                "Only the community's confirmation or a coordinator closes a "
                "commitment; report it as done instead."
            )
        )
    organisation = _acting_for(user, commitment)
    update = Update.objects.create(
        commitment=commitment,
        posted_by=user,
        organisation_id=organisation,
        status=status,
        progress=progress,
        description=description.strip(),
    )
    for uploaded in files:
        Evidence.objects.create(update=update, file=uploaded, title=uploaded.name[:200])
    before = {"status": commitment.status.code, "progress": commitment.progress}
    commitment.status = status
    commitment.progress = progress
    commitment.last_update_at = update.posted_at
    commitment.save(update_fields=["status", "progress", "last_update_at"])
    _roll_up_ancestors(commitment)
    audit.record(
        AuditAction.UPDATE,
        commitment,
        actor=user,
        changes=audit.diff(before, {"status": status.code, "progress": progress}),
    )
    commitment.followers.add(user)
    _notify_followers(
        commitment, user, lambda: _("new update (%(progress)s%%)") % {"progress": progress}
    )
    if status.claims_completion:
        _notify_claim(commitment, update)
    return update


@transaction.atomic
def cancel(commitment: Commitment, user, reason: str) -> Update:
    """A coordinator cancels a commitment nobody will carry out, saying why, in the timeline."""
    if not can_run(user, commitment.process):
        raise PermissionDenied
    if commitment.status.is_final:
        raise ValidationError(_("This commitment is already closed."))
    if not reason.strip():
        raise ValidationError(_("Say why it is cancelled: the community will read it."))
    cancelled = CommitmentStatus.objects.get(code=CANCELLED)
    update = Update.objects.create(
        commitment=commitment,
        posted_by=user,
        organisation=None,
        status=cancelled,
        progress=commitment.progress,
        description=reason.strip(),
    )
    before = {"status": commitment.status.code}
    commitment.status = cancelled
    commitment.last_update_at = update.posted_at
    commitment.save(update_fields=["status", "last_update_at"])
    _roll_up_ancestors(commitment)
    audit.record(
        AuditAction.UPDATE,
        commitment,
        actor=user,
        changes=audit.diff(before, {"status": CANCELLED, "reason": reason.strip()}),
    )
    _notify_followers(commitment, user, lambda: str(cancelled))
    return update


def follow(commitment: Commitment, user, *, on: bool) -> None:
    """Followers hear of every update and verdict; anyone who may see it may follow it."""
    if on == commitment.followers.filter(pk=user.pk).exists():
        return
    if on:
        commitment.followers.add(user)
    else:
        commitment.followers.remove(user)
    audit.record(AuditAction.UPDATE, commitment, actor=user, changes={"following": on})


def open_claim(commitment: Commitment) -> Update | None:
    """The latest update that claims completion, if it is the latest update."""
    latest = commitment.updates.select_related("status").order_by("-posted_at", "-pk").first()
    if latest is not None and latest.status.claims_completion:
        return latest
    return None


@transaction.atomic
def verify(update: Update, leader, verdict: str, comment: str) -> Verification:
    commitment = update.commitment
    if not can_verify(leader, commitment):
        raise PermissionDenied
    if not update.status.claims_completion:
        raise ValidationError(_("Only a completion claim can be confirmed or disputed."))
    if open_claim(commitment) != update:
        # A newer update replaced the claim: a verdict on the old one would be read as
        # a verdict on the commitment as it stands now.
        raise ValidationError(_("Only the latest completion claim can be confirmed or disputed."))
    if verdict not in Verdict.values:
        raise ValidationError(_("Choose confirm or dispute."))
    if not comment.strip():
        raise ValidationError(
            _("Say why, in a few words: the people who made the commitment will read it.")
        )
    verification, created = Verification.objects.update_or_create(
        update=update,
        leader=leader,
        defaults={"verdict": verdict, "comment": comment.strip()},
    )
    audit.record(
        AuditAction.CREATE if created else AuditAction.UPDATE,
        commitment,
        actor=leader,
        changes={"verification": verdict, "comment": comment.strip()},
    )
    state = verification_state(commitment)
    if state == Verdict.CONFIRMED and commitment.status.code != VERIFIED:
        commitment.status = CommitmentStatus.objects.get(code=VERIFIED)
        commitment.progress = 100
        commitment.save(update_fields=["status", "progress"])
        _roll_up_ancestors(commitment)
    elif state == Verdict.DISPUTED and commitment.status.code == VERIFIED:
        # Another leader disputes what one confirmed: the claim is open again, as the
        # claim itself stated it, until the community agrees.
        commitment.status = update.status
        commitment.progress = update.progress
        commitment.save(update_fields=["status", "progress"])
        _roll_up_ancestors(commitment)
    commitment.followers.add(leader)
    _notify_followers(commitment, leader, lambda: str(Verdict(verdict).label))
    return verification


def verification_state(commitment: Commitment) -> str | None:
    """confirmed / disputed / pending for the latest completion claim; None without one."""
    claim = (
        commitment.updates.filter(status__claims_completion=True)
        .order_by("-posted_at", "-pk")
        .first()
    )
    if claim is None:
        return None
    verdicts = set(claim.verifications.values_list("verdict", flat=True))
    if Verdict.DISPUTED in verdicts:
        return Verdict.DISPUTED
    if Verdict.CONFIRMED in verdicts:
        return Verdict.CONFIRMED
    return "pending"


@dataclass
class Flags:
    overdue: bool
    stalled: bool
    days_overdue: int


def flags(
    commitment: Commitment,
    today: datetime.date | None = None,
    stalled_after: int = STALLED_AFTER_DAYS,
) -> Flags:
    """Overdue: an open commitment past its due date (due today is not overdue).
    Stalled: open, and no update for ``stalled_after`` days (counting from creation)."""
    today = today or timezone.localdate()
    is_open = not commitment.status.is_final
    overdue = is_open and commitment.due_date < today
    last = commitment.last_update_at or commitment.created_at
    stalled = is_open and (today - timezone.localdate(last)).days >= stalled_after
    return Flags(
        overdue=overdue,
        stalled=stalled,
        days_overdue=(today - commitment.due_date).days if overdue else 0,
    )


def stalled(queryset, today: datetime.date | None = None, stalled_after: int = STALLED_AFTER_DAYS):
    today = today or timezone.localdate()
    cutoff = timezone.make_aware(
        datetime.datetime.combine(
            today - datetime.timedelta(days=stalled_after - 1), datetime.time.min
        )
    )
    return queryset.open().filter(
        Q(last_update_at__lt=cutoff) | Q(last_update_at__isnull=True, created_at__lt=cutoff)
    )


def verification_states(commitments: Iterable[Commitment]) -> dict[int, str | None]:
    """``verification_state`` for many commitments in two queries (boards, lists, the API)."""
    ids = [commitment.pk for commitment in commitments]
    latest_claim: dict[int, int] = {}
    claims = (
        Update.objects.filter(commitment_id__in=ids, status__claims_completion=True)
        .order_by("commitment_id", "-posted_at", "-pk")
        .values_list("commitment_id", "pk")
    )
    for commitment_id, update_id in claims:
        latest_claim.setdefault(commitment_id, update_id)
    verdicts: dict[int, set[str]] = defaultdict(set)
    rows = Verification.objects.filter(update_id__in=latest_claim.values()).values_list(
        "update_id", "verdict"
    )
    for update_id, verdict in rows:
        verdicts[update_id].add(verdict)
    states: dict[int, str | None] = {}
    for pk in ids:
        claim = latest_claim.get(pk)
        if claim is None:
            states[pk] = None
        elif Verdict.DISPUTED in verdicts[claim]:
            states[pk] = Verdict.DISPUTED
        elif Verdict.CONFIRMED in verdicts[claim]:
            states[pk] = Verdict.CONFIRMED
        else:
            states[pk] = "pending"
    return states
