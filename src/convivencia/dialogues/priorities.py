"""Participatory priorities: participants rank the concerns, a Borda count orders them,
and the community may choose to measure the top ones.

Counting (the modified Borda count): a ballot that ranks m concerns gives m points to
its first, m − 1 to its second … and 1 to its last; concerns left unranked get
nothing. Ranking more concerns therefore gives each of them more weight, so nobody
gains by ranking only their favourite. Ties are broken by first places, then by title.

Each participant casts one ballot per session; casting again replaces it. Who voted
how stays in the votes table only: the audit log records that a ballot was cast.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from convivencia.accounts import audit
from convivencia.accounts.choices import AuditAction
from convivencia.dialogues import services
from convivencia.dialogues.choices import Attendance, SessionStatus
from convivencia.dialogues.models import Concern, Session, Vote

VOTER_ATTENDANCE = (Attendance.REGISTERED, Attendance.ATTENDED)

# What a local panel item built from a concern asks, by kind.
SEVERITY_CHOICES = [
    (1, {"es": "No es un problema", "en": "Not a problem", "pt": "Não é um problema"}),
    (2, {"es": "Un problema menor", "en": "A minor problem", "pt": "Um problema menor"}),
    (3, {"es": "Un problema serio", "en": "A serious problem", "pt": "Um problema sério"}),
    (
        4,
        {
            "es": "Un problema muy serio",
            "en": "A very serious problem",
            "pt": "Um problema muito sério",
        },
    ),
]
ITEM_KINDS = ("yes_no", "scale")


@dataclass
class Standing:
    concern: Concern
    points: int
    ballots: int
    first_places: int
    position: int = 0


def can_vote(user, session: Session) -> bool:
    """People registered for (or present at) the session, while it is not cancelled."""
    if not user.is_authenticated or session.status == SessionStatus.CANCELLED:
        return False
    return session.participations.filter(user=user, attendance__in=VOTER_ATTENDANCE).exists()


def ballot_of(session: Session, user) -> dict[int, int]:
    if not user.is_authenticated:
        return {}
    return dict(Vote.objects.filter(session=session, voter=user).values_list("concern_id", "rank"))


@transaction.atomic
def cast_ballot(session: Session, user, ranking: Mapping[int, int | None]) -> list[Vote]:
    """``ranking``: {concern id: rank from 1, or None for unranked}."""
    if not can_vote(user, session):
        raise PermissionDenied
    chosen = {concern_id: rank for concern_id, rank in ranking.items() if rank}
    if not chosen:
        raise ValidationError(_("Rank at least one concern."))
    known = set(session.process.concerns.values_list("pk", flat=True))
    if set(chosen) - known:
        raise ValidationError(_("Only the concerns of this process can be ranked."))
    if sorted(chosen.values()) != list(range(1, len(chosen) + 1)):
        raise ValidationError(
            _("Number the concerns you rank 1, 2, 3… with no gaps and no number used twice.")
        )
    replaced = Vote.objects.filter(session=session, voter=user)
    had_ballot = replaced.exists()
    replaced.delete()
    votes = Vote.objects.bulk_create(
        Vote(session=session, concern_id=concern_id, voter=user, rank=rank)
        for concern_id, rank in sorted(chosen.items(), key=lambda pair: pair[1])
    )
    audit.record(
        AuditAction.UPDATE if had_ballot else AuditAction.CREATE,
        session,
        actor=user,
        changes={"ballot": _("a ballot ranking %(n)s concerns") % {"n": len(chosen)}},
    )
    return votes


def ballots_cast(session: Session) -> int:
    return Vote.objects.filter(session=session).values("voter").distinct().count()


def _standings(votes: QuerySet[Vote], concerns: list[Concern]) -> list[Standing]:
    ranks_by_ballot: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for session_id, voter_id, concern_id, rank in votes.values_list(
        "session_id", "voter_id", "concern_id", "rank"
    ):
        ranks_by_ballot[(session_id, voter_id)].append((concern_id, rank))
    by_concern = {concern.pk: Standing(concern, 0, 0, 0) for concern in concerns}
    for ranked in ranks_by_ballot.values():
        size = len(ranked)
        for concern_id, rank in ranked:
            standing = by_concern.get(concern_id)
            if standing is None:
                continue
            standing.points += size - rank + 1
            standing.ballots += 1
            standing.first_places += rank == 1
    ordered = sorted(
        by_concern.values(), key=lambda s: (-s.points, -s.first_places, s.concern.title)
    )
    for position, standing in enumerate(ordered, start=1):
        standing.position = position
    return ordered


def standings(session: Session) -> list[Standing]:
    """The concerns of the process ordered by the session's Borda count."""
    concerns = list(session.process.concerns.all())
    return _standings(Vote.objects.filter(session=session), concerns)


def process_standings(process) -> list[Standing]:
    """Every session's ballots of the process counted together (for agenda proposals)."""
    concerns = list(process.concerns.all())
    return _standings(Vote.objects.filter(session__process=process), concerns)


def panels_for(concern: Concern):
    from convivencia.panels.models import Panel

    territory = concern.process.territory
    return (
        Panel.objects.filter(territory__path__startswith=territory.path)
        .select_related("territory", "questionnaire")
        .order_by("code")
    )


def local_item_spec(code: str, wording: str, kind: str) -> dict:
    """What ``panels.local_items.add_local_items`` needs for a concern's item.

    Both kinds are reverse-coded, as the panel's own insecurity items are: a high
    score means "better", so that "% favourable" reads the same way everywhere.
    """
    texts = {(get_language() or "es")[:2]: wording.strip()}
    if kind == "yes_no":
        return {
            "code": code,
            "type": "yes_no",
            "wording": texts,
            "reverse_coded": True,
            "top_min": 1,
        }
    if kind == "scale":
        return {
            "code": code,
            "type": "scale",
            "wording": texts,
            "scale_min": 1,
            "scale_max": 4,
            "top_min": 3,
            "reverse_coded": True,
            "choices": SEVERITY_CHOICES,
        }
    raise ValidationError(_("Choose a yes/no question or a 1–4 scale."))


@transaction.atomic
def monitor_in_panel(concern: Concern, panel, actor, *, code: str, wording: str, kind: str):
    """The community chose to measure the concern: it becomes a local panel item."""
    from convivencia.panels import local_items

    if not services.can_run(actor, concern.process):
        raise PermissionDenied
    if not panel.territory.is_within(concern.process.territory):
        raise ValidationError(_("Choose a panel of the process's territory."))
    questionnaire = local_items.add_local_items(
        panel, [local_item_spec(code, wording, kind)], actor
    )
    before = concern.monitored_item_code
    concern.monitored_item_code = code
    concern.save(update_fields=["monitored_item_code"])
    audit.record(
        AuditAction.UPDATE,
        concern,
        actor=actor,
        changes={"monitored_item_code": [before, code], "panel": panel.code},
    )
    return questionnaire


@transaction.atomic
def follow_with_indicator(concern: Concern, indicator, actor) -> Concern:
    if not services.can_run(actor, concern.process):
        raise PermissionDenied
    before = concern.monitored_indicator.code if concern.monitored_indicator else None
    concern.monitored_indicator = indicator
    concern.save(update_fields=["monitored_indicator"])
    audit.record(
        AuditAction.UPDATE,
        concern,
        actor=actor,
        changes={"monitored_indicator": [before, indicator.code if indicator else None]},
    )
    return concern
