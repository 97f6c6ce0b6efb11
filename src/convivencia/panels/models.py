"""Perception panels: questionnaires, panels of leaders, monthly waves, answers, aggregates."""

from __future__ import annotations

import datetime
from typing import NamedTuple

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from convivencia.core.dates import parse_month
from convivencia.core.i18n import translated
from convivencia.panels.choices import (
    MISSING_CODES,
    AgeBand,
    Area,
    FieldUse,
    ItemType,
    LeaderRole,
    Provider,
    ReviewStatus,
    Sex,
    SubmissionSource,
    WaveStatus,
)


class Questionnaire(models.Model):
    """A versioned questionnaire. A territory's local version adds items to a base."""

    code = models.SlugField(_("code"), max_length=60)
    version = models.PositiveIntegerField(_("version"), default=1)
    title = models.JSONField(_("title"), default=dict, help_text=_('{"es": "…", "en": "…"}'))
    territory = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("territory"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Set for a territory's local version."),
    )
    based_on = models.ForeignKey(
        "self",
        verbose_name=_("based on"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="derived",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # What a form made elsewhere said of itself (XLSForm settings sheet), kept as written.
    form_id = models.CharField(_("form id"), max_length=255, blank=True)
    form_version = models.CharField(_("form version"), max_length=255, blank=True)
    default_language = models.CharField(_("default language"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="unique_questionnaire_version")
        ]

    def __str__(self) -> str:
        return f"{translated(self.title) or self.code} v{self.version}"


class Item(models.Model):
    """One question."""

    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name=_("questionnaire"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    code = models.CharField(_("code"), max_length=40, help_text=_("e.g. B18, AOJ11"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    type = models.CharField(_("type"), max_length=10, choices=ItemType.choices)
    wording = models.JSONField(_("wording"), default=dict)
    provider = models.CharField(
        _("provider"),
        max_length=30,
        choices=Provider.choices,
        blank=True,
        help_text=_("The institution this item is about, for trust items."),
    )
    scale_min = models.SmallIntegerField(_("scale minimum"), null=True, blank=True)
    scale_max = models.SmallIntegerField(_("scale maximum"), null=True, blank=True)
    top_min = models.SmallIntegerField(
        _("lowest favourable answer"),
        null=True,
        blank=True,
        help_text=_("Answers from here up count as trusting / favourable (5 on a 1–7 scale)."),
    )
    reverse_coded = models.BooleanField(
        _("reverse-coded"),
        default=False,
        help_text=_("A high answer means less trust or less safety; scores are flipped."),
    )
    relevant_item = models.ForeignKey(
        "self",
        verbose_name=_("shown only when"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dependents",
    )
    relevant_values = models.JSONField(
        _("has one of the answers"),
        default=list,
        blank=True,
    )
    required = models.BooleanField(_("required"), default=False)
    is_local = models.BooleanField(
        _("local item"), default=False, help_text=_("Chosen by the territory's community.")
    )

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["questionnaire", "position"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="unique_item_code")
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def text(self) -> str:
        return translated(self.wording)

    @property
    def is_numeric_scale(self) -> bool:
        return self.type == ItemType.SCALE and self.scale_min is not None

    def score(self, value: float) -> float:
        """The answer on the item's own range, flipped when reverse-coded."""
        if self.reverse_coded and self.scale_min is not None and self.scale_max is not None:
            return self.scale_min + self.scale_max - value
        return value

    def to_0_100(self, score: float) -> float:
        span = (self.scale_max or 1) - (self.scale_min or 0)
        return (score - (self.scale_min or 0)) / span * 100 if span else 0.0

    def is_top(self, score: float) -> bool:
        return self.top_min is not None and score >= self.top_min


class Choice(models.Model):
    """An answer option with its labels; 88 and 98 are the missing codes."""

    item = models.ForeignKey(
        Item, verbose_name=_("item"), on_delete=models.CASCADE, related_name="choices"
    )
    value = models.SmallIntegerField(_("value"))
    label = models.JSONField(_("label"), default=dict)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(
        _("name in the form"),
        max_length=255,
        blank=True,
        help_text=_("The choice's name in a form made elsewhere, kept as text."),
    )

    class Meta:
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        ordering = ["item", "position"]
        constraints = [
            models.UniqueConstraint(fields=["item", "value"], name="unique_choice_value")
        ]

    def __str__(self) -> str:
        return f"{self.value} {translated(self.label)}"

    @property
    def is_missing(self) -> bool:
        return self.value in MISSING_CODES


class PanelQuerySet(models.QuerySet["Panel"]):
    def visible_to(self, user, *roles: str) -> PanelQuerySet:
        from convivencia.accounts import access

        return access.scope(user, *roles).filter(self, "territory")


class Panel(models.Model):
    """The same leaders of one territory, asked every month."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    territory = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("territory"),
        on_delete=models.PROTECT,
        related_name="panels",
    )
    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name=_("questionnaire"),
        on_delete=models.PROTECT,
        related_name="panels",
    )
    local_provider_name = models.CharField(
        _("local provider"),
        max_length=200,
        blank=True,
        help_text=_("What the 'local provider' items ask about here."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = PanelQuerySet.as_manager()

    class Meta:
        verbose_name = _("panel")
        verbose_name_plural = _("panels")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name or self.code


class Respondent(models.Model):
    """A panel member, known by a pseudonymous code. Contact data is encrypted at rest."""

    panel = models.ForeignKey(
        Panel, verbose_name=_("panel"), on_delete=models.CASCADE, related_name="respondents"
    )
    code = models.CharField(_("code"), max_length=40)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, blank=True)
    age_band = models.CharField(_("age band"), max_length=10, choices=AgeBand.choices, blank=True)
    role = models.CharField(_("role"), max_length=15, choices=LeaderRole.choices, blank=True)
    area = models.CharField(_("area"), max_length=10, choices=Area.choices, blank=True)
    contact_encrypted = models.TextField(_("contact data (encrypted)"), blank=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("replaces"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )
    from_period = models.DateField(
        _("member from"), null=True, blank=True, help_text=_("First wave (month).")
    )
    until_period = models.DateField(_("member until"), null=True, blank=True)

    class Meta:
        verbose_name = _("respondent")
        verbose_name_plural = _("respondents")
        ordering = ["panel", "code"]
        constraints = [
            models.UniqueConstraint(fields=["panel", "code"], name="unique_respondent_code")
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def contact(self) -> dict[str, str]:
        from convivencia.panels import crypto

        return crypto.decrypt_json(self.contact_encrypted) if self.contact_encrypted else {}

    @contact.setter
    def contact(self, value: dict[str, str]) -> None:
        from convivencia.panels import crypto

        cleaned = {k: v for k, v in value.items() if v}
        self.contact_encrypted = crypto.encrypt_json(cleaned) if cleaned else ""

    def breakdown_keys(self) -> list[str]:
        return breakdown_keys(self.sex, self.age_band, self.role, self.area)


BREAKDOWN_ATTRIBUTES = ("sex", "age_band", "role", "area")


def breakdown_keys(*values: str) -> list[str]:
    """ "all" and an "attribute:value" key per value given, in BREAKDOWN_ATTRIBUTES order."""
    return [
        "all",
        *(
            f"{attribute}:{value}"
            for attribute, value in zip(BREAKDOWN_ATTRIBUTES, values, strict=True)
            if value
        ),
    ]


def period_of(text: str) -> datetime.date:
    """'2024-03' → 2024-03-01; ValueError otherwise (``core.dates.parse_month``)."""
    return parse_month(text)


class WaveQuerySet(models.QuerySet["Wave"]):
    def with_responses(self, name: str = "responses") -> WaveQuerySet:
        """Each wave with its submissions counted, as ``name``.

        Counted per wave in a correlated subquery (an index-only look-up on the
        one-submission-per-respondent constraint) rather than by joining and grouping:
        for a department's 40-odd panels PostgreSQL estimated ~1,500 waves and joined
        them by scanning every submission of the country (2 M rows, ~280 ms) instead of
        looking up the 59 waves asked for (~2 ms).
        """
        counted = (
            Submission.objects.filter(wave=models.OuterRef("pk"))
            .order_by()
            .values("wave")
            .annotate(count=models.Count("pk"))
            .values("count")
        )
        return self.annotate(
            **{name: Coalesce(models.Subquery(counted, output_field=models.IntegerField()), 0)}
        )


class Wave(models.Model):
    """One month of a panel."""

    panel = models.ForeignKey(
        Panel, verbose_name=_("panel"), on_delete=models.CASCADE, related_name="waves"
    )
    period = models.DateField(_("month"), help_text=_("The first day of the month."))
    status = models.CharField(
        _("status"), max_length=10, choices=WaveStatus.choices, default=WaveStatus.OPEN
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = WaveQuerySet.as_manager()

    class Meta:
        verbose_name = _("wave")
        verbose_name_plural = _("waves")
        ordering = ["panel", "period"]
        constraints = [
            models.UniqueConstraint(fields=["panel", "period"], name="one_wave_per_month")
        ]

    def __str__(self) -> str:
        return f"{self.panel.code} {self.label}"

    @property
    def label(self) -> str:
        return self.period.strftime("%Y-%m")

    @property
    def is_open(self) -> bool:
        return self.status == WaveStatus.OPEN


class Submission(models.Model):
    """One respondent's answers in one wave."""

    # No index of its own: the (wave, respondent) unique constraint starts with it.
    wave = models.ForeignKey(
        Wave,
        verbose_name=_("wave"),
        on_delete=models.CASCADE,
        related_name="submissions",
        db_index=False,
    )
    respondent = models.ForeignKey(
        Respondent,
        verbose_name=_("respondent"),
        on_delete=models.PROTECT,
        related_name="submissions",
    )
    instance_id = models.CharField(
        _("submission id"),
        max_length=100,
        unique=True,
        help_text=_("KoBoToolbox _uuid, ODK KEY or meta/instanceID; a repeat is stored once."),
    )
    source = models.CharField(_("source"), max_length=10, choices=SubmissionSource.choices)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    enumerator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("enumerator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    raw_values = models.JSONField(
        _("raw values"),
        default=dict,
        blank=True,
        help_text=_("Answers to questions that are not analysed (dates, places, repeats…)."),
    )
    review_status = models.CharField(
        _("review status"),
        max_length=12,
        choices=ReviewStatus.choices,
        blank=True,
        help_text=_("As reviewed in KoBoToolbox or ODK Central."),
    )

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.UniqueConstraint(
                fields=["wave", "respondent"], name="one_submission_per_respondent_and_wave"
            )
        ]

    def __str__(self) -> str:
        return self.instance_id


class Answer(models.Model):
    """One answer. Multiple choice: one row per option chosen. Narrow on purpose."""

    submission = models.ForeignKey(
        Submission,
        verbose_name=_("submission"),
        on_delete=models.CASCADE,
        related_name="answers",
    )
    # No index of its own: the (item, submission) index below starts with it, and every
    # index costs time on each of the millions of inserted rows.
    item = models.ForeignKey(
        Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    number = models.FloatField(_("value"), null=True, blank=True)
    missing = models.PositiveSmallIntegerField(
        _("missing code"), null=True, blank=True, help_text=_("88 don't know, 98 no answer")
    )
    text = models.TextField(_("text"), blank=True)

    # Answers are read by submission only (exports, rebuilds, paired changes), through
    # the submission's index. An (item, submission) index cost a tenth of every import
    # for the one query that needs it: the check that an item being deleted has no
    # answers (PROTECT), which then reads the table once, in the admin.

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self) -> str:
        return f"{self.item_id}={self.number if self.missing is None else self.missing}"


class SubmissionEdit(models.Model):
    """An earlier version of a submission, kept when an edit replaced it.

    ODK Collect and Enketo send an edit as a new instance whose ``meta/deprecatedID``
    names the one it replaces (``panels.edits``). The submission keeps its place
    (wave, respondent) under the new instanceID; each replaced version is a row
    here, so the chain reads instance by instance, oldest first.
    """

    wave = models.ForeignKey(
        Wave, verbose_name=_("wave"), on_delete=models.CASCADE, related_name="+"
    )
    respondent = models.ForeignKey(
        Respondent, verbose_name=_("respondent"), on_delete=models.PROTECT, related_name="+"
    )
    instance_id = models.CharField(_("submission id"), max_length=100, unique=True)
    replaced_by = models.CharField(_("replaced by"), max_length=100, db_index=True)
    source = models.CharField(_("source"), max_length=10, choices=SubmissionSource.choices)
    submitted_at = models.DateTimeField(_("submitted at"))
    received_at = models.DateTimeField(_("received at"))
    enumerator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("enumerator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answers = models.JSONField(
        _("answers"), default=list, help_text=_("[item code, value, missing code, text] each.")
    )
    raw_values = models.JSONField(_("raw values"), default=dict, blank=True)
    edited_at = models.DateTimeField(_("edited at"), default=timezone.now)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("edited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("replaced submission")
        verbose_name_plural = _("replaced submissions")
        ordering = ["edited_at", "pk"]

    def __str__(self) -> str:
        return f"{self.instance_id} → {self.replaced_by}"


class CollectCredential(models.Model):
    """A password for ODK Collect's HTTP Digest login (``panels.openrosa_auth``).

    Digest needs a secret the server can hash with the client's nonce, which a
    Django password hash cannot give; so a collector gets a random password for
    ODK Collect, shown once, and only its two Digest hashes (MD5 and SHA-256 of
    ``username:realm:password``, RFC 7616's H(A1)) are stored. The password is
    long and random, so these hashes reveal nothing a guess could find.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    username = models.CharField(_("username"), max_length=150, unique=True)
    ha1_md5 = models.CharField(_("H(A1), MD5"), max_length=32)
    ha1_sha256 = models.CharField(_("H(A1), SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("ODK Collect password")
        verbose_name_plural = _("ODK Collect passwords")

    def __str__(self) -> str:
        return self.username


class FieldMapping(models.Model):
    """One field of a form made elsewhere and what it is to Convivencia.

    Saved with the questionnaire and read by every file import and OpenRosa submission
    (``panels.mapping``): which field holds the respondent code, which feeds which item
    and which of its options means which answer, and which are kept raw.
    """

    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name=_("questionnaire"),
        on_delete=models.CASCADE,
        related_name="field_mappings",
    )
    name = models.CharField(
        _("field name"), max_length=255, help_text=_('With its groups: "group/question".')
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("type in the form"), max_length=100, blank=True)
    label = models.JSONField(_("label"), default=dict, blank=True)
    use = models.CharField(_("use"), max_length=15, choices=FieldUse.choices)
    item = models.ForeignKey(
        Item,
        verbose_name=_("item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="field_mappings",
    )
    options = models.JSONField(
        _("what each option means"),
        default=dict,
        blank=True,
        help_text=_('{"option name": value}; 88 don\'t know, 98 no answer.'),
    )

    class Meta:
        verbose_name = _("field mapping")
        verbose_name_plural = _("field mappings")
        ordering = ["questionnaire", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "name"], name="one_mapping_per_form_field"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} → {self.use}"

    @property
    def text(self) -> str:
        return translated(self.label) or self.name


class CellSums(NamedTuple):
    """One cell's sums read as plain values — the whole panel's (an aggregate row's
    columns) or one group's (an entry of ``Aggregate.breakdowns``); see analysis.Sums."""

    n: int
    n_missing: int
    n_top: int
    total: float
    total_sq: float
    counts: dict[str, int]


class Aggregate(models.Model):
    """Running sums for one item × wave, kept in step with every submission.

    Pages read these, never the raw answers. Sums are of scores (reverse-coding
    applied) on the item's own scale; ``rebuild_aggregates`` recomputes them.
    The columns hold the whole panel; ``breakdowns`` holds the same sums for each
    group of respondents ("sex:female", "role:jac", …) as
    ``{key: [n, n_missing, n_top, total, total_sq, counts]}``. One row per item and
    wave rather than one per group: an import wrote seventeen breakdown rows, with
    their index entries, for every row the maps and trends read.
    """

    # wave and territory have no index of their own: the unique constraint and the
    # (territory, …) index start with them, and each index slows every import.
    wave = models.ForeignKey(
        Wave,
        verbose_name=_("wave"),
        on_delete=models.CASCADE,
        related_name="aggregates",
        db_index=False,
    )
    # No index of its own: it cost an index write per aggregate row of every import.
    # Deleting an item (possible only for one without answers, so without aggregates:
    # Answer.item protects it) then scans the aggregates once, in the admin.
    item = models.ForeignKey(
        Item, verbose_name=_("item"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # Denormalised so national maps and trends filter without joins.
    item_code = models.CharField(_("item code"), max_length=40)
    territory = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("territory"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    period = models.DateField(_("month"))
    n = models.PositiveIntegerField(_("answers"), default=0)
    n_missing = models.PositiveIntegerField(_("don't know / no answer"), default=0)
    n_top = models.PositiveIntegerField(_("favourable answers"), default=0)
    total = models.FloatField(_("sum"), default=0)
    total_sq = models.FloatField(_("sum of squares"), default=0)
    counts = models.JSONField(_("answers per code"), default=dict)
    breakdowns = models.JSONField(
        _("sums per group of respondents"),
        default=dict,
        help_text=_('The same sums for each group ("sex:female", "role:jac", …).'),
    )

    class Meta:
        verbose_name = _("aggregate")
        verbose_name_plural = _("aggregates")
        constraints = [
            models.UniqueConstraint(fields=["wave", "item"], name="one_aggregate_per_item_and_wave")
        ]
        indexes = [
            models.Index(fields=["item_code", "period"], name="panels_aggregate_by_item"),
            models.Index(
                fields=["territory", "item_code", "period"], name="panels_aggregate_by_place"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.wave} {self.item_code}: n={self.n}"

    def cell(self, breakdown: str = "all") -> Aggregate | CellSums | None:
        """The sums of one group of respondents ("all": the row itself); None if it has none."""
        if breakdown == "all":
            return self
        sums = self.breakdowns.get(breakdown)
        return None if sums is None else CellSums(*sums)


class FormVersion(models.Model):
    """A token that changes whenever any questionnaire's items or choices change.

    Every import batch checks its values against the questionnaire's items and
    choices; it keeps them between batches under this token, which database
    triggers (migration 0003, ``core.versioning``) replace on every insert, update
    or delete of items and choices, from any process or code path. One row, id 1.
    """

    token = models.CharField(_("token"), max_length=40)

    class Meta:
        verbose_name = _("form version")
        verbose_name_plural = _("form versions")

    def __str__(self) -> str:
        return self.token
