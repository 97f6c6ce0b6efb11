"""Processes, territory lists, the calendar, the accountability board, uptake and exports.

Every view starts with one access helper (``permissions.*_or_404``): a record the
user may not see answers 404, like one that does not exist; a visible record the
user may not change answers 403; anonymous visitors are sent to log in first.
Sessions are in ``views_sessions``, commitments in ``views_commitments``.
"""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from convivencia.accounts import access, audit
from convivencia.accounts.choices import AuditAction, Role
from convivencia.accounts.models import Organisation
from convivencia.core.forms import add_errors
from convivencia.dialogues import board, exports, permissions, services, summary, uptake
from convivencia.dialogues.choices import UptakeStage
from convivencia.dialogues.forms import (
    ActionPlanForm,
    ConcernForm,
    MonitorInPanelForm,
    MonitorWithIndicatorForm,
    ProcessForm,
    UptakeForm,
    UptakeStepForm,
)
from convivencia.dialogues.models import (
    ActionPlan,
    Commitment,
    Concern,
    PolicyUptake,
    Process,
    Update,
)
from convivencia.territories.models import Territory


def form_page(
    request: HttpRequest,
    form,
    *,
    title: str,
    back: str,
    context: dict | None = None,
    multipart: bool = False,
) -> HttpResponse:
    """The one template for the simple create/edit forms."""
    return render(
        request,
        "dialogues/form.html",
        {
            "form": form,
            "title": title,
            "back": back,
            "multipart": multipart,
            **(context or {}),
        },
    )


def commitments_with_flags(commitments, today: datetime.date | None = None) -> list[Commitment]:
    """Each commitment with ``flags`` and ``verification_state`` set, for lists."""
    rows = list(commitments)
    states = services.verification_states(rows)
    today = today or timezone.localdate()
    for commitment in rows:
        commitment.flags = services.flags(commitment, today)
        commitment.verification_state = states.get(commitment.pk)
    return rows


# --- index and territory lists -----------------------------------------------------------


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """Territories with processes the user may see, and the user's organisations."""
    processes = permissions.visible_processes(request.user)
    territories = (
        Territory.objects.filter(dialogue_processes__in=processes)
        .annotate(processes=Count("dialogue_processes", distinct=True))
        .order_by("name")
    )
    organisations = []
    if request.user.is_authenticated:
        organisations = list(
            Organisation.objects.filter(
                memberships__user=request.user, memberships__is_active=True
            ).distinct()
        )
    return render(
        request,
        "dialogues/index.html",
        {
            "territories": territories,
            "organisations": organisations,
            "followed": request.user.followed_commitments.select_related("status", "responsible")
            if request.user.is_authenticated
            else [],
        },
    )


@require_safe
def territory(request: HttpRequest, pk: int) -> HttpResponse:
    place = get_object_or_404(Territory, pk=pk)
    processes = (
        permissions.visible_processes(request.user)
        .filter(territory__path__startswith=place.path)
        .select_related("territory")
        .annotate(
            sessions_count=Count("sessions", distinct=True),
            commitments_count=Count("commitments", distinct=True),
        )
        .order_by("-created_at")
    )
    return render(
        request,
        "dialogues/territory.html",
        {
            "territory": place,
            "processes": processes,
            "may_create": access.has_role(request.user, place, Role.COORDINATOR),
        },
    )


@require_safe
def territory_slot(request: HttpRequest, pk: int) -> HttpResponse:
    """The territory page's dialogues section for the signed-in user (fetched by htmx)."""
    place = get_object_or_404(Territory, pk=pk)
    context = summary.dialogue_summary(place, request.user)
    context["territory"] = place
    return render(request, "dialogues/_territory_slot.html", context)


def _month(text: str) -> datetime.date:
    if not text:
        today = timezone.localdate()
        return today.replace(day=1)
    try:
        year, month = (int(part) for part in text.split("-"))
        return datetime.date(year, month, 1)
    except ValueError as exc:
        raise Http404 from exc


@require_safe
def session_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    """A month grid of the sessions of the territory's visible processes."""
    place = get_object_or_404(Territory, pk=pk)
    first = _month(request.GET.get("month", ""))
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    sessions = (
        permissions.visible_sessions(request.user)
        .filter(
            process__territory__path__startswith=place.path,
            starts_at__date__gte=weeks[0][0],
            starts_at__date__lte=weeks[-1][-1],
        )
        .select_related("process")
        .order_by("starts_at")
    )
    by_day: dict[datetime.date, list] = defaultdict(list)
    for session in sessions:
        by_day[timezone.localdate(session.starts_at)].append(session)
    previous = (first - datetime.timedelta(days=1)).replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return render(
        request,
        "dialogues/calendar.html",
        {
            "territory": place,
            "month": first,
            "today": timezone.localdate(),
            "weeks": [[(day, by_day.get(day, [])) for day in week] for week in weeks],
            "weekdays": [calendar.day_abbr[day] for day in range(7)],
            "previous": previous.strftime("%Y-%m"),
            "next": following.strftime("%Y-%m"),
            "in_month": [
                s for s in sessions if timezone.localdate(s.starts_at).month == first.month
            ],
        },
    )


@require_safe
def session_list(request: HttpRequest, pk: int) -> HttpResponse:
    place = get_object_or_404(Territory, pk=pk)
    sessions = (
        permissions.visible_sessions(request.user)
        .filter(process__territory__path__startswith=place.path)
        .select_related("process")
    )
    now = timezone.now()
    return render(
        request,
        "dialogues/session_list.html",
        {
            "territory": place,
            "upcoming": sessions.filter(ends_at__gte=now).order_by("starts_at"),
            "past": sessions.filter(ends_at__lt=now).order_by("-starts_at"),
        },
    )


# --- processes ---------------------------------------------------------------------------


@require_safe
def process_detail(request: HttpRequest, pk: int) -> HttpResponse:
    process, may_run = permissions.process_or_404(request.user, pk)
    commitments = commitments_with_flags(
        permissions.commitments_of(request.user, process).select_related(
            "status", "responsible", "territory", "action_plan"
        )
    )
    uptakes = list(process.uptakes.prefetch_related("steps").select_related("commitment"))
    for item in uptakes:
        stage = uptake.current_stage(item)
        item.stage_label = UptakeStage(stage).label if stage else None
    return render(
        request,
        "dialogues/process.html",
        {
            "process": process,
            "may_run": may_run,
            "sees_people": permissions.sees_people(request.user, process.territory),
            "facilitators": process.facilitators.order_by("first_name", "username"),
            "partners": process.partners.all(),
            "sessions": process.sessions.annotate(
                commitments_count=Count("commitments", distinct=True)
            ).order_by("starts_at"),
            "concerns": process.concerns.annotate(ballots=Count("votes", distinct=True)).order_by(
                "title"
            ),
            "plans": process.action_plans.prefetch_related(
                Prefetch(
                    "commitments",
                    queryset=permissions.commitments_of(request.user, process).select_related(
                        "status"
                    ),
                )
            ),
            "commitments": commitments,
            "uptakes": uptakes,
        },
    )


@login_required
def process_create(request: HttpRequest, pk: int) -> HttpResponse:
    place = get_object_or_404(Territory, pk=pk)
    if not access.has_role(request.user, place, Role.COORDINATOR):
        raise PermissionDenied
    form = ProcessForm(
        request.POST or None, instance=Process(territory=place), territory=place, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        process = form.save_by(request.user)
        messages.success(request, _("The process was created."))
        return redirect("dialogues:process", process.pk)
    return form_page(
        request,
        form,
        title=_("New dialogue process in %(place)s") % {"place": place.name},
        back=reverse("dialogues:territory", args=[place.pk]),
    )


@login_required
def process_edit(request: HttpRequest, pk: int) -> HttpResponse:
    process, may_run = permissions.process_or_404(request.user, pk)
    if not may_run:
        raise permissions.refusal(request.user, process.territory)
    form = ProcessForm(
        request.POST or None, instance=process, territory=process.territory, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        form.save_by(request.user)
        messages.success(request, _("Saved."))
        return redirect("dialogues:process", process.pk)
    return form_page(
        request,
        form,
        title=_("Edit %(title)s") % {"title": process.title},
        back=_process_url(process),
    )


def _process_url(process: Process, anchor: str = "") -> str:
    url = reverse("dialogues:process", args=[process.pk])
    return f"{url}#{anchor}" if anchor else url


# --- concerns and priorities -------------------------------------------------------------


@login_required
def concern_create(request: HttpRequest, pk: int) -> HttpResponse:
    process, may_run = permissions.process_or_404(request.user, pk)
    if not may_run:
        raise permissions.refusal(request.user, process.territory)
    form = ConcernForm(request.POST or None, instance=Concern(process=process), process=process)
    if request.method == "POST" and form.is_valid():
        form.save_by(request.user)
        messages.success(request, _("The concern was recorded."))
        return redirect(_process_url(process, "concerns"))
    return form_page(request, form, title=_("New concern"), back=_process_url(process))


@login_required
def concern_edit(request: HttpRequest, pk: int) -> HttpResponse:
    concern, may_run = permissions.concern_or_404(request.user, pk)
    if not may_run:
        raise permissions.refusal(request.user, concern.process.territory)
    form = ConcernForm(request.POST or None, instance=concern, process=concern.process)
    if request.method == "POST" and form.is_valid():
        form.save_by(request.user)
        messages.success(request, _("Saved."))
        return redirect(_process_url(concern.process, "concerns"))
    return form_page(request, form, title=_("Edit concern"), back=_process_url(concern.process))


@login_required
def concern_monitor(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a concern to be measured: a local item of the panel, or an indicator to follow."""
    from convivencia.dialogues import priorities

    concern, may_run = permissions.concern_or_404(request.user, pk)
    if not may_run:
        raise permissions.refusal(request.user, concern.process.territory)
    action = request.POST.get("action") if request.method == "POST" else None
    suggested = f"LOC_{concern.pk}"
    panel_form = MonitorInPanelForm(
        request.POST if action == "panel" else None,
        concern=concern,
        initial={"code": suggested, "wording": concern.title},
    )
    indicator_form = MonitorWithIndicatorForm(
        request.POST if action == "indicator" else None,
        initial={"indicator": concern.monitored_indicator_id},
    )
    if action == "panel" and panel_form.is_valid():
        data = panel_form.cleaned_data
        try:
            priorities.monitor_in_panel(
                concern,
                data["panel"],
                request.user,
                code=data["code"],
                wording=data["wording"],
                kind=data["kind"],
            )
        except ValidationError as error:
            add_errors(panel_form, error)
        else:
            messages.success(request, _("The panel will ask about it from its next wave."))
            return redirect(_process_url(concern.process, "concerns"))
    if action == "indicator" and indicator_form.is_valid():
        priorities.follow_with_indicator(
            concern, indicator_form.cleaned_data["indicator"], request.user
        )
        messages.success(request, _("The concern is followed with the indicator."))
        return redirect(_process_url(concern.process, "concerns"))
    return render(
        request,
        "dialogues/concern_monitor.html",
        {
            "concern": concern,
            "process": concern.process,
            "panel_form": panel_form,
            "indicator_form": indicator_form,
            "has_panel": priorities.panels_for(concern).exists(),
        },
    )


# --- action plans ------------------------------------------------------------------------


@login_required
def plan_create(request: HttpRequest, pk: int) -> HttpResponse:
    process, may_run = permissions.process_or_404(request.user, pk)
    if not may_run:
        raise permissions.refusal(request.user, process.territory)
    form = ActionPlanForm(
        request.POST or None, instance=ActionPlan(process=process), process=process
    )
    if request.method == "POST" and form.is_valid():
        form.save_by(request.user)
        messages.success(request, _("The action plan was recorded."))
        return redirect(_process_url(process, "plans"))
    return form_page(request, form, title=_("New action plan"), back=_process_url(process))


@login_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(ActionPlan, pk=pk)
    process, may_run = permissions.process_or_404(request.user, plan.process_id)
    if not may_run:
        raise permissions.refusal(request.user, process.territory)
    form = ActionPlanForm(request.POST or None, instance=plan, process=process)
    if request.method == "POST" and form.is_valid():
        form.save_by(request.user)
        messages.success(request, _("Saved."))
        return redirect(_process_url(process, "plans"))
    return form_page(request, form, title=_("Edit action plan"), back=_process_url(process))


# --- policy uptake -----------------------------------------------------------------------


@login_required
def uptake_create(request: HttpRequest, pk: int) -> HttpResponse:
    process, may_run = permissions.process_or_404(request.user, pk)
    if not may_run:
        raise permissions.refusal(request.user, process.territory)
    form = UptakeForm(request.POST or None, instance=PolicyUptake(process=process), process=process)
    if request.method == "POST" and form.is_valid():
        item = form.save_by(request.user)
        return redirect("dialogues:uptake", item.pk)
    return form_page(
        request, form, title=_("Carry a lesson into policy"), back=_process_url(process, "uptake")
    )


@require_http_methods(["GET", "HEAD", "POST"])
def uptake_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(PolicyUptake.objects.select_related("commitment"), pk=pk)
    process, may_run = permissions.process_or_404(request.user, item.process_id)
    form = UptakeStepForm(request.POST or None, initial={"stage": uptake.next_stage(item)})
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not may_run:
            raise permissions.refusal(request.user, process.territory)
        if form.is_valid():
            try:
                uptake.record_step(item, request.user, **form.cleaned_data)
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("The stage was recorded."))
                return redirect("dialogues:uptake", item.pk)
    steps = {step.stage: step for step in item.steps.all()}
    return render(
        request,
        "dialogues/uptake.html",
        {
            "uptake": item,
            "process": process,
            "may_run": may_run,
            "form": form,
            "stages": [(stage, label, steps.get(stage)) for stage, label in UptakeStage.choices],
            "current": uptake.current_stage(item),
        },
    )


# --- the accountability board ------------------------------------------------------------


@require_safe
def territory_board(request: HttpRequest, pk: int) -> HttpResponse:
    place = get_object_or_404(Territory, pk=pk)
    return render(
        request,
        "dialogues/board.html",
        {
            "territory": place,
            "board": board.territory_board(place, request.user),
            "by": "territory",
        },
    )


@require_safe
def organisation_board(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation, pk=pk)
    result = board.organisation_board(organisation, request.user)
    if (
        not result.rows
        and not Organisation.objects.visible_to(request.user).filter(pk=organisation.pk).exists()
    ):
        # An organisation with nothing public is not announced to strangers.
        raise Http404
    return render(
        request,
        "dialogues/board.html",
        {
            "organisation": organisation,
            "board": result,
            "by": "organisation",
        },
    )


# --- the public list, exports and the printable page -------------------------------------


@require_safe
def commitment_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The commitments of a process as the public sees them: organisations, never people."""
    process, may_run = permissions.process_or_404(request.user, pk)
    commitments = commitments_with_flags(
        permissions.commitments_of(request.user, process)
        .select_related("status", "responsible", "territory")
        .prefetch_related("co_responsible")
        .order_by("reference")
    )
    status = request.GET.get("status", "")
    if status == "overdue":
        commitments = [c for c in commitments if c.flags.overdue]
    elif status == "open":
        commitments = [c for c in commitments if not c.status.is_final]
    return render(
        request,
        "dialogues/commitment_list.html",
        {
            "process": process,
            "may_run": may_run,
            "commitments": commitments,
            "status": status,
        },
    )


def _record_export(request: HttpRequest, process: Process, what: str) -> None:
    if request.user.is_authenticated:
        audit.record(AuditAction.EXPORT, process, request=request, changes={"what": what})


@require_safe
def export_csv(request: HttpRequest, pk: int, what: str) -> HttpResponseBase:
    process, _may_run = permissions.process_or_404(request.user, pk)
    if what not in ("commitments", "updates"):
        raise Http404
    _record_export(request, process, f"{what}.csv")
    return exports.csv_response(process, permissions.commitments_of(request.user, process), what)


@require_safe
def export_xlsx(request: HttpRequest, pk: int) -> HttpResponseBase:
    process, _may_run = permissions.process_or_404(request.user, pk)
    _record_export(request, process, "commitments.xlsx")
    return exports.xlsx_response(process, permissions.commitments_of(request.user, process))


@require_safe
def print_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Every commitment with its updates, laid out for paper (print CSS, no navigation)."""
    process, _may_run = permissions.process_or_404(request.user, pk)
    visible = permissions.commitments_of(request.user, process)
    commitments = commitments_with_flags(
        exports.prepared(visible).prefetch_related(
            Prefetch(
                "updates",
                queryset=Update.objects.select_related("organisation", "status").order_by(
                    "posted_at", "pk"
                ),
            )
        )
    )
    return render(
        request,
        "dialogues/print.html",
        {
            "process": process,
            "commitments": commitments,
            "printed_at": timezone.now(),
            "open_count": sum(1 for c in commitments if not c.status.is_final),
            "overdue_count": sum(1 for c in commitments if c.flags.overdue),
        },
    )
