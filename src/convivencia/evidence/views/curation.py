"""Curation pages of the evidence registry, for editors and reviewers.

Who may do what:
- anonymous visitors are sent to the login page;
- a logged-in user without an editor role (administrator, coordinator,
  analyst) gets 404, as everywhere in the project: strangers do not learn
  that these pages, or the unpublished records, exist;
- editors see every intervention in every curation state, create and edit
  them, record evaluations and external ratings, submit drafts and import
  spreadsheets;
- reviewers (administrators, coordinators) also review, publish, unpublish and
  override ratings. The services enforce it: a crafted request from an analyst
  is answered 403, and the buttons are not shown to them.

Changing a submitted, reviewed or published intervention's content sends it
back to draft, as the spreadsheet import does: what is public has been reviewed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from convivencia.accounts import access, audit
from convivencia.accounts.choices import AuditAction
from convivencia.accounts.models import AuditEntry
from convivencia.core.bulk import local_copy
from convivencia.core.forms import add_errors
from convivencia.core.reading import BadFile
from convivencia.evidence import services
from convivencia.evidence.choices import TAG_CHOICES, Curation, Rating
from convivencia.evidence.forms import (
    EvaluationForm,
    ExternalRatingForm,
    ImportForm,
    InterventionForm,
    OutcomeFormSet,
    RatingOverrideForm,
    source_formset,
)
from convivencia.evidence.importers import interventions as importer
from convivencia.evidence.models import (
    Evaluation,
    EvidenceRating,
    ExternalRating,
    Intervention,
    Outcome,
)
from convivencia.jobs import services as jobs
from convivencia.territories.models import Territory

PAGE_SIZE = 50
STAGED_IMPORTS = "evidence_staged_imports"  # session key: token → staged upload
IMPORT_JOB = "evidence.import"


def editor_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Logged in (else login page) with an editor role (else 404)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not services.can_edit(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def _intervention(pk: int) -> Intervention:
    return get_object_or_404(
        Intervention.objects.select_related(
            "country", "submitted_by", "reviewed_by", "published_by"
        ).prefetch_related("tags", "sources"),
        pk=pk,
    )


# --- list ------------------------------------------------------------------------------


@editor_required
def curation_list(request: HttpRequest) -> HttpResponse:
    interventions = Intervention.objects.select_related("country", "submitted_by").order_by(
        "-updated_at"
    )
    state = request.GET.get("state", "")
    if state in Curation.values:
        interventions = interventions.filter(curation=state)
    mine = bool(request.GET.get("mine"))
    if mine:
        interventions = interventions.filter(
            Q(submitted_by=request.user) | Q(pk__in=_created_by(request.user))
        )
    query = request.GET.get("q", "").strip()
    if query:
        interventions = interventions.filter(
            Q(name__icontains=query)
            | Q(external_id__iexact=query)
            | Q(implementer_name__icontains=query)
            | Q(country_code__iexact=query)
        )
    counts = dict(Intervention.objects.values_list("curation").annotate(count=Count("pk")))
    states = [
        {"value": value, "label": label, "count": counts.get(value, 0)}
        for value, label in Curation.choices
    ]
    page = Paginator(interventions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "evidence/curation_list.html",
        {
            "page": page,
            "state": state,
            "mine": mine,
            "query": query,
            "states": states,
            "total": sum(counts.values()),
        },
    )


def _created_by(user) -> list[int]:
    # Who created an intervention is only in the audit log, which is its history.
    ids = AuditEntry.objects.filter(
        object_type=Intervention._meta.label_lower, action=AuditAction.CREATE, actor=user
    ).values_list("object_id", flat=True)
    return [int(pk) for pk in ids if pk.isdigit()]


# --- intervention ----------------------------------------------------------------------


@editor_required
def intervention_create(request: HttpRequest) -> HttpResponse:
    return _intervention_form(request, Intervention())


@editor_required
def intervention_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _intervention_form(request, _intervention(pk))


def _intervention_form(request: HttpRequest, intervention: Intervention) -> HttpResponse:
    creating = intervention.pk is None
    submitting = "submit" in request.POST
    if request.method == "POST":
        form = InterventionForm(request.POST, instance=intervention)
        sources = source_formset(request.POST, intervention, require_one=submitting)
        if form.is_valid() and sources.is_valid():
            saved = _save_intervention(request, form, sources, submitting, creating)
            if saved is not None:
                return redirect("evidence:curation:detail", saved.pk)
    else:
        form = InterventionForm(instance=intervention)
        sources = source_formset(None, intervention)
    return render(
        request,
        "evidence/form.html",
        {
            "form": form,
            "sources": sources,
            "intervention": intervention,
            "creating": creating,
            "currencies": _currency_codes(),
            "may_submit": creating or intervention.curation == Curation.DRAFT,
        },
    )


def _save_intervention(
    request: HttpRequest, form: InterventionForm, sources, submitting: bool, creating: bool
) -> Intervention | None:
    intervention = form.instance
    was = intervention.curation
    services.back_to_draft_if_changed(
        intervention, changed=form.has_changed() or sources.has_changed()
    )
    try:
        with transaction.atomic():
            saved = form.save_with(sources=sources.sources(), actor=request.user)
            if submitting:
                saved = services.submit(saved, request.user)
    except ValidationError as exc:
        if creating:
            intervention.pk = None  # the transaction was rolled back
        intervention.curation = was
        add_errors(form, exc)
        return None
    if submitting:
        messages.success(request, _("Saved and submitted for review."))
    elif saved.curation != was and not creating:
        messages.warning(
            request,
            _(
                "Saved. The changes have not been reviewed, so it is a draft again; "
                "submit it for review when ready."
            ),
        )
    else:
        messages.success(request, _("Saved."))
    return saved


def _currency_codes() -> list[tuple[str, str]]:
    import pycountry

    return sorted((currency.alpha_3, currency.name) for currency in pycountry.currencies)


@editor_required
def territory_search(request: HttpRequest) -> HttpResponse:
    """Territories matching a name or code, with the token to write in the form (htmx)."""
    query = request.GET.get("territory_q", "").strip()
    results = (
        (
            Territory.objects.search(query)
            .select_related("parent")
            .prefetch_related("codes")
            .order_by("level", "name")[:12]
        )
        if len(query) >= 2
        else []
    )
    return render(
        request,
        "evidence/_curation_territory_results.html",
        {
            "query": query,
            "results": [(t, importer.territory_token(t)) for t in results],
        },
    )


# --- detail ----------------------------------------------------------------------------


@editor_required
def intervention_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _intervention(pk))


def _render_detail(
    request: HttpRequest,
    intervention: Intervention,
    *,
    external_form: ExternalRatingForm | None = None,
    override_forms: dict[int, RatingOverrideForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    reviewer = services.can_review(user)
    evaluations = intervention.evaluations.select_related("country").prefetch_related(
        Prefetch("outcomes", queryset=Outcome.objects.order_by("outcome"))
    )
    ratings = list(intervention.ratings.select_related("overridden_by").order_by("outcome"))
    override_forms = override_forms or {}
    for rating in ratings:
        rating.form = override_forms.get(rating.pk) or RatingOverrideForm(
            initial={"rating": rating.override, "reason": rating.override_reason},
            prefix=f"rating-{rating.pk}",
        )
    tags = {
        kind: [vocabulary(code).label for code in intervention.codes(kind)]
        for kind, vocabulary in TAG_CHOICES.items()
    }
    curation = intervention.curation
    own_submission = intervention.submitted_by_id == user.pk and not user.is_superuser
    return render(
        request,
        "evidence/curation_detail.html",
        {
            "intervention": intervention,
            "territories": intervention.territories.select_related("parent"),
            "tags": tags,
            "evaluations": evaluations,
            "ratings": ratings,
            "external_ratings": _external_ratings(intervention),
            "external_form": external_form or ExternalRatingForm(),
            "history": [
                (
                    entry,
                    [
                        (name, _change(value))
                        for name, value in entry.changes.items()
                        if not _is_empty_change(value)
                    ],
                )
                for entry in AuditEntry.objects.about(intervention)[:100]
            ],
            "is_reviewer": reviewer,
            "actions": {
                "submit": curation == Curation.DRAFT,
                "review": reviewer and curation == Curation.SUBMITTED,
                "publish": reviewer and curation == Curation.REVIEWED,
                "unpublish": reviewer and curation != Curation.DRAFT,
            },
            "own_submission": own_submission,
        },
        status=status,
    )


def _external_ratings(intervention: Intervention) -> list[ExternalRating]:
    externals = list(intervention.external_ratings.all())
    for external in externals:
        mapped = external.mapped_rating
        external.mapped_label = Rating(mapped).label if mapped else ""
    return externals


EMPTY_VALUES: tuple[Any, ...] = (None, "", [], {})


def _is_empty_change(value: Any) -> bool:
    # A creation records every field; the ones left empty say nothing.
    return (
        isinstance(value, list) and len(value) == 2 and all(side in EMPTY_VALUES for side in value)
    )


def _change(value: Any) -> str:
    """A history change as text: "old → new" for the [old, new] pairs the services record."""
    if isinstance(value, list) and len(value) == 2:
        old, new = ("—" if side in EMPTY_VALUES else str(side) for side in value)
        return f"{old} → {new}"
    return str(value)


# --- curation steps --------------------------------------------------------------------

TRANSITIONS: dict[str, Callable[[Intervention, Any], Intervention]] = {
    "submit": services.submit,
    "review": services.review,
    "publish": services.publish,
    "unpublish": services.unpublish,
}


@editor_required
@require_POST
def transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    intervention = _intervention(pk)
    if action not in TRANSITIONS:
        raise Http404
    done = {
        "submit": _("Submitted for review."),
        "review": _("Marked as reviewed. It can now be published."),
        "publish": _("Published: it is now public."),
        "unpublish": _("Withdrawn from the public registry; it is a draft again."),
    }
    try:
        TRANSITIONS[action](intervention, request.user)  # PermissionDenied → 403
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done[action])
    return redirect("evidence:curation:detail", intervention.pk)


# --- evaluations -----------------------------------------------------------------------


@editor_required
def evaluation_create(request: HttpRequest, pk: int) -> HttpResponse:
    intervention = _intervention(pk)
    return _evaluation_form(request, intervention, Evaluation(intervention=intervention))


@editor_required
def evaluation_edit(request: HttpRequest, pk: int, evaluation_pk: int) -> HttpResponse:
    intervention = _intervention(pk)
    evaluation = get_object_or_404(intervention.evaluations, pk=evaluation_pk)
    return _evaluation_form(request, intervention, evaluation)


def _evaluation_form(
    request: HttpRequest, intervention: Intervention, evaluation: Evaluation
) -> HttpResponse:
    creating = evaluation.pk is None
    if request.method == "POST":
        form = EvaluationForm(request.POST, instance=evaluation)
        outcomes = OutcomeFormSet(request.POST, instance=evaluation, prefix="outcomes")
        if form.is_valid() and outcomes.is_valid():
            before = "" if creating else services.describe_evaluation(evaluation)
            with transaction.atomic():
                evaluation = form.save()
                outcomes.instance = evaluation
                outcomes.save()
                services.evaluation_saved(evaluation, before, request.user)
            messages.success(request, _("Evaluation saved; the ratings were recomputed."))
            return redirect(
                reverse("evidence:curation:detail", args=[intervention.pk]) + "#evaluations"
            )
    else:
        form = EvaluationForm(instance=evaluation)
        outcomes = OutcomeFormSet(instance=evaluation, prefix="outcomes")
    return render(
        request,
        "evidence/evaluation_form.html",
        {
            "intervention": intervention,
            "evaluation": evaluation,
            "form": form,
            "outcomes": outcomes,
            "creating": creating,
        },
    )


@editor_required
@require_POST
def evaluation_delete(request: HttpRequest, pk: int, evaluation_pk: int) -> HttpResponse:
    intervention = _intervention(pk)
    evaluation = get_object_or_404(intervention.evaluations, pk=evaluation_pk)
    services.delete_evaluation(evaluation, request.user)
    messages.success(request, _("Evaluation deleted; the ratings were recomputed."))
    return redirect(reverse("evidence:curation:detail", args=[intervention.pk]) + "#evaluations")


# --- ratings ---------------------------------------------------------------------------


@editor_required
@require_POST
def external_rating_create(request: HttpRequest, pk: int) -> HttpResponse:
    intervention = _intervention(pk)
    form = ExternalRatingForm(request.POST, instance=ExternalRating(intervention=intervention))
    if not form.is_valid():
        return _render_detail(request, intervention, external_form=form, status=400)
    rating = form.save()
    audit.record(
        AuditAction.UPDATE,
        intervention,
        actor=request.user,
        changes={"external_rating": ["", str(rating)]},
    )
    messages.success(request, _("External rating added."))
    return redirect(reverse("evidence:curation:detail", args=[intervention.pk]) + "#ratings")


@editor_required
@require_POST
def external_rating_delete(request: HttpRequest, pk: int, rating_pk: int) -> HttpResponse:
    intervention = _intervention(pk)
    rating = get_object_or_404(intervention.external_ratings, pk=rating_pk)
    with transaction.atomic():
        rating.delete()
        audit.record(
            AuditAction.UPDATE,
            intervention,
            actor=request.user,
            changes={"external_rating": [str(rating), ""]},
        )
    messages.success(request, _("External rating removed."))
    return redirect(reverse("evidence:curation:detail", args=[intervention.pk]) + "#ratings")


@editor_required
@require_POST
def rating_override(request: HttpRequest, pk: int, rating_pk: int) -> HttpResponse:
    intervention = _intervention(pk)
    rating: EvidenceRating = get_object_or_404(intervention.ratings, pk=rating_pk)
    form = RatingOverrideForm(request.POST, prefix=f"rating-{rating.pk}")
    if not form.is_valid():
        return _render_detail(request, intervention, override_forms={rating.pk: form}, status=400)
    try:
        services.override_rating(  # PermissionDenied for non-reviewers → 403
            rating, form.cleaned_data["rating"], form.cleaned_data["reason"], request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Rating saved."))
    return redirect(reverse("evidence:curation:detail", args=[intervention.pk]) + "#ratings")


# --- import ----------------------------------------------------------------------------


@editor_required
def import_upload(request: HttpRequest) -> HttpResponse:
    """Step 1: choose a file. Step 2 (POST): the dry run's report, and a confirm button."""
    may_publish = access.is_administrator(request.user)
    if request.method != "POST":
        return render(
            request,
            "evidence/import.html",
            {
                "form": ImportForm(may_publish=may_publish),
                "columns": importer.COLUMNS,
            },
        )
    form = ImportForm(request.POST, request.FILES, may_publish=may_publish)
    if not form.is_valid():
        return render(
            request,
            "evidence/import.html",
            {
                "form": form,
                "columns": importer.COLUMNS,
            },
            status=400,
        )
    upload = form.cleaned_data["file"]
    publish = bool(form.cleaned_data.get("publish"))
    token = _stage(request, upload, publish)
    staged = request.session[STAGED_IMPORTS][token]
    problems: list[Any] = []
    plan = None
    with local_copy(default_storage, staged["storage_name"]) as path:
        try:
            plan = importer.check(path, name=upload.name, publish=publish)
        except BadFile as exc:
            problems = exc.problems
    if problems:
        _unstage(request, token)  # nothing to confirm: the file has to be corrected first
    return render(
        request,
        "evidence/import_report.html",
        {
            "file_name": upload.name,
            "problems": problems,
            "plan": plan,
            "counts": plan.outcomes() if plan else None,
            "notes": plan.notes() if plan else [],
            "token": token if not problems else "",
            "publish": publish,
        },
    )


@editor_required
@require_POST
def import_confirm(request: HttpRequest) -> HttpResponse:
    """Step 3: the checked file becomes a background job; its page shows the outcome."""
    token = request.POST.get("token", "")
    staged = request.session.get(STAGED_IMPORTS, {}).get(token)
    # A checked file left unconfirmed is deleted after a day (jobs.retention).
    if staged is None or not default_storage.exists(staged["storage_name"]):
        _unstage(request, token)
        messages.error(request, _("That upload is no longer available; choose the file again."))
        return redirect("evidence:curation:import")
    if staged["publish"] and not access.is_administrator(request.user):
        raise Http404
    with default_storage.open(staged["storage_name"], "rb") as handle:
        job = jobs.enqueue(
            IMPORT_JOB,
            _("Import of interventions: %(file)s") % {"file": staged["name"]},
            {"file_name": staged["name"], "publish": staged["publish"]},
            user=request.user,
            upload=UploadedFile(handle, name=staged["name"]),
        )
    _unstage(request, token)
    return redirect("jobs:detail", job.pk)


def _stage(request: HttpRequest, upload: UploadedFile, publish: bool) -> str:
    """Keep the upload between the dry run and the confirmation; one per user at a time."""
    for token in list(request.session.get(STAGED_IMPORTS, {})):
        _unstage(request, token)
    token = uuid.uuid4().hex
    suffix = Path(upload.name or "").suffix.lower()[:6]
    storage_name = default_storage.save(f"evidence/staged/{token}{suffix}", upload)
    request.session[STAGED_IMPORTS] = {
        token: {
            "storage_name": storage_name,
            "name": upload.name,
            "publish": publish,
        }
    }
    return token


def _unstage(request: HttpRequest, token: str) -> None:
    staged = request.session.get(STAGED_IMPORTS, {})
    entry = staged.pop(token, None)
    request.session[STAGED_IMPORTS] = staged
    if entry is not None and default_storage.exists(entry["storage_name"]):
        default_storage.delete(entry["storage_name"])
