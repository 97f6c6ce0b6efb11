"""The studies pages: thin views over ``permissions`` and ``services``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from convivencia.core.forms import add_errors
from convivencia.studies import analysis, exchange, permissions, services
from convivencia.studies.choices import ATTRIBUTE_LABELS, CASE_ATTRIBUTES
from convivencia.studies.forms import (
    CodebookUploadForm,
    CodeForm,
    CoderPairForm,
    DeidentifyForm,
    DocumentForm,
    FindingForm,
    MemberForm,
    SegmentForm,
    StudyForm,
)
from convivencia.studies.importers.codebook import import_codebook
from convivencia.studies.models import Finding


def _form_page(
    request: HttpRequest, form: Any, title: str, back: str, **extra: Any
) -> HttpResponse:
    context = {"form": form, "title": title, "back": back, **extra}
    return render(request, "studies/form.html", context, status=400 if form.errors else 200)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    studies = permissions.visible_studies(request.user).select_related("territory", "process")
    return render(
        request,
        "studies/index.html",
        {
            "studies": studies,
            "team_ids": set(permissions.team_studies(request.user).values_list("pk", flat=True)),
            "may_create": permissions.may_create_studies(request.user),
        },
    )


@login_required
def create(request: HttpRequest) -> HttpResponse:
    if not permissions.may_create_studies(request.user):
        raise Http404
    form = StudyForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        study = services.create_study(actor=request.user, request=request, **form.cleaned_data)
        messages.success(request, _("Study created with the root-causes codebook."))
        return redirect("studies:study", study.pk)
    return _form_page(request, form, _("New study"), reverse("studies:index"))


@login_required
def study(request: HttpRequest, pk: int) -> HttpResponse:
    study, may_manage = permissions.study_or_404(request.user, pk)
    role = services.study_role(request.user, study)
    context = {
        "study": study,
        "may_manage": may_manage,
        "role": role,
        "members": study.members.select_related("user"),
        "documents": study.documents.all() if role else None,
        "findings": study.findings.prefetch_related("codes", "concerns") if role else None,
    }
    return render(request, "studies/study.html", context)


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    study, may_manage = permissions.study_or_404(request.user, pk)
    if not may_manage:
        raise PermissionDenied
    form = StudyForm(request.POST or None, instance=study, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.update_study(form.save(commit=False), actor=request.user, request=request)
        return redirect("studies:study", study.pk)
    return _form_page(request, form, _("Edit the study"), reverse("studies:study", args=[pk]))


@login_required
def team(request: HttpRequest, pk: int) -> HttpResponse:
    study, may_manage = permissions.study_or_404(request.user, pk)
    if not may_manage:
        raise PermissionDenied
    form = MemberForm(request.POST or None)
    if request.method == "POST" and "remove" in request.POST:
        member = study.members.filter(pk=request.POST["remove"]).select_related("user").first()
        if member is None:
            raise Http404
        try:
            services.remove_member(study, member.user, actor=request.user, request=request)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("studies:team", pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_member(
                study,
                form.cleaned_data["username"],
                form.cleaned_data["role"],
                actor=request.user,
                request=request,
            )
            return redirect("studies:team", pk)
        except ValidationError as error:
            add_errors(form, error)
    context = {"study": study, "form": form, "members": study.members.select_related("user")}
    return render(request, "studies/team.html", context, status=400 if form.errors else 200)


# --- the codebook -------------------------------------------------------------------------


@login_required
def codebook(request: HttpRequest, pk: int) -> HttpResponse:
    study, coordinates = permissions.team_study_or_404(request.user, pk)
    form = CodeForm(request.POST or None, study=study)
    if request.method == "POST":
        if not coordinates:
            raise PermissionDenied
        if "seed" in request.POST:
            added = services.seed_codebook(study)
            messages.success(request, _("%(n)d codes added from the template.") % {"n": added})
            return redirect("studies:codebook", pk)
        if form.is_valid():
            code = form.save(commit=False)
            code.position = services.next_position(study)
            code.save()
            return redirect("studies:codebook", pk)
    context = {
        "study": study,
        "tree": services.codebook_tree(study),
        "form": form if coordinates else None,
        "upload": CodebookUploadForm() if coordinates else None,
    }
    return render(request, "studies/codebook.html", context, status=400 if form.errors else 200)


@login_required
def code_edit(request: HttpRequest, pk: int) -> HttpResponse:
    code, coordinates = permissions.code_or_404(request.user, pk)
    if not coordinates:
        raise PermissionDenied
    form = CodeForm(request.POST or None, instance=code, study=code.study)
    if request.method == "POST" and form.is_valid():
        form.save()
        return redirect("studies:codebook", code.study_id)
    return _form_page(
        request, form, _("Edit the code"), reverse("studies:codebook", args=[code.study_id])
    )


@login_required
@require_POST
def codebook_import(request: HttpRequest, pk: int) -> HttpResponse:
    study, coordinates = permissions.team_study_or_404(request.user, pk)
    if not coordinates:
        raise PermissionDenied
    form = CodebookUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            result = import_codebook(study, form.cleaned_data["file"].read())
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("Codebook imported: %(new)d new codes, %(old)d updated.")
                % {"new": len(result.created), "old": len(result.updated)},
            )
            return redirect("studies:codebook", pk)
    context = {
        "study": study,
        "tree": services.codebook_tree(study),
        "form": CodeForm(study=study),
        "upload": form,
    }
    return render(request, "studies/codebook.html", context, status=400)


def _download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def codebook_export(request: HttpRequest, pk: int) -> HttpResponse:
    study, _coordinates = permissions.team_study_or_404(request.user, pk)
    if not study.codes.exists():
        messages.error(request, _("The codebook is empty: add a code first."))
        return redirect("studies:codebook", pk)
    return _download(exchange.codebook_qdc(study), f"study-{pk}.qdc", "application/xml")


@login_required
def project_export(request: HttpRequest, pk: int) -> HttpResponse:
    study, _coordinates = permissions.team_study_or_404(request.user, pk)
    return _download(exchange.project_qdpx(study), f"study-{pk}.qdpx", "application/zip")


@login_required
def segments_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    study, _coordinates = permissions.team_study_or_404(request.user, pk)
    response = StreamingHttpResponse(exchange.segments_csv(study), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="study-{pk}-segments.csv"'
    return response


@login_required
def segments_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    study, _coordinates = permissions.team_study_or_404(request.user, pk)
    return _download(
        exchange.segments_xlsx(study),
        f"study-{pk}-segments.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


# --- documents ----------------------------------------------------------------------------


@login_required
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    study, _coordinates = permissions.team_study_or_404(request.user, pk)
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        upload, pasted = data.pop("file"), data.pop("pasted")
        try:
            if upload:
                text, source_format = services.extract_text(upload)
            else:
                text, source_format = services.normalise_text(pasted), "text"
        except ValidationError as error:
            add_errors(form, error)
        else:
            document = services.add_document(
                study,
                text=text,
                source_format=source_format,
                actor=request.user,
                request=request,
                **data,
            )
            return redirect("studies:deidentify", document.pk)
    return _form_page(
        request,
        form,
        _("Add a document"),
        reverse("studies:study", args=[pk]),
        multipart=True,
        note=_(
            "Nobody else reads it until you have replaced the names of people and places "
            "on the next page."
        ),
    )


@login_required
def document(request: HttpRequest, pk: int) -> HttpResponse:
    document, coordinates = permissions.document_or_404(request.user, pk)
    study = document.study
    segments = document.segments.select_related("coder").prefetch_related("codes")
    # Coders work blind by default, so that their agreement means something; anyone on
    # the team may then compare.
    show_all = request.GET.get("all") == "1"
    if not show_all:
        segments = segments.filter(coder_id=request.user.pk)
    context = {
        "show_all": show_all,
        "document": document,
        "study": study,
        "coordinates": coordinates,
        "may_deidentify": permissions.may_deidentify(request.user, document),
        "tree": services.codebook_tree(study),
        "segments": segments,
        "runs": services.runs(document.text, list(segments)) if document.is_ready else [],
        "form": SegmentForm(study=study),
    }
    return render(request, "studies/document.html", context)


@login_required
def deidentify(request: HttpRequest, pk: int) -> HttpResponse:
    document, _coordinates = permissions.document_or_404(request.user, pk)
    if not permissions.may_deidentify(request.user, document):
        raise PermissionDenied
    original = services.read_original(document, request=request)
    if request.method == "POST":
        form = DeidentifyForm(request.POST)
    else:
        form = DeidentifyForm(
            initial={"people": "\n".join(services.suggest_names(document, original))}
        )
    if request.method == "POST" and form.is_valid():
        try:
            replaced = services.deidentify(
                document,
                people=services.parse_names(form.cleaned_data["people"]),
                places=services.parse_names(form.cleaned_data["places"]),
                actor=request.user,
                request=request,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            missing = [r.name for r in replaced if r.count == 0]
            messages.success(
                request,
                _("%(n)d names replaced by pseudonyms; the team can now code the document.")
                % {"n": len(replaced) - len(missing)},
            )
            if missing:
                messages.warning(
                    request, _("Not found in the text: %(names)s") % {"names": ", ".join(missing)}
                )
            return redirect("studies:document", document.pk)
    context = {"document": document, "original": original, "form": form}
    return render(request, "studies/deidentify.html", context, status=400 if form.errors else 200)


@login_required
def original(request: HttpRequest, pk: int) -> HttpResponse:
    document, coordinates = permissions.document_or_404(request.user, pk)
    if not coordinates:
        raise PermissionDenied
    text = services.read_original(document, request=request)
    return render(request, "studies/original.html", {"document": document, "original": text})


@login_required
@require_POST
def segment_create(request: HttpRequest, pk: int) -> HttpResponse:
    document, _coordinates = permissions.document_or_404(request.user, pk)
    form = SegmentForm(request.POST, study=document.study)
    if form.is_valid():
        try:
            services.code_segment(
                document,
                coder=request.user,
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                codes=list(form.cleaned_data["codes"]),
                memo=form.cleaned_data["memo"],
            )
        except ValidationError as error:
            add_errors(form, error)
    if form.errors:
        problems = "; ".join(str(message) for errors in form.errors.values() for message in errors)
        messages.error(request, _("Nothing was coded: %(why)s") % {"why": problems})
        return redirect("studies:document", document.pk)
    messages.success(request, _("Segment coded."))
    return redirect(reverse("studies:document", args=[document.pk]) + "#segments")


@login_required
@require_POST
def segment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    segment, may_delete = permissions.segment_or_404(request.user, pk)
    if not may_delete:
        raise PermissionDenied
    document_pk = segment.document_id
    services.delete_segment(segment, actor=request.user, request=request)
    return redirect(reverse("studies:document", args=[document_pk]) + "#segments")


# --- analysis and findings ----------------------------------------------------------------


@login_required
def analysis_page(request: HttpRequest, pk: int) -> HttpResponse:
    study, _coordinates = permissions.team_study_or_404(request.user, pk)
    coders = analysis.coders(study)
    attribute = request.GET.get("by", "actor_type")
    if attribute not in CASE_ATTRIBUTES:
        attribute = "actor_type"
    pair = CoderPairForm(request.GET if "coder_a" in request.GET else None, coders=coders)
    agreement = None
    if pair.is_bound and pair.is_valid():
        agreement = analysis.agreement(
            study, pair.cleaned_data["coder_a"], pair.cleaned_data["coder_b"]
        )
    elif not pair.is_bound and len(coders) >= 2:
        agreement = analysis.agreement(study, coders[0], coders[1])
        pair = CoderPairForm(initial={"coder_a": coders[0], "coder_b": coders[1]}, coders=coders)
    context = {
        "study": study,
        "attribute": attribute,
        "attributes": list(ATTRIBUTE_LABELS.items()),
        "frequencies": analysis.frequencies(study, attribute),
        "cooccurrence": analysis.cooccurrence(study)[:20],
        "by_code": analysis.segments_by_code(study),
        "pair": pair,
        "agreement": agreement,
    }
    return render(request, "studies/analysis.html", context)


def _finding_page(request: HttpRequest, finding: Finding, coordinates: bool) -> HttpResponse:
    study = finding.study
    form = FindingForm(request.POST or None, instance=finding, study=study, may_publish=coordinates)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_finding(
                form.save(commit=False),
                codes=form.cleaned_data["codes"],
                segments=form.cleaned_data["segments"],
                concerns=form.cleaned_data["concerns"],
                actor=request.user,
                request=request,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            return redirect(reverse("studies:study", args=[study.pk]) + "#findings")
    title = _("Edit the finding") if finding.pk else _("New finding")
    return _form_page(request, form, title, reverse("studies:study", args=[study.pk]))


@login_required
def finding_create(request: HttpRequest, pk: int) -> HttpResponse:
    study, coordinates = permissions.team_study_or_404(request.user, pk)
    return _finding_page(request, Finding(study=study), coordinates)


@login_required
def finding_edit(request: HttpRequest, pk: int) -> HttpResponse:
    finding, coordinates = permissions.finding_or_404(request.user, pk)
    return _finding_page(request, finding, coordinates)
