"""Characterization studies: the study, its team, documents, codebook, coded segments,
pseudonyms and findings.

A document's original text is personal data (a transcript names people): it is stored
encrypted (``original_encrypted``) with the keys of the contact data, and only the
de-identified ``text`` is shown to coders. Segment offsets count characters (code points)
of that de-identified text, as REFI-QDA's ``startPosition``/``endPosition`` do.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from convivencia.studies.choices import (
    ActorType,
    AgeBand,
    DocumentKind,
    DocumentStatus,
    Language,
    NameKind,
    Sex,
    SourceFormat,
    StudyRole,
)

COLOUR = RegexValidator(r"^#[0-9A-Fa-f]{6}$", _("A colour is written #RRGGBB, e.g. #C0392B."))


class Study(models.Model):
    """A qualitative characterization study of one territory, before or during a dialogue."""

    territory = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("territory"),
        on_delete=models.PROTECT,
        related_name="studies",
    )
    process = models.ForeignKey(
        "dialogues.Process",
        verbose_name=_("dialogue process"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="studies",
        help_text=_("The dialogue this study prepares, if any."),
    )
    title = models.CharField(_("title"), max_length=200)
    research_questions = models.TextField(_("research questions"), blank=True)
    methods = models.TextField(_("methods"), blank=True)
    consent_protocol = models.TextField(
        _("consent protocol"),
        blank=True,
        help_text=_("How participants are informed and how their consent is recorded."),
    )
    guid = models.UUIDField(_("exchange identifier"), default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("study")
        verbose_name_plural = _("studies")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class StudyMember(models.Model):
    """A person on a study's team: only the team sees its documents."""

    study = models.ForeignKey(
        Study, verbose_name=_("study"), on_delete=models.CASCADE, related_name="members"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="study_memberships",
    )
    role = models.CharField(_("role in the study"), max_length=12, choices=StudyRole.choices)

    class Meta:
        verbose_name = _("study team member")
        verbose_name_plural = _("study team members")
        ordering = ["study", "role", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["study", "user"], name="one_membership_per_study")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class Code(models.Model):
    """A code of the study's hierarchical codebook."""

    study = models.ForeignKey(
        Study, verbose_name=_("study"), on_delete=models.CASCADE, related_name="codes"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent code"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    name = models.CharField(_("name"), max_length=120)
    definition = models.TextField(_("definition"), blank=True)
    include_rule = models.TextField(_("include when"), blank=True)
    exclude_rule = models.TextField(_("exclude when"), blank=True)
    colour = models.CharField(_("colour"), max_length=7, default="#2980B9", validators=[COLOUR])
    position = models.PositiveIntegerField(_("position"), default=0)
    guid = models.UUIDField(_("exchange identifier"), default=uuid.uuid4, editable=False)

    class Meta:
        verbose_name = _("code")
        verbose_name_plural = _("codes")
        ordering = ["study", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["study", "name"], name="unique_code_name_per_study"),
            models.UniqueConstraint(fields=["study", "guid"], name="unique_code_guid_per_study"),
        ]

    def __str__(self) -> str:
        return self.name


class Document(models.Model):
    """An interview, focus group, field note or open answer, with its case attributes."""

    study = models.ForeignKey(
        Study, verbose_name=_("study"), on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(
        _("title"), max_length=200, help_text=_("Without names: e.g. 'Entrevista 3, comuna 7'.")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=DocumentKind.choices)
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, default=Language.SPANISH
    )
    date = models.DateField(_("date"), null=True, blank=True)
    locality = models.CharField(_("locality"), max_length=120, blank=True)
    actor_type = models.CharField(
        _("actor type"), max_length=20, choices=ActorType.choices, blank=True
    )
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, blank=True)
    age_band = models.CharField(_("age band"), max_length=10, choices=AgeBand.choices, blank=True)
    source_format = models.CharField(
        _("uploaded as"), max_length=5, choices=SourceFormat.choices, default=SourceFormat.TEXT
    )
    original_encrypted = models.TextField(_("original text (encrypted)"), editable=False)
    text = models.TextField(_("de-identified text"), blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.PENDING
    )
    guid = models.UUIDField(_("exchange identifier"), default=uuid.uuid4, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["study", "date", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_ready(self) -> bool:
        return self.status == DocumentStatus.READY


class Pseudonym(models.Model):
    """A stable stand-in for a name within one study: the same name gets the same label in
    every document. The name itself is kept encrypted; ``digest`` finds it again."""

    study = models.ForeignKey(
        Study, verbose_name=_("study"), on_delete=models.CASCADE, related_name="pseudonyms"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=NameKind.choices)
    digest = models.CharField(_("digest of the folded name"), max_length=64, editable=False)
    name_encrypted = models.TextField(_("name (encrypted)"), editable=False)
    label = models.CharField(_("pseudonym"), max_length=40)

    class Meta:
        verbose_name = _("pseudonym")
        verbose_name_plural = _("pseudonyms")
        ordering = ["study", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["study", "digest"], name="one_pseudonym_per_name"),
            models.UniqueConstraint(fields=["study", "label"], name="unique_pseudonym_label"),
        ]

    def __str__(self) -> str:
        return self.label


class Segment(models.Model):
    """A span of a de-identified document coded by one coder with one or more codes."""

    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.CASCADE, related_name="segments"
    )
    coder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coder"),
        on_delete=models.PROTECT,
        related_name="study_segments",
    )
    start = models.PositiveIntegerField(_("start (character)"))
    end = models.PositiveIntegerField(_("end (character)"))
    codes = models.ManyToManyField(Code, verbose_name=_("codes"), related_name="segments")
    memo = models.TextField(_("memo"), blank=True)
    guid = models.UUIDField(_("exchange identifier"), default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(_("coded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("coded segment")
        verbose_name_plural = _("coded segments")
        ordering = ["document", "start", "end", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="segment_not_empty"
            )
        ]

    def __str__(self) -> str:
        return f"{self.document} [{self.start}:{self.end}]"

    @property
    def quote(self) -> str:
        return self.document.text[self.start : self.end]


class Finding(models.Model):
    """A statement the study supports, grounded in codes and segments, that a dialogue can
    act on. Only findings marked publishable reach the municipal brief."""

    study = models.ForeignKey(
        Study, verbose_name=_("study"), on_delete=models.CASCADE, related_name="findings"
    )
    statement = models.TextField(_("statement"))
    is_root_cause = models.BooleanField(_("a root cause of mistrust"), default=False)
    is_publishable = models.BooleanField(
        _("publishable"),
        default=False,
        help_text=_(
            "May be cited in the municipal brief. Check it holds no name, place or detail "
            "that identifies anyone."
        ),
    )
    codes = models.ManyToManyField(
        Code, verbose_name=_("codes"), related_name="findings", blank=True
    )
    segments = models.ManyToManyField(
        Segment, verbose_name=_("evidence segments"), related_name="findings", blank=True
    )
    concerns = models.ManyToManyField(
        "dialogues.Concern",
        verbose_name=_("dialogue concerns"),
        related_name="study_findings",
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["study", "-is_root_cause", "pk"]

    def __str__(self) -> str:
        return self.statement[:80]
