"""Places at a session: registration, the waitlist, cancellation, check-in.

Rules:
- a session with ``capacity`` has that many places; registered and attending people
  take one each. Invited people do not, until they register themselves;
- registering when every place is taken puts the person on the waitlist, in order
  of registration;
- when someone holding a place cancels (or the coordinator adds places), the first
  people on the waitlist move up and are told so;
- registration closes when the session starts, and a cancelled or held session takes
  no registrations.

The session row is locked while places are counted, so that two people cannot take
the last place at the same time.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from convivencia.accounts import audit
from convivencia.accounts.choices import AuditAction, Role
from convivencia.accounts.models import Membership
from convivencia.core.notifications import notify_each
from convivencia.dialogues import services
from convivencia.dialogues.choices import Attendance, ParticipantRole, SessionStatus
from convivencia.dialogues.models import Participation, Session

TAKES_A_PLACE = (Attendance.REGISTERED, Attendance.ATTENDED)

# The role a person most likely plays at a session, from the roles they hold.
ROLE_FOR_MEMBERSHIP = [
    (Role.COMMUNITY_LEADER, ParticipantRole.COMMUNITY_LEADER),
    (Role.PROVIDER, ParticipantRole.PROVIDER),
    (Role.COORDINATOR, ParticipantRole.FACILITATOR),
]


def places_taken(session: Session) -> int:
    return session.participations.filter(attendance__in=TAKES_A_PLACE).count()


def places_left(session: Session) -> int | None:
    """None when the session has no limit."""
    if session.capacity is None:
        return None
    return max(0, session.capacity - places_taken(session))


def is_open(session: Session) -> bool:
    return session.status == SessionStatus.PLANNED and session.starts_at > timezone.now()


def _locked(session: Session) -> Session:
    return (
        Session.objects.select_for_update(of=("self",))  # not the process or territory
        .select_related("process__territory")
        .get(pk=session.pk)
    )


def _role_and_organisation(user, session: Session) -> tuple[str, int | None]:
    territory = session.process.territory
    memberships = (
        Membership.objects.active()
        .filter(user=user)
        .select_related("organisation")
        .prefetch_related("territories")
    )
    covering = [
        membership
        for membership in memberships
        if any(
            territory.is_within(t) or t.is_within(territory) for t in membership.territories.all()
        )
    ]
    for role, participant_role in ROLE_FOR_MEMBERSHIP:
        for membership in covering:
            if membership.role == role:
                return participant_role, membership.organisation_id
    first = covering[0] if covering else None
    return ParticipantRole.OBSERVER, first.organisation_id if first else None


def _attendance_for_newcomer(session: Session) -> str:
    if session.capacity is not None and places_taken(session) >= session.capacity:
        return Attendance.WAITLISTED
    return Attendance.REGISTERED


@transaction.atomic
def register(session: Session, user, *, public_listing: bool = False) -> Participation:
    """Register ``user``; a second registration returns the first one unchanged."""
    if not user.is_authenticated:
        raise PermissionDenied
    session = _locked(session)
    existing = Participation.objects.filter(session=session, user=user).first()
    if existing is not None and existing.attendance != Attendance.INVITED:
        return existing
    if not is_open(session):
        raise ValidationError(_("Registration for this session is closed."))
    attendance = _attendance_for_newcomer(session)
    now = timezone.now()
    if existing is not None:
        participation = existing
        participation.attendance = attendance
        participation.registered_at = now
        participation.public_listing = public_listing
        participation.save(update_fields=["attendance", "registered_at", "public_listing"])
        action = AuditAction.UPDATE
    else:
        role, organisation_id = _role_and_organisation(user, session)
        participation = Participation.objects.create(
            session=session,
            user=user,
            name=user.get_full_name() or user.get_username(),
            organisation_id=organisation_id,
            role=role,
            attendance=attendance,
            registered_at=now,
            public_listing=public_listing,
        )
        action = AuditAction.CREATE
    audit.record(action, participation, actor=user, changes={"attendance": attendance})
    return participation


@transaction.atomic
def add_participant(
    session: Session,
    actor,
    *,
    name: str,
    role: str,
    organisation=None,
    attendance: str = Attendance.INVITED,
    public_listing: bool = False,
) -> Participation:
    """A coordinator records someone (without an account, often): invited or registered."""
    session = _locked(session)
    if not services.can_run(actor, session.process):
        raise PermissionDenied
    if attendance == Attendance.REGISTERED:
        attendance = _attendance_for_newcomer(session)
    participation = Participation.objects.create(
        session=session,
        name=name.strip(),
        organisation=organisation,
        role=role,
        attendance=attendance,
        public_listing=public_listing,
        registered_at=timezone.now() if attendance != Attendance.INVITED else None,
    )
    audit.record(
        AuditAction.CREATE,
        participation,
        actor=actor,
        changes={"attendance": attendance, "role": role},
    )
    return participation


@transaction.atomic
def cancel(participation: Participation, actor) -> list[Participation]:
    """The person (or a coordinator) cancels; returns who moved up from the waitlist."""
    session = _locked(participation.session)
    if participation.user_id != getattr(actor, "pk", None) and not services.can_run(
        actor, session.process
    ):
        raise PermissionDenied
    audit.record(
        AuditAction.DELETE,
        participation,
        actor=actor,
        changes={"attendance": participation.attendance},
    )
    participation.delete()
    return fill_from_waitlist(session, actor)


def fill_from_waitlist(session: Session, actor=None) -> list[Participation]:
    """Move the first waitlisted people up while places are free; tell each of them.

    Call inside a transaction holding the session's lock (``cancel`` does; a session
    edit that adds places calls it after saving)."""
    waiting = session.participations.filter(attendance=Attendance.WAITLISTED).order_by(
        "registered_at", "pk"
    )
    if session.capacity is not None:
        waiting = waiting[: max(0, session.capacity - places_taken(session))]
    promoted = list(waiting)
    for participation in promoted:
        participation.attendance = Attendance.REGISTERED
        participation.save(update_fields=["attendance"])
        audit.record(
            AuditAction.UPDATE,
            participation,
            actor=actor,
            changes={"attendance": [Attendance.WAITLISTED, Attendance.REGISTERED]},
        )
    _tell_promoted(session, promoted)
    return promoted


def _tell_promoted(session: Session, promoted: list[Participation]) -> None:
    users = [participation.user for participation in promoted if participation.user_id]
    url = reverse("dialogues:session", args=[session.pk])

    def render(user):
        return (
            _("A place is free for you: %(title)s") % {"title": session.title},
            _("You were on the waitlist of “%(title)s” (%(when)s) and now have a place.")
            % {
                "title": session.title,
                "when": timezone.localtime(session.starts_at).strftime("%Y-%m-%d %H:%M"),
            },
            url,
        )

    notify_each(users, render)


@transaction.atomic
def check_in(participation: Participation, actor, *, attended: bool) -> Participation:
    """A coordinator marks who came (at the door) or who did not (afterwards)."""
    if not services.can_run(actor, participation.session.process):
        raise PermissionDenied
    before = participation.attendance
    if attended:
        participation.attendance = Attendance.ATTENDED
        participation.checked_in_at = participation.checked_in_at or timezone.now()
    else:
        participation.attendance = Attendance.NO_SHOW
        participation.checked_in_at = None
    participation.save(update_fields=["attendance", "checked_in_at"])
    audit.record(
        AuditAction.UPDATE,
        participation,
        actor=actor,
        changes=audit.diff({"attendance": before}, {"attendance": participation.attendance}),
    )
    return participation
