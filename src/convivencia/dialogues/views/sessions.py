"""Session pages: the agenda (and proposals from the data), registration and the
waitlist, participants and check-in, minutes, attachments, workshops' scores and the
ballot on priorities.

Participant names are personal data: only coordinators of the territory see the
list with names (and each time they do, the audit log records it); everyone else
sees counts by role and attendance, and the names of people who agreed to be listed.
"""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from convivencia.accounts import audit
from convivencia.accounts.requests import AuthenticatedHttpRequest
from convivencia.core.forms import add_errors
from convivencia.core.htmx import is_htmx
from convivencia.dialogues import agenda, permissions, priorities, registration, workshops
from convivencia.dialogues.choices import (
    Attendance,
    ParticipantRole,
    ProposalStatus,
    SessionKind,
)
from convivencia.dialogues.forms import (
    AgendaItemForm,
    AttachmentForm,
    BallotForm,
    ParticipantForm,
    RegistrationForm,
    ScoresForm,
    SessionForm,
    SessionReportForm,
)
from convivencia.dialogues.models import AgendaItem, Attachment, Participation, Session
from convivencia.dialogues.views.processes import commitments_with_flags, form_page

PARTICIPANT_FIELDS = [
    "name",
    "organisation",
    "role",
    "attendance",
    "registered_at",
    "checked_in_at",
    "pre_score",
    "post_score",
]


def _session_url(session: Session, anchor: str = "") -> str:
    url = reverse("dialogues:session", args=[session.pk])
    return f"{url}#{anchor}" if anchor else url


def _session_to_run(request: HttpRequest, pk: int) -> Session:
    session, may_run = permissions.session_or_404(request.user, pk)
    if not may_run:
        raise permissions.refusal(request.user, session.process.territory)
    return session


@login_required
def session_create(request: HttpRequest, pk: int) -> HttpResponse:
    process, may_run = permissions.process_or_404(request.user, pk)
    if not may_run:
        raise permissions.refusal(request.user, process.territory)
    form = SessionForm(request.POST or None, instance=Session(process=process))
    if request.method == "POST" and form.is_valid():
        session = form.save_by(request.user)
        messages.success(request, _("The session was created. Prepare its agenda below."))
        return redirect("dialogues:session", session.pk)
    return form_page(
        request, form, title=_("New session"), back=reverse("dialogues:process", args=[process.pk])
    )


@login_required
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_to_run(request, pk)
    form = SessionForm(request.POST or None, instance=session)
    if request.method == "POST" and form.is_valid():
        session = form.save_by(request.user)
        if "capacity" in form.changed_data:
            # More places (or no limit any more): the waitlist moves up at once.
            promoted = registration.fill_from_waitlist(session, request.user)
            if promoted:
                messages.info(
                    request, _("%(n)s people moved up from the waitlist.") % {"n": len(promoted)}
                )
        messages.success(request, _("Saved."))
        return redirect("dialogues:session", session.pk)
    return form_page(request, form, title=_("Edit session"), back=_session_url(session))


@login_required
def session_report(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_to_run(request, pk)
    form = SessionReportForm(request.POST or None, instance=session)
    if request.method == "POST" and form.is_valid():
        form.save_by(request.user)
        messages.success(request, _("Saved."))
        return redirect(_session_url(session, "minutes"))
    return form_page(
        request, form, title=_("Minutes and closing report"), back=_session_url(session)
    )


def _agenda_context(session: Session, may_run: bool) -> dict:
    nodes, total = agenda.tree(session)
    hours, minutes = divmod(total, 60)
    context = {
        "session": session,
        "may_run": may_run,
        "agenda_rows": agenda.flatten(nodes),
        "agenda_total": total,
        "agenda_hours": hours,
        "agenda_minutes": minutes,
    }
    if may_run:
        context["proposed"] = list(
            session.agenda.filter(status=ProposalStatus.PROPOSED).order_by("position", "pk")
        )
        context["discarded"] = list(
            session.agenda.filter(status=ProposalStatus.DISCARDED).order_by("position", "pk")
        )
    return context


@require_safe
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session, may_run = permissions.session_or_404(request.user, pk)
    participations = list(session.participations.select_related("organisation"))
    by_role = Counter(p.role for p in participations)
    by_attendance = Counter(p.attendance for p in participations)
    mine = (
        next((p for p in participations if p.user_id == request.user.pk), None)
        if request.user.is_authenticated
        else None
    )
    context = {
        **_agenda_context(session, may_run),
        "process": session.process,
        "role_counts": [
            (label, by_role[value]) for value, label in ParticipantRole.choices if by_role[value]
        ],
        "attendance_counts": [
            (label, by_attendance[value])
            for value, label in Attendance.choices
            if by_attendance[value]
        ],
        "participant_total": len(participations),
        "public_attendees": [p for p in participations if p.public_listing],
        "mine": mine,
        "registration_open": registration.is_open(session),
        "places_left": registration.places_left(session),
        # Attendance sheets, photos and minutes name people: for those who run the session.
        "attachments": session.attachments.order_by("uploaded_at") if may_run else None,
        "attachment_form": AttachmentForm() if may_run else None,
        "commitments": commitments_with_flags(
            permissions.visible_commitments(request.user)
            .filter(made_in=session)
            .select_related("status", "responsible", "territory")
        ),
        "is_workshop": session.kind == SessionKind.WORKSHOP,
        "scores": workshops.score_change(session) if session.kind == SessionKind.WORKSHOP else None,
        "may_vote": priorities.can_vote(request.user, session),
        "ballots": priorities.ballots_cast(session),
        "has_concerns": session.process.concerns.exists(),
    }
    return render(request, "dialogues/session.html", context)


# --- registration ------------------------------------------------------------------------


@require_POST
@login_required
def register(request: HttpRequest, pk: int) -> HttpResponse:
    session, _may_run = permissions.session_or_404(request.user, pk)
    form = RegistrationForm(request.POST)
    form.is_valid()
    try:
        participation = registration.register(
            session, request.user, public_listing=form.cleaned_data.get("public_listing", False)
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if participation.attendance == Attendance.WAITLISTED:
            messages.warning(
                request,
                _(
                    "The session is full: you are on the waitlist. We will "
                    "tell you if a place becomes free."
                ),
            )
        else:
            messages.success(request, _("You are registered."))
    return redirect(_session_url(session, "registration"))


@require_POST
@login_required
def cancel_registration(request: HttpRequest, pk: int) -> HttpResponse:
    session, _may_run = permissions.session_or_404(request.user, pk)
    participation = get_object_or_404(Participation, session=session, user=request.user)
    registration.cancel(participation, request.user)
    messages.success(request, _("Your registration was cancelled."))
    return redirect(_session_url(session, "registration"))


# --- participants (coordinators) ---------------------------------------------------------


@login_required
def participants(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_to_run(request, pk)
    form = ParticipantForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        registration.add_participant(session, request.user, **form.cleaned_data)
        messages.success(request, _("The participant was added."))
        return redirect("dialogues:participants", session.pk)
    rows = list(
        session.participations.select_related("organisation").order_by(
            "attendance", "registered_at", "name"
        )
    )
    audit.record_read(request, session, PARTICIPANT_FIELDS)
    return render(
        request,
        "dialogues/participants.html",
        {
            "session": session,
            "process": session.process,
            "participations": rows,
            "form": form,
            "is_workshop": session.kind == SessionKind.WORKSHOP,
            "places_left": registration.places_left(session),
        },
    )


def _participation_to_run(request: HttpRequest, pk: int) -> Participation:
    participation = get_object_or_404(Participation.objects.select_related("session"), pk=pk)
    _session_to_run(request, participation.session_id)
    return participation


@require_POST
@login_required
def participant_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    participation = _participation_to_run(request, pk)
    registration.check_in(participation, request.user, attended=request.POST.get("attended") == "1")
    return redirect("dialogues:participants", participation.session_id)


@require_POST
@login_required
def participant_remove(request: HttpRequest, pk: int) -> HttpResponse:
    participation = _participation_to_run(request, pk)
    session_id = participation.session_id
    promoted = registration.cancel(participation, request.user)
    messages.success(request, _("Removed."))
    if promoted:
        messages.info(request, _("%(n)s people moved up from the waitlist.") % {"n": len(promoted)})
    return redirect("dialogues:participants", session_id)


@require_POST
@login_required
def participant_scores(request: HttpRequest, pk: int) -> HttpResponse:
    participation = _participation_to_run(request, pk)
    form = ScoresForm(request.POST, instance=participation)
    if form.is_valid():
        workshops.record_scores(
            participation,
            request.user,
            pre=form.cleaned_data["pre_score"],
            post=form.cleaned_data["post_score"],
        )
        messages.success(request, _("Scores saved for %(name)s.") % {"name": participation.name})
    else:
        messages.error(request, _("Scores are percentages from 0 to 100."))
    return redirect("dialogues:participants", participation.session_id)


# --- attachments -------------------------------------------------------------------------


@require_POST
@login_required
def attachment_upload(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = _session_to_run(request, pk)
    form = AttachmentForm(
        request.POST, request.FILES, instance=Attachment(session=session, uploaded_by=request.user)
    )
    if form.is_valid():
        form.save_by(request.user)
        messages.success(request, _("The file was attached."))
    elif form.has_error("file", "file_type") or form.has_error("file", "file_name"):
        # Say what is wrong with the file itself, not only that something is missing.
        messages.error(request, " ".join(str(error) for error in form.errors["file"]))
    else:
        messages.error(request, _("Give the file a title and choose it."))
    return redirect(_session_url(session, "attachments"))


@require_safe
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = get_object_or_404(Attachment, pk=pk)
    _session, may_run = permissions.session_or_404(request.user, attachment.session_id)
    if not may_run:  # an attendance sheet names people: coordinators of the territory only
        raise Http404
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=(attachment.file.name or "").rsplit("/", 1)[-1],
    )


# --- the agenda --------------------------------------------------------------------------


def _agenda_response(request: HttpRequest, session: Session) -> HttpResponse:
    """The agenda section for htmx, the session page otherwise (works without JavaScript)."""
    if is_htmx(request):
        return render(request, "dialogues/_agenda.html", _agenda_context(session, True))
    return redirect(_session_url(session, "agenda"))


@login_required
def agenda_create(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_to_run(request, pk)
    item = AgendaItem(session=session, position=session.agenda.count() + 1)
    form = AgendaItemForm(request.POST or None, instance=item, session=session)
    if request.method == "POST" and form.is_valid():
        form.save_by(request.user)
        return redirect(_session_url(session, "agenda"))
    return form_page(request, form, title=_("New agenda item"), back=_session_url(session))


@login_required
def agenda_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(AgendaItem, pk=pk)
    session = _session_to_run(request, item.session_id)
    form = AgendaItemForm(request.POST or None, instance=item, session=session)
    if request.method == "POST" and form.is_valid():
        item = form.save_by(request.user)
        if item.status == ProposalStatus.PROPOSED:
            # Editing a proposal is taking it up: "save" here means "accept as edited".
            agenda.decide(item, request.user, ProposalStatus.ACCEPTED)
        return redirect(_session_url(session, "agenda"))
    title = (
        _("Edit and accept the proposal")
        if item.status == ProposalStatus.PROPOSED
        else _("Edit agenda item")
    )
    return form_page(
        request,
        form,
        title=title,
        back=_session_url(session, "agenda"),
        context={"proposal": item if item.origin != "manual" else None},
    )


@require_POST
@login_required
def agenda_propose(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_to_run(request, pk)
    added = agenda.propose(session, request.user)
    if not is_htmx(request):
        if added:
            messages.success(
                request,
                _("%(n)s items proposed from the data: accept, edit or discard each.")
                % {"n": len(added)},
            )
        else:
            messages.info(request, _("The data suggests nothing new for this agenda."))
    return _agenda_response(request, session)


DECISIONS = {
    "accept": ProposalStatus.ACCEPTED,
    "discard": ProposalStatus.DISCARDED,
    "restore": ProposalStatus.PROPOSED,
}


@require_POST
@login_required
def agenda_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    item = get_object_or_404(AgendaItem, pk=pk)
    session = _session_to_run(request, item.session_id)
    if decision not in DECISIONS:
        raise Http404
    agenda.decide(item, request.user, DECISIONS[decision])
    return _agenda_response(request, session)


# --- priorities --------------------------------------------------------------------------


@login_required
def ballot(request: HttpRequest, pk: int) -> HttpResponse:
    session, _may_run = permissions.session_or_404(request.user, pk)
    # Anyone who sees the session may register and then vote: a refusal, not a secret.
    if not priorities.can_vote(request.user, session):
        raise PermissionDenied
    concerns = list(session.process.concerns.order_by("title"))
    form = BallotForm(
        request.POST or None,
        concerns=concerns,
        initial_ranks=priorities.ballot_of(session, request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            priorities.cast_ballot(session, request.user, form.ranking())
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Your ballot was counted. Casting it again replaces it."))
            return redirect("dialogues:priorities", session.pk)
    return render(
        request,
        "dialogues/ballot.html",
        {
            "session": session,
            "process": session.process,
            "form": form,
        },
    )


@require_safe
def priorities_results(request: HttpRequest, pk: int) -> HttpResponse:
    session, may_run = permissions.session_or_404(request.user, pk)
    return render(
        request,
        "dialogues/priorities.html",
        {
            "session": session,
            "process": session.process,
            "may_run": may_run,
            "standings": priorities.standings(session),
            "ballots": priorities.ballots_cast(session),
            "may_vote": priorities.can_vote(request.user, session),
        },
    )
