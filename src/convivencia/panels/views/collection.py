"""Collecting answers on the site: the web form, file uploads, and the panel's waves.

Who may do what (mounted at /panels/collect/):
- anonymous visitors are sent to the login page;
- enumerators and coordinators of a panel's territory collect for it; anyone
  else gets 404 for the panel, as everywhere;
- only coordinators open a new month, close a wave or reopen one (the services
  enforce it: a crafted request from an enumerator is answered 403).

Every answer goes through ``collection.accept``: the web form sends one submission
at a time with source "web"; an upload is read by ``file_import``, shown as a dry
run, then stored by a background job.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from convivencia.core.forms import choice_field
from convivencia.core.reading import BadFile
from convivencia.jobs import services as jobs
from convivencia.jobs.models import Job
from convivencia.panels import collect_setup, collection, permissions, services
from convivencia.panels import forms as panel_forms
from convivencia.panels.choices import (
    SubmissionSource,
    WaveStatus,
)
from convivencia.panels.forms import UploadForm, WebForm
from convivencia.panels.importers import answers as file_import
from convivencia.panels.importers.xlsform import export_xlsform, included_items
from convivencia.panels.jobs import IMPORT_JOB
from convivencia.panels.models import Panel, Respondent, Wave

STAGED_IMPORTS = "panels_staged_imports"  # session key: token → staged upload


# --- the panel's page and its waves --------------------------------------------------------


@login_required
def panel_list(request: HttpRequest) -> HttpResponse:
    panels = (
        Panel.objects.visible_to(request.user, *permissions.COLLECTOR_ROLES)
        .select_related("territory")
        .annotate(open_waves=Count("waves", filter=Q(waves__status=WaveStatus.OPEN)))
    )
    return render(
        request,
        "panels/collect_list.html",
        {"panels": panels, "may_import": permissions.may_import_questionnaires(request.user)},
    )


@login_required
def panel_home(request: HttpRequest, code: str) -> HttpResponse:
    panel = permissions.collected_panel_or_404(request.user, code)
    waves = panel.waves.with_responses("answered").order_by("-period")
    server_url = request.build_absolute_uri(
        reverse("panels:collection:formlist", args=[panel.code])
    ).removesuffix("/formList")
    project_name = f"{panel} · {panel.territory.name}"
    return render(
        request,
        "panels/collect_panel.html",
        {
            "panel": panel,
            "waves": waves,
            "open_waves": panel_forms.open_waves(panel),
            "may_manage": services.may_manage_waves(request.user, panel),
            "server_url": server_url,
            "collect_qr": collect_setup.collect_qr_svg(
                server_url, project_name, _("ODK Collect settings for %(panel)s") % {"panel": panel}
            ),
            "this_month": timezone.localdate().strftime("%Y-%m"),
        },
    )


@login_required
def xlsform(request: HttpRequest, code: str) -> HttpResponse:
    """The panel's own XLSForm (roster codes, local provider), to edit or load elsewhere."""
    panel = permissions.collected_panel_or_404(request.user, code)
    try:
        data = export_xlsform(panel.questionnaire, panel)
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("panels:collection:panel", panel.code)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{panel.code}.xlsx"'
    return response


@login_required
@require_POST
def open_wave(request: HttpRequest, code: str) -> HttpResponse:
    panel = permissions.collected_panel_or_404(request.user, code)
    try:
        wave = services.open_wave(  # PermissionDenied (403) for enumerators
            panel,
            request.POST.get("period", ""),
            request.user,
            reopen=request.POST.get("reopen") == "1",
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Wave %(wave)s is open.") % {"wave": wave.label})
    return redirect("panels:collection:panel", panel.code)


@login_required
@require_POST
def close_wave(request: HttpRequest, code: str, period: str) -> HttpResponse:
    panel = permissions.collected_panel_or_404(request.user, code)
    try:
        wave = get_object_or_404(Wave, panel=panel, period=services.parse_period(period))
    except ValidationError as exc:
        raise Http404 from exc
    wave = services.close_wave(wave, request.user)  # PermissionDenied (403) for enumerators
    messages.success(request, _("Wave %(wave)s is closed.") % {"wave": wave.label})
    return redirect("panels:collection:panel", panel.code)


# --- upload: dry run, confirmation, job ----------------------------------------------------


@login_required
def upload(request: HttpRequest, code: str) -> HttpResponse:
    """Step 1: choose the wave and the file. Step 2 (POST): the dry run's report."""
    panel = permissions.collected_panel_or_404(request.user, code)
    may_open = services.may_manage_waves(request.user, panel)
    form = UploadForm(request.POST or None, request.FILES or None, panel=panel, may_open=may_open)
    if request.method != "POST" or not form.is_valid():
        status = 400 if request.method == "POST" else 200
        return render(
            request,
            "panels/collect_upload.html",
            {
                "panel": panel,
                "form": form,
                "has_waves": bool(choice_field(form, "wave").choices),
            },
            status=status,
        )
    period_text = form.cleaned_data["period"]
    period = services.parse_period(period_text)
    uploaded = form.cleaned_data["file"]
    include_rejected = bool(form.cleaned_data.get("include_rejected"))
    token = _stage(request, panel, period_text, uploaded, include_rejected)
    staged = request.session[STAGED_IMPORTS][token]
    context: dict[str, Any] = {"panel": panel, "file_name": uploaded.name, "wave": period_text}
    try:
        export = file_import.read_export(
            Path(default_storage.path(staged["storage_name"])),
            panel,
            name=uploaded.name,
            include_rejected=include_rejected,
        )
    except BadFile as exc:
        _unstage(request, token)  # nothing to confirm: the file has to be corrected first
        context["file_problems"] = exc.problems
        return render(request, "panels/collect_report.html", context)
    report = file_import.check(panel, period, export)
    context.update(
        {
            "report": report,
            "token": token,
            "new_wave": not Wave.objects.filter(panel=panel, period=period).exists(),
        }
    )
    if not report.valid:
        _unstage(request, token)  # nothing would be stored
    return render(request, "panels/collect_report.html", context)


@login_required
@require_POST
def confirm(request: HttpRequest, code: str) -> HttpResponse:
    """Step 3: the checked file becomes a background job; its page shows the outcome."""
    panel = permissions.collected_panel_or_404(request.user, code)
    token = request.POST.get("token", "")
    staged = request.session.get(STAGED_IMPORTS, {}).get(token)
    # A checked file left unconfirmed is deleted after a day (jobs.retention).
    if (
        staged is None
        or staged["panel"] != panel.code
        or not default_storage.exists(staged["storage_name"])
    ):
        if staged is not None and staged["panel"] == panel.code:
            _unstage(request, token)
        messages.error(request, _("That upload is no longer available; choose the file again."))
        return redirect("panels:collection:upload", panel.code)
    accept_valid = request.POST.get("mode") == "valid"
    wave = Wave.objects.filter(panel=panel, period=services.parse_period(staged["wave"])).first()
    if wave is None:
        # A new month is opened now, by the coordinator who chose it (audited);
        # PermissionDenied (403) for anyone else.
        wave = services.open_wave(panel, staged["wave"], request.user)
    if not wave.is_open:
        messages.error(request, _("Wave %(wave)s was closed meanwhile.") % {"wave": wave.label})
        return redirect("panels:collection:upload", panel.code)
    label = (
        _("Import of answers (valid rows) into %(panel)s %(wave)s: %(file)s")
        if accept_valid
        else _("Import of answers into %(panel)s %(wave)s: %(file)s")
    ) % {"panel": panel.code, "wave": wave.label, "file": staged["name"]}
    with default_storage.open(staged["storage_name"], "rb") as handle:
        job = jobs.enqueue(
            IMPORT_JOB,
            label,
            {
                "panel": panel.code,
                "wave": wave.label,
                "file_name": staged["name"],
                "accept_valid": accept_valid,
                "include_rejected": bool(staged.get("include_rejected")),
            },
            user=request.user,
            upload=UploadedFile(handle, name=staged["name"]),
        )
    _unstage(request, token)
    return redirect("jobs:detail", job.pk)


def _stage(
    request: HttpRequest,
    panel: Panel,
    period: str,
    uploaded: UploadedFile,
    include_rejected: bool = False,
) -> str:
    """Keep the upload between the dry run and the confirmation; one per user at a time."""
    for token in list(request.session.get(STAGED_IMPORTS, {})):
        _unstage(request, token)
    token = uuid.uuid4().hex
    suffix = Path(uploaded.name or "").suffix.lower()[:6]
    storage_name = default_storage.save(f"panels/staged/{token}{suffix}", uploaded)
    request.session[STAGED_IMPORTS] = {
        token: {
            "storage_name": storage_name,
            "name": uploaded.name,
            "panel": panel.code,
            "wave": period,
            "include_rejected": include_rejected,
        }
    }
    return token


def _unstage(request: HttpRequest, token: str) -> None:
    staged = request.session.get(STAGED_IMPORTS, {})
    entry = staged.pop(token, None)
    request.session[STAGED_IMPORTS] = staged
    if entry is not None and default_storage.exists(entry["storage_name"]):
        default_storage.delete(entry["storage_name"])


@login_required
def rejected_rows(request: HttpRequest, code: str, job_id: uuid.UUID) -> FileResponse:
    """The error file of an import job, for the person who ran it."""
    panel = permissions.collected_panel_or_404(request.user, code)
    job = get_object_or_404(
        Job.objects.visible_to(request.user),
        pk=job_id,
        kind=IMPORT_JOB,
        params__panel=panel.code,
    )
    name = job.result.get("error_file") if isinstance(job.result, dict) else None
    if not name or not default_storage.exists(name):
        raise Http404
    return FileResponse(
        default_storage.open(name, "rb"),
        as_attachment=True,
        filename=Path(name).name,
        content_type="text/csv; charset=utf-8",
    )


# --- the web form --------------------------------------------------------------------------


def _form_wave(request: HttpRequest, panel: Panel, open_waves: list[Wave]) -> Wave | None:
    wanted = request.POST.get("wave") or request.GET.get("wave")
    if wanted:
        try:
            period = services.parse_period(wanted)
        except ValidationError as exc:
            raise Http404 from exc
        # A closed wave is kept here: collection names it in the error shown.
        return get_object_or_404(Wave, panel=panel, period=period)
    return open_waves[0] if open_waves else None


@login_required
def web_form(request: HttpRequest, code: str) -> HttpResponse:
    """One submission per page; every answer checked by ``collection.accept``."""
    panel = permissions.collected_panel_or_404(request.user, code)
    open_waves = panel_forms.open_waves(panel)
    wave = _form_wave(request, panel, open_waves)
    if wave is None:
        return render(request, "panels/collect_form.html", {"panel": panel, "wave": None})
    posted = request.method == "POST"
    form = WebForm(
        request.POST if posted else None,
        panel=panel,
        items=included_items(panel.questionnaire, panel),
    )
    respondent_code = form.respondent_code
    if form.is_valid():
        raw = collection.RawSubmission(
            respondent_code=respondent_code,
            values=form.answers(),
            instance_id=form.submission_id,
            submitted_at=timezone.now(),
        )
        try:
            stored = collection.accept(wave, [raw], SubmissionSource.WEB, enumerator=request.user)
        except collection.Refused as exc:
            form.show_problems(exc.checked.problems)
        else:
            if stored.created:
                messages.success(
                    request,
                    _("Saved: respondent %(code)s, wave %(wave)s. The form is ready for the next.")
                    % {"code": respondent_code, "wave": wave.label},
                )
            else:
                messages.info(
                    request, _("This submission had already been saved; it was not stored twice.")
                )
            return redirect(
                reverse("panels:collection:form", args=[panel.code]) + f"?wave={wave.label}"
            )
    answered = set(wave.submissions.values_list("respondent_id", flat=True))
    respondents: list[Respondent] = list(panel.respondents.filter(is_active=True))
    has_errors = bool(form.errors)
    return render(
        request,
        "panels/collect_form.html",
        {
            "panel": panel,
            "wave": wave,
            "open_waves": open_waves,
            "form": form,
            "questions": form.questions,
            "respondents": [
                (respondent.code, respondent.pk in answered) for respondent in respondents
            ],
            "respondent_code": respondent_code,
            "respondent_errors": form.errors.get("respondent", []),
            "general_errors": form.non_field_errors(),
            "instance_id": form.submission_id,
            "skip_style": form.skip_style(),
            "has_errors": has_errors,
        },
        status=400 if has_errors else 200,
    )
