"""Who sees which dialogue records: one helper per object type, used by pages and the API.

- anyone, signed in or not, sees published processes, their sessions and commitments;
- a signed-in user also sees the processes of the territories where they hold a role
  (any role: a coordinator, an analyst, a police liaison, a community leader), and the
  commitments placed in those territories even when the process sits higher up;
- everything else answers 404, exactly like a record that does not exist.

Someone who sees a record but may not act on it (``refusal``) gets 403 only when they work
in its territory; a stranger who sees a published record gets 404 on its edit pages too.

What they may do once they see it lives in ``services`` (``can_run``, ``can_update``,
``can_verify``). Names of people (participants, the people who posted updates or
verdicts) are shown only to users with a role in the territory; participant lists
with names only to coordinators, and each such read is audited.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from convivencia.accounts import access
from convivencia.dialogues import services
from convivencia.dialogues.models import Commitment, CommitmentQuerySet, Concern, Process, Session
from convivencia.territories.models import Territory


def visible_processes(user) -> QuerySet[Process]:
    user_scope = access.scope(user)
    if user_scope.everywhere:
        return Process.objects.all()
    condition = Q(is_published=True)
    if not user_scope.is_empty:
        in_reach = Commitment.objects.filter(user_scope.q("territory")).values("process_id")
        condition |= user_scope.q("territory") | Q(pk__in=in_reach)
    return Process.objects.filter(condition)


def visible_sessions(user) -> QuerySet[Session]:
    return Session.objects.filter(process__in=visible_processes(user))


def visible_commitments(user) -> CommitmentQuerySet:
    user_scope = access.scope(user)
    if user_scope.everywhere:
        return Commitment.objects.all()
    condition = Q(process__is_published=True)
    if not user_scope.is_empty:
        condition |= user_scope.q("process__territory") | user_scope.q("territory")
    return Commitment.objects.filter(condition)


def commitments_of(user, process: Process) -> CommitmentQuerySet:
    """The process's commitments the user may see: all of them for a published process or
    one in the user's scope; those placed in the user's territories otherwise (a leader of
    one municipality in a department-wide process)."""
    return visible_commitments(user).filter(process=process)


def sees_people(user, territory: Territory) -> bool:
    """Names of the people acting in a process: for those who work in its territory."""
    return access.scope(user).covers(territory)


def refusal(user, *territories: Territory | None) -> Exception:
    """What to raise when the user may not do what they asked with a record they can see.

    People with a role in one of the record's territories know it and may ask its
    coordinator, so they are told no (403). For anyone else an edit page of a published
    record must not even confirm that it can be edited: 404, like a record that does not
    exist.
    """
    user_scope = access.scope(user)
    if any(user_scope.covers(territory) for territory in territories):
        return PermissionDenied()
    return Http404()


def process_or_404(user, pk: int) -> tuple[Process, bool]:
    """The process and whether the user runs it (a coordinator of its territory)."""
    process = visible_processes(user).select_related("territory").filter(pk=pk).first()
    if process is None:
        raise Http404
    return process, services.can_run(user, process)


def session_or_404(user, pk: int) -> tuple[Session, bool]:
    session = visible_sessions(user).select_related("process__territory").filter(pk=pk).first()
    if session is None:
        raise Http404
    return session, services.can_run(user, session.process)


def may_open_evidence(user, commitment: Commitment) -> bool:
    """Evidence files can show people (a photo, a signed record): they are for signed-in
    people with a role where the commitment applies — the leaders who confirm or dispute
    it among them — never the public, even of a published process."""
    scope = access.scope(user)
    return scope.covers(commitment.process.territory) or scope.covers(commitment.territory)


def commitment_or_404(user, pk: int) -> tuple[Commitment, bool]:
    commitment = (
        visible_commitments(user)
        .select_related(
            "process__territory",
            "territory",
            "responsible",
            "status",
            "concern",
            "action_plan",
            "made_in",
            "parent",
            "indicator",
        )
        .filter(pk=pk)
        .first()
    )
    if commitment is None:
        raise Http404
    return commitment, services.can_run(user, commitment.process)


def concern_or_404(user, pk: int) -> tuple[Concern, bool]:
    """The concern and whether the user may run its process; 404 like its process."""
    concern = get_object_or_404(Concern.objects.select_related("process"), pk=pk)
    process, may_run = process_or_404(user, concern.process_id)
    concern.process = process
    return concern, may_run
