"""The commitment page and what people do there: record and edit (coordinators),
post progress (the responsible organisations), confirm or dispute (community leaders),
follow, cancel.

The buttons a user sees are the ones the services would allow; a crafted request is
refused by the services all the same (403).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from convivencia.accounts.models import User
from convivencia.core.forms import add_errors
from convivencia.core.htmx import is_htmx
from convivencia.dialogues import permissions, services
from convivencia.dialogues.forms import CancelForm, CommitmentForm, UpdateForm, VerifyForm
from convivencia.dialogues.models import Commitment, Evidence, Verification
from convivencia.dialogues.views.processes import commitments_with_flags, form_page


def _commitment_url(commitment: Commitment, anchor: str = "") -> str:
    url = reverse("dialogues:commitment", args=[commitment.pk])
    return f"{url}#{anchor}" if anchor else url


def _page(
    request: HttpRequest,
    commitment: Commitment,
    may_run: bool,
    *,
    update_form: UpdateForm | None = None,
    verify_form: VerifyForm | None = None,
    cancel_form: CancelForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    updates = list(
        commitment.updates.select_related("status", "organisation", "posted_by")
        .prefetch_related(
            "evidence",
            Prefetch(
                "verifications",
                queryset=Verification.objects.select_related("leader").order_by("at"),
            ),
        )
        .order_by("-posted_at", "-pk")
    )
    claim = services.open_claim(commitment)
    may_update = services.can_update(user, commitment) and not commitment.status.is_final
    may_verify = claim is not None and services.can_verify(user, commitment)
    my_verdict = None
    # may_verify implies both; the checker needs them spelled out.
    if may_verify and claim is not None and isinstance(user, User):
        my_verdict = claim.verifications.filter(leader=user).first()
    context = {
        "commitment": commitment,
        "process": commitment.process,
        "may_run": may_run,
        "flags": services.flags(commitment),
        "state": services.verification_state(commitment),
        "claim": claim,
        "updates": updates,
        "sees_people": permissions.sees_people(user, commitment.territory),
        "opens_evidence": permissions.may_open_evidence(user, commitment),
        "co_responsible": commitment.co_responsible.all(),
        "children": commitments_with_flags(
            commitment.children.select_related("status", "responsible", "territory")
        ),
        "uptakes": commitment.uptakes.all(),
        "following": user.is_authenticated and commitment.followers.filter(pk=user.pk).exists(),
        "may_update": may_update,
        "update_form": update_form
        or (UpdateForm(initial={"status": commitment.status_id}) if may_update else None),
        "may_verify": may_verify,
        "my_verdict": my_verdict,
        "verify_form": verify_form or (VerifyForm() if may_verify else None),
        "may_cancel": may_run and not commitment.status.is_final,
        "cancel_form": cancel_form or CancelForm(),
    }
    return render(request, "dialogues/commitment.html", context, status=status)


@require_safe
def commitment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    commitment, may_run = permissions.commitment_or_404(request.user, pk)
    return _page(request, commitment, may_run)


@login_required
def commitment_create(request: HttpRequest, pk: int) -> HttpResponse:
    process, may_run = permissions.process_or_404(request.user, pk)
    if not may_run:
        raise permissions.refusal(request.user, process.territory)
    initial = {
        "made_in": request.GET.get("session"),
        "concern": request.GET.get("concern"),
        "reference": f"C-{process.commitments.count() + 1}",
    }
    form = CommitmentForm(
        request.POST or None,
        instance=Commitment(process=process),
        process=process,
        user=request.user,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        commitment = form.save_by(request.user)
        services.notify_assigned(commitment, request.user)
        messages.success(request, _("The commitment was recorded."))
        return redirect("dialogues:commitment", commitment.pk)
    return form_page(
        request,
        form,
        title=_("Record a commitment"),
        back=reverse("dialogues:process", args=[process.pk]),
    )


@login_required
def commitment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    commitment, may_run = permissions.commitment_or_404(request.user, pk)
    if not may_run:
        raise permissions.refusal(request.user, commitment.process.territory, commitment.territory)
    previous_parent = commitment.parent_id  # the form writes into the instance
    previous_organisations = {
        commitment.responsible_id,
        *commitment.co_responsible.values_list("pk", flat=True),
    }
    form = CommitmentForm(
        request.POST or None, instance=commitment, process=commitment.process, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        form.save_by(request.user)
        services.roll_up_after_edit(commitment, previous_parent)
        services.notify_assigned(commitment, request.user, already=previous_organisations)
        messages.success(request, _("Saved."))
        return redirect("dialogues:commitment", commitment.pk)
    return form_page(
        request,
        form,
        title=_("Edit %(reference)s") % {"reference": commitment.reference},
        back=_commitment_url(commitment),
    )


@require_POST
@login_required
def post_update(request: HttpRequest, pk: int) -> HttpResponse:
    commitment, may_run = permissions.commitment_or_404(request.user, pk)
    if not services.can_update(request.user, commitment):
        raise permissions.refusal(request.user, commitment.process.territory, commitment.territory)
    form = UpdateForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.post_update(
                commitment,
                request.user,
                status=data["status"],
                description=data["description"],
                progress=data["progress"],
                files=data["files"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Your update was posted."))
            return redirect(_commitment_url(commitment, "timeline"))
    return _page(request, commitment, may_run, update_form=form, status=400)


@require_POST
@login_required
def verify(request: HttpRequest, pk: int) -> HttpResponse:
    commitment, may_run = permissions.commitment_or_404(request.user, pk)
    claim = services.open_claim(commitment)
    if claim is None or not services.can_verify(request.user, commitment):
        raise permissions.refusal(request.user, commitment.process.territory, commitment.territory)
    # The claim the leader read: a newer one posted meanwhile must be read first.
    if request.POST.get("claim") != str(claim.pk):
        messages.warning(
            request,
            _(
                "A newer update was posted while you were reading: "
                "read it before giving your verdict."
            ),
        )
        return redirect(_commitment_url(commitment, "verify"))
    form = VerifyForm(request.POST)
    if form.is_valid():
        try:
            services.verify(
                claim, request.user, form.cleaned_data["verdict"], form.cleaned_data["comment"]
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Your verdict was recorded. Thank you."))
            return redirect(_commitment_url(commitment, "timeline"))
    return _page(request, commitment, may_run, verify_form=form, status=400)


@require_POST
@login_required
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    commitment, may_run = permissions.commitment_or_404(request.user, pk)
    if not may_run:
        raise permissions.refusal(request.user, commitment.process.territory, commitment.territory)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.cancel(commitment, request.user, form.cleaned_data["reason"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The commitment was cancelled."))
            return redirect("dialogues:commitment", commitment.pk)
    return _page(request, commitment, may_run, cancel_form=form, status=400)


@require_POST
@login_required
def follow(request: HttpRequest, pk: int) -> HttpResponse:
    commitment, _may_run = permissions.commitment_or_404(request.user, pk)
    following = request.POST.get("follow") == "1"
    services.follow(commitment, request.user, on=following)
    if is_htmx(request):
        return render(
            request, "dialogues/_follow.html", {"commitment": commitment, "following": following}
        )
    return redirect("dialogues:commitment", commitment.pk)


@require_safe
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    evidence = get_object_or_404(Evidence.objects.select_related("update"), pk=pk)
    commitment, _runs = permissions.commitment_or_404(request.user, evidence.update.commitment_id)
    if not permissions.may_open_evidence(request.user, commitment):
        raise Http404
    return FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=(evidence.file.name or "").rsplit("/", 1)[-1],
    )
