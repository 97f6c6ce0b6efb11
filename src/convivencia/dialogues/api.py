"""/api/v1/dialogues/: dialogue processes, sessions, commitments and their updates (read only).

The same rules as the pages: anonymous callers see published processes only; a
signed-in caller also sees the processes and commitments of the territories where
they hold a role. Anything else answers 404, like a record that does not exist.
No endpoint names people: updates say which organisation posted them, verdicts are
counted, and participants are given as counts by role and attendance.
"""

# No `from __future__ import annotations` here: ninja reads the endpoint
# signatures at import time and cannot resolve string annotations.
import datetime
from collections import Counter
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from convivencia.api.errors import ApiError, ErrorBody, invalid
from convivencia.api.pagination import PageNumberPagination
from convivencia.dialogues import agenda, permissions, registration, services
from convivencia.dialogues.choices import Phase, Verdict
from convivencia.dialogues.models import (
    Commitment,
    CommitmentQuerySet,
    Process,
    Session,
    Update,
)
from convivencia.territories.models import Territory

router = Router(tags=["dialogues"])

ERRORS = {400: ErrorBody, 401: ErrorBody, 404: ErrorBody}


class Ref(Schema):
    id: int
    name: str


def _ref(obj: Any) -> dict[str, Any]:
    return {"id": obj.pk, "name": getattr(obj, "name", None) or str(obj)}


def _absolute(context: dict[str, Any], name: str, pk: int) -> str:
    return context["request"].build_absolute_uri(reverse(name, args=[pk]))


# --- processes ---------------------------------------------------------------------------


class ProcessOut(Schema):
    id: int
    title: str
    phase: str = Field(
        description="scoping, characterization, convening, dialogue, "
        "action_planning, implementation, review or closed."
    )
    territory: Ref
    is_published: bool = Field(description="Its follow-up is public.")
    plan_name: str = Field(description="The security plan it feeds, e.g. PISCC Popayán 2024–2027.")
    plan_line: str
    plan_programme: str
    partners: list[Ref]
    sessions_count: int
    commitments_count: int
    url: str = Field(description="The process's page on the website.")

    @staticmethod
    def resolve_territory(process: Process) -> dict[str, Any]:
        return _ref(process.territory)

    @staticmethod
    def resolve_partners(process: Process) -> list[dict[str, Any]]:
        return [_ref(partner) for partner in process.partners.all()]

    @staticmethod
    def resolve_url(process: Process, context: dict[str, Any]) -> str:
        return _absolute(context, "dialogues:process", process.pk)


class ProcessDetailOut(ProcessOut):
    description: str
    created_at: datetime.datetime


class ProcessFilters(Schema):
    territory: int | None = Field(
        None, description="Processes in this territory id or anywhere below it."
    )
    phase: Phase | None = None


def _within(territory_id: int, parameter: str) -> Territory:
    territory = Territory.objects.filter(pk=territory_id).first()
    if territory is None:
        raise invalid(
            ("query", parameter), _("No territory has the id %(id)d.") % {"id": territory_id}
        )
    return territory


def _processes(request: HttpRequest) -> QuerySet[Process]:
    return (
        permissions.visible_processes(request.user)
        .select_related("territory")
        .prefetch_related("partners")
        .annotate(
            sessions_count=Count("sessions", distinct=True),
            commitments_count=Count("commitments", distinct=True),
        )
    )


@router.get(
    "/processes/",
    response={200: list[ProcessOut], **ERRORS},
    url_name="dialogue-process-list",
    summary="Dialogue processes you may see",
)
@paginate(PageNumberPagination)
def list_processes(request: HttpRequest, filters: Query[ProcessFilters]) -> QuerySet[Process]:
    """Published processes, and those of the territories where you hold a role; newest first."""
    processes = _processes(request)
    if filters.territory is not None:
        territory = _within(filters.territory, "territory")
        processes = processes.filter(territory__path__startswith=territory.path)
    if filters.phase is not None:
        processes = processes.filter(phase=filters.phase)
    return processes.order_by("-created_at", "-pk")


@router.get(
    "/processes/{int:process_id}/",
    response={200: ProcessDetailOut, **ERRORS},
    url_name="dialogue-process-detail",
    summary="One dialogue process",
)
def get_process(request: HttpRequest, process_id: int) -> Process:
    process = _processes(request).filter(pk=process_id).first()
    if process is None:
        raise ApiError(404, _("Not found."))
    return process


# --- sessions ----------------------------------------------------------------------------


class AgendaItemOut(Schema):
    title: str
    minutes: int = Field(description="Its own duration, or its sub-points' together.")
    depth: int = Field(description="0 for a point, 1 for a sub-point, and so on.")
    origin: str = Field(description="manual, panel, indicator or concern.")
    evidence: str = Field(description="The figure behind an item proposed from the data.")


class SessionOut(Schema):
    id: int
    process: int
    kind: str = Field(description="community, providers, joint, high_level or workshop.")
    mode: str
    title: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    venue: str
    status: str = Field(description="planned, held or cancelled.")
    capacity: int | None = Field(description="Places; null for no limit.")
    url: str

    @staticmethod
    def resolve_process(session: Session) -> int:
        return session.process_id

    @staticmethod
    def resolve_url(session: Session, context: dict[str, Any]) -> str:
        return _absolute(context, "dialogues:session", session.pk)


class SessionDetailOut(SessionOut):
    places_left: int | None
    participants_by_role: dict[str, int] = Field(description="Counts only: names are personal.")
    participants_by_attendance: dict[str, int]
    agenda: list[AgendaItemOut] = Field(description="Accepted items, in order.")
    curriculum_module: str
    trainers: str

    @staticmethod
    def resolve_places_left(session: Session) -> int | None:
        return registration.places_left(session)

    @staticmethod
    def resolve_participants_by_role(session: Session) -> dict[str, int]:
        return dict(Counter(session.participations.values_list("role", flat=True)))

    @staticmethod
    def resolve_participants_by_attendance(session: Session) -> dict[str, int]:
        return dict(Counter(session.participations.values_list("attendance", flat=True)))

    @staticmethod
    def resolve_agenda(session: Session) -> list[dict[str, Any]]:
        nodes, _total = agenda.tree(session)
        return [
            {
                "title": node.item.title,
                "minutes": node.minutes,
                "depth": node.depth,
                "origin": node.item.origin,
                "evidence": node.item.evidence,
            }
            for node in agenda.flatten(nodes)
        ]


class SessionFilters(Schema):
    process: int | None = None
    territory: int | None = Field(
        None, description="Sessions of processes in this territory id or below it."
    )
    starts_after: datetime.date | None = Field(None, description="On or after this day.")
    starts_before: datetime.date | None = Field(None, description="Before this day.")


@router.get(
    "/sessions/",
    response={200: list[SessionOut], **ERRORS},
    url_name="dialogue-session-list",
    summary="Sessions you may see",
)
@paginate(PageNumberPagination)
def list_sessions(request: HttpRequest, filters: Query[SessionFilters]) -> QuerySet[Session]:
    """Ordered by start time."""
    sessions = permissions.visible_sessions(request.user)
    if filters.process is not None:
        sessions = sessions.filter(process_id=filters.process)
    if filters.territory is not None:
        territory = _within(filters.territory, "territory")
        sessions = sessions.filter(process__territory__path__startswith=territory.path)
    if filters.starts_after is not None:
        sessions = sessions.filter(starts_at__date__gte=filters.starts_after)
    if filters.starts_before is not None:
        sessions = sessions.filter(starts_at__date__lt=filters.starts_before)
    return sessions.order_by("starts_at", "pk")


@router.get(
    "/sessions/{int:session_id}/",
    response={200: SessionDetailOut, **ERRORS},
    url_name="dialogue-session-detail",
    summary="One session, its agenda and counts",
)
def get_session(request: HttpRequest, session_id: int) -> Session:
    session = permissions.visible_sessions(request.user).filter(pk=session_id).first()
    if session is None:
        raise ApiError(404, _("Not found."))
    return session


# --- commitments -------------------------------------------------------------------------


class StatusOut(Schema):
    code: str
    name: str
    is_final: bool
    claims_completion: bool = Field(description="Moving here asks the community to verify.")


class CommitmentOut(Schema):
    id: int
    reference: str
    title: str
    process: int
    territory: Ref
    responsible: Ref
    co_responsible: list[Ref]
    status: StatusOut
    progress: int = Field(description="0–100; from the sub-commitments when it has some.")
    start_date: datetime.date | None
    due_date: datetime.date
    overdue: bool = Field(description="Open and past its due date (due today is not overdue).")
    days_overdue: int
    stalled: bool = Field(
        description=f"Open, and no update for {services.STALLED_AFTER_DAYS} days."
    )
    verification_state: str | None = Field(
        description="The community's verdict on the latest completion claim: confirmed, "
        "disputed or pending; null when nothing was claimed."
    )
    last_update_at: datetime.datetime | None
    parent: int | None
    url: str

    @staticmethod
    def resolve_process(commitment: Commitment) -> int:
        return commitment.process_id

    @staticmethod
    def resolve_territory(commitment: Commitment) -> dict[str, Any]:
        return _ref(commitment.territory)

    @staticmethod
    def resolve_responsible(commitment: Commitment) -> dict[str, Any]:
        return _ref(commitment.responsible)

    @staticmethod
    def resolve_co_responsible(commitment: Commitment) -> list[dict[str, Any]]:
        return [_ref(organisation) for organisation in commitment.co_responsible.all()]

    @staticmethod
    def resolve_status(commitment: Commitment) -> dict[str, Any]:
        status = commitment.status
        return {
            "code": status.code,
            "name": str(status),
            "is_final": status.is_final,
            "claims_completion": status.claims_completion,
        }

    @staticmethod
    def resolve_overdue(commitment: Commitment) -> bool:
        # Set by attach_flags for this schema; not model fields.
        return commitment.api_flags.overdue  # type: ignore[attr-defined]

    @staticmethod
    def resolve_days_overdue(commitment: Commitment) -> int:
        # Set by attach_flags for this schema; not model fields.
        return commitment.api_flags.days_overdue  # type: ignore[attr-defined]

    @staticmethod
    def resolve_stalled(commitment: Commitment) -> bool:
        # Set by attach_flags for this schema; not model fields.
        return commitment.api_flags.stalled  # type: ignore[attr-defined]

    @staticmethod
    def resolve_verification_state(commitment: Commitment) -> str | None:
        # Set by attach_flags for this schema; not model fields.
        return commitment.api_state  # type: ignore[attr-defined]

    @staticmethod
    def resolve_parent(commitment: Commitment) -> int | None:
        return commitment.parent_id

    @staticmethod
    def resolve_url(commitment: Commitment, context: dict[str, Any]) -> str:
        return _absolute(context, "dialogues:commitment", commitment.pk)


class CommitmentDetailOut(CommitmentOut):
    description: str
    verification: str = Field(description="How completion will be verified.")
    concern: str | None
    panel_item_code: str
    indicator: str | None
    weight: int

    @staticmethod
    def resolve_concern(commitment: Commitment) -> str | None:
        return commitment.concern.title if commitment.concern else None

    @staticmethod
    def resolve_indicator(commitment: Commitment) -> str | None:
        return commitment.indicator.code if commitment.indicator else None


def attach_flags(commitments: list[Commitment]) -> None:
    """Flags and verification states for a whole page in two queries."""
    today = timezone.localdate()
    states = services.verification_states(commitments)
    for commitment in commitments:
        # Read by CommitmentOut's resolvers; not model fields.
        commitment.api_flags = services.flags(commitment, today)  # type: ignore[attr-defined]
        commitment.api_state = states.get(commitment.pk)  # type: ignore[attr-defined]


class CommitmentFilters(Schema):
    process: int | None = None
    territory: int | None = Field(None, description="In this territory id or below it.")
    organisation: int | None = Field(None, description="Responsible or co-responsible.")
    status: str | None = Field(None, description="A status code, e.g. in_progress.")
    open: bool | None = Field(None, description="true: not closed; false: closed.")
    overdue: bool | None = Field(None, description="true: open and past the due date.")


def _commitments(request: HttpRequest) -> CommitmentQuerySet:
    return (
        permissions.visible_commitments(request.user)
        .select_related("territory", "responsible", "status", "concern", "indicator")
        .prefetch_related("co_responsible")
    )


@router.get(
    "/commitments/",
    response={200: list[CommitmentOut], **ERRORS},
    url_name="dialogue-commitment-list",
    summary="Commitments you may see",
)
@paginate(PageNumberPagination, prepare=attach_flags)
def list_commitments(
    request: HttpRequest, filters: Query[CommitmentFilters]
) -> QuerySet[Commitment]:
    """Ordered by due date, then reference."""
    commitments = _commitments(request)
    if filters.process is not None:
        commitments = commitments.filter(process_id=filters.process)
    if filters.territory is not None:
        territory = _within(filters.territory, "territory")
        commitments = commitments.filter(territory__path__startswith=territory.path)
    if filters.organisation is not None:
        commitments = commitments.filter(
            Q(responsible_id=filters.organisation) | Q(co_responsible=filters.organisation)
        ).distinct()
    if filters.status is not None:
        commitments = commitments.filter(status__code=filters.status)
    if filters.open is not None:
        commitments = commitments.filter(status__is_final=not filters.open)
    if filters.overdue is not None:
        overdue = commitments.overdue(timezone.localdate()).values("pk")
        commitments = (
            commitments.filter(pk__in=overdue)
            if filters.overdue
            else commitments.exclude(pk__in=overdue)
        )
    return commitments.order_by("due_date", "reference", "pk")


def _commitment_or_404(request: HttpRequest, commitment_id: int) -> Commitment:
    commitment = _commitments(request).filter(pk=commitment_id).first()
    if commitment is None:
        raise ApiError(404, _("Not found."))
    return commitment


@router.get(
    "/commitments/{int:commitment_id}/",
    response={200: CommitmentDetailOut, **ERRORS},
    url_name="dialogue-commitment-detail",
    summary="One commitment",
)
def get_commitment(request: HttpRequest, commitment_id: int) -> Commitment:
    commitment = _commitment_or_404(request, commitment_id)
    attach_flags([commitment])
    return commitment


class UpdateOut(Schema):
    id: int
    posted_at: datetime.datetime
    organisation: Ref | None = Field(
        description="On whose behalf it was posted; null when "
        "the coordination posted it (a cancellation)."
    )
    status: str
    progress: int
    description: str
    evidence_files: int
    claims_completion: bool
    confirmations: int = Field(description="Community leaders who confirmed this claim.")
    disputes: int = Field(description="Community leaders who disputed this claim.")

    @staticmethod
    def resolve_organisation(update: Update) -> dict[str, Any] | None:
        return _ref(update.organisation) if update.organisation else None

    @staticmethod
    def resolve_status(update: Update) -> str:
        return update.status.code

    @staticmethod
    def resolve_claims_completion(update: Update) -> bool:
        return update.status.claims_completion


@router.get(
    "/commitments/{int:commitment_id}/updates/",
    response={200: list[UpdateOut], **ERRORS},
    url_name="dialogue-update-list",
    summary="A commitment's updates, oldest first",
)
@paginate(PageNumberPagination)
def list_updates(request: HttpRequest, commitment_id: int) -> QuerySet[Update]:
    commitment = _commitment_or_404(request, commitment_id)
    return (
        commitment.updates.select_related("organisation", "status")
        .annotate(
            evidence_files=Count("evidence", distinct=True),
            confirmations=Count(
                "verifications", distinct=True, filter=Q(verifications__verdict=Verdict.CONFIRMED)
            ),
            disputes=Count(
                "verifications", distinct=True, filter=Q(verifications__verdict=Verdict.DISPUTED)
            ),
        )
        .order_by("posted_at", "pk")
    )
