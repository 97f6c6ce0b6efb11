"""/api/v1/studies/: characterization studies, their codebooks, coded segments and
findings (read only).

The rules of the pages: a signed-in caller lists the studies they may see (their team's,
and as a territory coordinator those of their territories); codes, segments and findings
are for the study's team only (403 for a coordinator who sees the study from outside
the team, 404 for anyone else). Segments carry de-identified text only.
"""

# No `from __future__ import annotations` here: ninja reads the endpoint
# signatures at import time and cannot resolve string annotations.
import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from convivencia.api.auth import LOGIN_REQUIRED
from convivencia.api.errors import ApiError, ErrorBody
from convivencia.api.pagination import PageNumberPagination
from convivencia.studies import permissions
from convivencia.studies.models import Code, Finding, Segment, Study

router = Router(tags=["studies"], auth=LOGIN_REQUIRED)

ERRORS = {400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody}


class StudyOut(Schema):
    id: int
    title: str
    territory: int = Field(description="The territory's id.")
    territory_name: str
    process: int | None = Field(description="The dialogue process it prepares, if any.")
    research_questions: str
    methods: str
    on_team: bool = Field(description="Whether you may read its documents.")
    created_at: datetime.datetime
    url: str

    @staticmethod
    def resolve_territory(study: Study) -> int:
        return study.territory_id

    @staticmethod
    def resolve_territory_name(study: Study) -> str:
        return study.territory.name

    @staticmethod
    def resolve_process(study: Study) -> int | None:
        return study.process_id

    @staticmethod
    def resolve_on_team(study: Study) -> bool:
        return study.on_team  # type: ignore[attr-defined]  # permissions.with_team_flag

    @staticmethod
    def resolve_url(study: Study, context: dict[str, Any]) -> str:
        return context["request"].build_absolute_uri(reverse("studies:study", args=[study.pk]))


class CodeOut(Schema):
    id: int
    guid: str = Field(description="The code's REFI-QDA GUID.")
    name: str
    parent: int | None
    definition: str
    include_rule: str
    exclude_rule: str
    colour: str

    @staticmethod
    def resolve_guid(code: Code) -> str:
        return str(code.guid).upper()

    @staticmethod
    def resolve_parent(code: Code) -> int | None:
        return code.parent_id


class SegmentOut(Schema):
    id: int
    document: int
    document_title: str
    coder: str = Field(description="The coder's user name.")
    start: int = Field(description="First character (code point) of the de-identified text.")
    end: int = Field(description="One past the last character.")
    text: str = Field(description="The de-identified span.")
    codes: list[int]
    memo: str

    @staticmethod
    def resolve_document(segment: Segment) -> int:
        return segment.document_id

    @staticmethod
    def resolve_document_title(segment: Segment) -> str:
        return segment.document.title

    @staticmethod
    def resolve_coder(segment: Segment) -> str:
        return segment.coder.get_username()

    @staticmethod
    def resolve_text(segment: Segment) -> str:
        return segment.quote

    @staticmethod
    def resolve_codes(segment: Segment) -> list[int]:
        return [code.pk for code in segment.codes.all()]


class FindingOut(Schema):
    id: int
    statement: str
    is_root_cause: bool
    is_publishable: bool
    codes: list[int]
    segments: list[int]
    concerns: list[int] = Field(description="Ids of the dialogue concerns it answers.")

    @staticmethod
    def resolve_codes(finding: Finding) -> list[int]:
        return [code.pk for code in finding.codes.all()]

    @staticmethod
    def resolve_segments(finding: Finding) -> list[int]:
        return [segment.pk for segment in finding.segments.all()]

    @staticmethod
    def resolve_concerns(finding: Finding) -> list[int]:
        return [concern.pk for concern in finding.concerns.all()]


def _team_study(request: HttpRequest, study_id: int) -> Study:
    try:
        study, _coordinates = permissions.team_study_or_404(request.user, study_id)
    except Http404 as exc:
        raise ApiError(404, _("Not found.")) from exc
    except PermissionDenied as exc:
        raise ApiError(
            403, _("Only the study's team reads its codes, segments and findings.")
        ) from exc
    return study


@router.get(
    "/",
    response={200: list[StudyOut], **ERRORS},
    url_name="study-list",
    summary="Characterization studies you may see",
)
@paginate(PageNumberPagination)
def list_studies(request: HttpRequest) -> QuerySet[Study]:
    """Your team's studies and, as a territory coordinator, your territories' studies."""
    studies = permissions.visible_studies(request.user).select_related("territory")
    return permissions.with_team_flag(studies, request.user)


@router.get(
    "/{int:study_id}/",
    response={200: StudyOut, **ERRORS},
    url_name="study-detail",
    summary="One study",
)
def get_study(request: HttpRequest, study_id: int) -> Study:
    studies = permissions.visible_studies(request.user).filter(pk=study_id)
    study = permissions.with_team_flag(studies, request.user).first()
    if study is None:
        raise ApiError(404, _("Not found."))
    return study


@router.get(
    "/{int:study_id}/codes",
    response={200: list[CodeOut], **ERRORS},
    url_name="study-codes",
    summary="A study's codebook",
)
def list_codes(request: HttpRequest, study_id: int) -> QuerySet[Code]:
    return _team_study(request, study_id).codes.all()


@router.get(
    "/{int:study_id}/segments",
    response={200: list[SegmentOut], **ERRORS},
    url_name="study-segments",
    summary="A study's coded segments (de-identified text)",
)
@paginate(PageNumberPagination)
def list_segments(request: HttpRequest, study_id: int) -> QuerySet[Segment]:
    study = _team_study(request, study_id)
    return (
        Segment.objects.filter(document__study=study)
        .select_related("document", "coder")
        .prefetch_related("codes")
    )


@router.get(
    "/{int:study_id}/findings",
    response={200: list[FindingOut], **ERRORS},
    url_name="study-findings",
    summary="A study's findings",
)
def list_findings(request: HttpRequest, study_id: int) -> QuerySet[Finding]:
    study = _team_study(request, study_id)
    return study.findings.prefetch_related("codes", "segments", "concerns")
