"""Who sees which study records: one helper per object type, for pages and the API.

- a study is seen by its team (coordinators and analysts assigned to it) and by the
  coordinators and administrators of its territory, who set studies up;
- its documents, codes, segments and findings are seen by its team only: a territory
  coordinator who is not on the team is told no (403), anybody else learns nothing (404);
- a document awaiting de-identification is read only by its uploader and the study's
  coordinators (the de-identification page); the original text only by the study's
  coordinators, and each read is audited (``services.read_original``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from convivencia.accounts import access
from convivencia.accounts.choices import Role
from convivencia.studies import services
from convivencia.studies.models import Code, Document, Finding, Segment, Study, StudyMember


def visible_studies(user) -> QuerySet[Study]:
    if user is None or not user.is_authenticated:
        return Study.objects.none()
    managing = access.scope(user, Role.COORDINATOR)
    if managing.everywhere:
        return Study.objects.all()
    condition = Q(members__user=user)
    if not managing.is_empty:
        condition |= managing.q("territory")
    return Study.objects.filter(condition).distinct()


def with_team_flag(studies: QuerySet[Study], user) -> QuerySet[Study]:
    """The studies, each with ``on_team``: whether ``user`` is on its team, in the same
    query (a list of studies asks nothing more per study)."""
    return studies.annotate(
        on_team=Exists(StudyMember.objects.filter(study=OuterRef("pk"), user=user))
    )


def team_studies(user) -> QuerySet[Study]:
    if user is None or not user.is_authenticated:
        return Study.objects.none()
    return Study.objects.filter(members__user=user)


def study_or_404(user, pk: int) -> tuple[Study, bool]:
    """The study and whether the user may change it and its team."""
    study = visible_studies(user).filter(pk=pk).select_related("territory", "process").first()
    if study is None:
        raise Http404
    return study, services.can_manage(user, study)


def team_study_or_404(user, pk: int) -> tuple[Study, bool]:
    """A study whose documents the user may read, and whether they coordinate it."""
    study, _may_manage = study_or_404(user, pk)
    role = services.study_role(user, study)
    if role is None:
        raise PermissionDenied
    return study, services.is_study_coordinator(user, study)


def _in_team_study(user, study: Study) -> bool:
    """For records found by their own id: 404 to strangers, 403 to those who see the study."""
    if not visible_studies(user).filter(pk=study.pk).exists():
        raise Http404
    if not services.is_on_team(user, study):
        raise PermissionDenied
    return services.is_study_coordinator(user, study)


def document_or_404(user, pk: int) -> tuple[Document, bool]:
    """A document of a study the user is on the team of, and whether they coordinate it."""
    document = Document.objects.select_related("study__territory").filter(pk=pk).first()
    if document is None:
        raise Http404
    return document, _in_team_study(user, document.study)


def may_deidentify(user, document: Document) -> bool:
    return document.uploaded_by_id == user.pk or services.is_study_coordinator(user, document.study)


def code_or_404(user, pk: int) -> tuple[Code, bool]:
    code = Code.objects.select_related("study").filter(pk=pk).first()
    if code is None:
        raise Http404
    return code, _in_team_study(user, code.study)


def segment_or_404(user, pk: int) -> tuple[Segment, bool]:
    """A segment and whether the user may delete it (its coder or a study coordinator)."""
    segment = Segment.objects.select_related("document__study").filter(pk=pk).first()
    if segment is None:
        raise Http404
    coordinates = _in_team_study(user, segment.document.study)
    return segment, coordinates or segment.coder_id == user.pk


def finding_or_404(user, pk: int) -> tuple[Finding, bool]:
    finding = Finding.objects.select_related("study__territory").filter(pk=pk).first()
    if finding is None:
        raise Http404
    return finding, _in_team_study(user, finding.study)


def may_create_studies(user) -> bool:
    return not access.scope(user, Role.COORDINATOR).is_empty
