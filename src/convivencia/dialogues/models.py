"""Dialogue processes, sessions, concerns, commitments and their follow-up."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from convivencia.dialogues.choices import (
    AgendaOrigin,
    Attendance,
    InstrumentKind,
    Mode,
    ParticipantRole,
    Phase,
    Priority,
    ProposalStatus,
    RollUp,
    SessionKind,
    SessionStatus,
    UptakeStage,
    Verdict,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from convivencia.dialogues.services import Flags

PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


class ProcessQuerySet(models.QuerySet["Process"]):
    def published(self) -> ProcessQuerySet:
        return self.filter(is_published=True)


class Process(models.Model):
    """A dialogue process in one territory, from scoping to closing."""

    territory = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("territory"),
        on_delete=models.PROTECT,
        related_name="dialogue_processes",
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    phase = models.CharField(
        _("phase"), max_length=20, choices=Phase.choices, default=Phase.SCOPING
    )
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("facilitators"), blank=True, related_name="+"
    )
    partners = models.ManyToManyField(
        "accounts.Organisation",
        verbose_name=_("partner organisations"),
        blank=True,
        related_name="dialogue_processes",
    )
    plan_name = models.CharField(
        _("security plan"),
        max_length=200,
        blank=True,
        help_text=_("e.g. PISCC Popayán 2024–2027"),
    )
    plan_line = models.CharField(_("plan line code"), max_length=40, blank=True)
    plan_programme = models.CharField(_("plan programme code"), max_length=40, blank=True)
    is_published = models.BooleanField(
        _("public"),
        default=False,
        help_text=_("Its commitments and their follow-up are shown to the public."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ProcessQuerySet.as_manager()

    class Meta:
        verbose_name = _("dialogue process")
        verbose_name_plural = _("dialogue processes")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class Session(models.Model):
    """A dialogue, a preparatory meeting or a workshop."""

    process = models.ForeignKey(
        Process, verbose_name=_("process"), on_delete=models.CASCADE, related_name="sessions"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=SessionKind.choices)
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.IN_PERSON)
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    capacity = models.PositiveIntegerField(_("places"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=SessionStatus.choices, default=SessionStatus.PLANNED
    )
    minutes = models.TextField(pgettext_lazy("record of a meeting", "minutes"), blank=True)
    closing_report = models.TextField(_("closing report"), blank=True)
    curriculum_module = models.CharField(_("curriculum module"), max_length=200, blank=True)
    trainers = models.CharField(_("trainers"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gte=models.F("starts_at")),
                name="session_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return self.title


class AgendaItem(models.Model):
    """A point of the agenda; may nest, may come proposed from the data."""

    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="agenda"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    duration_minutes = models.PositiveSmallIntegerField(_("minutes"), default=15)
    origin = models.CharField(
        _("origin"), max_length=10, choices=AgendaOrigin.choices, default=AgendaOrigin.MANUAL
    )
    evidence = models.CharField(
        _("the figure behind it"),
        max_length=300,
        blank=True,
        help_text=_("e.g. 'Trust in the police: 62% → 41% (Wilcoxon, corrected p = 0.01)'"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.ACCEPTED
    )

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["session", "position"]

    def __str__(self) -> str:
        return self.title


class Attachment(models.Model):
    """A file of a session: the attendance sheet, slides, a photo of the flipchart."""

    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="attachments"
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="dialogues/%Y/%m/")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.title


class Participation(models.Model):
    """A person at a session. Names and contacts are personal data: coordinators only."""

    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="participations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=200)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    role = models.CharField(_("role"), max_length=20, choices=ParticipantRole.choices)
    attendance = models.CharField(
        _("attendance"), max_length=12, choices=Attendance.choices, default=Attendance.INVITED
    )
    public_listing = models.BooleanField(
        _("agrees to appear in the public attendee list"), default=False
    )
    registered_at = models.DateTimeField(_("registered at"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    pre_score = models.DecimalField(
        _("pre-test score"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=PERCENT,
    )
    post_score = models.DecimalField(
        _("post-test score"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=PERCENT,
    )

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        ordering = ["session", "name"]
        constraints = [
            # A person registers once; the waitlist and its promotion rely on it.
            models.UniqueConstraint(
                fields=["session", "user"],
                condition=models.Q(user__isnull=False),
                name="one_participation_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


class Concern(models.Model):
    """A problem raised by participants, with the evidence behind it."""

    process = models.ForeignKey(
        Process, verbose_name=_("process"), on_delete=models.CASCADE, related_name="concerns"
    )
    raised_in = models.ForeignKey(
        Session,
        verbose_name=_("raised in"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="concerns",
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.MEDIUM
    )
    evidence = models.TextField(_("evidence"), blank=True)
    monitored_item_code = models.CharField(
        _("monitored as panel item"),
        max_length=40,
        blank=True,
        help_text=_("Set when the community chose to measure it in the panel."),
    )
    monitored_indicator = models.ForeignKey(
        "indicators.Indicator",
        verbose_name=_("followed with the indicator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Set when the community chose an official indicator to follow it."),
    )

    class Meta:
        verbose_name = _("concern")
        verbose_name_plural = _("concerns")

    def __str__(self) -> str:
        return self.title


class Vote(models.Model):
    """A participant's ranking of a concern in a session (1 = most important)."""

    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="votes"
    )
    concern = models.ForeignKey(
        Concern, verbose_name=_("concern"), on_delete=models.CASCADE, related_name="votes"
    )
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("voter"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    rank = models.PositiveSmallIntegerField(_("rank"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["session", "concern", "voter"], name="one_vote"),
        ]

    def __str__(self) -> str:
        return f"{self.concern_id}: {self.rank}"


class ActionPlan(models.Model):
    """A set of commitments adopted together, usually at the end of a joint dialogue."""

    process = models.ForeignKey(
        Process, verbose_name=_("process"), on_delete=models.CASCADE, related_name="action_plans"
    )
    adopted_in = models.ForeignKey(
        Session,
        verbose_name=_("adopted in"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=200)
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)

    class Meta:
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")

    def __str__(self) -> str:
        return self.title


class CommitmentStatus(models.Model):
    """Configurable statuses, each with the progress it implies by default."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.JSONField(_("name"), default=dict)
    default_progress = models.PositiveSmallIntegerField(_("default progress"), validators=PERCENT)
    is_final = models.BooleanField(_("final"), default=False)
    claims_completion = models.BooleanField(
        _("claims completion"),
        default=False,
        help_text=_("Moving to this status asks the community to confirm or dispute."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("commitment status")
        verbose_name_plural = _("commitment statuses")
        ordering = ["position"]

    def __str__(self) -> str:
        from convivencia.core.i18n import translated

        return translated(self.name) or self.code


class CommitmentQuerySet(models.QuerySet["Commitment"]):
    def open(self) -> CommitmentQuerySet:
        return self.exclude(status__is_final=True)

    def overdue(self, today=None) -> CommitmentQuerySet:
        today = today or timezone.localdate()
        return self.open().filter(due_date__lt=today)


class Commitment(models.Model):
    """Who will do what, by when, and how the community will know it was done."""

    # Set on the commitments of a list by views.commitments_with_flags, for the pages.
    flags: Flags
    verification_state: str | None

    process = models.ForeignKey(
        Process, verbose_name=_("process"), on_delete=models.CASCADE, related_name="commitments"
    )
    action_plan = models.ForeignKey(
        ActionPlan,
        verbose_name=_("action plan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="commitments",
    )
    made_in = models.ForeignKey(
        Session,
        verbose_name=_("made in"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="commitments",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    reference = models.CharField(_("reference"), max_length=30)
    title = models.CharField(_("what will be done"), max_length=300)
    description = models.TextField(_("details"), blank=True)
    responsible = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("responsible"),
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    co_responsible = models.ManyToManyField(
        "accounts.Organisation",
        verbose_name=_("co-responsible"),
        blank=True,
        related_name="co_commitments",
    )
    concern = models.ForeignKey(
        Concern,
        verbose_name=_("answers the concern"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="commitments",
    )
    territory = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("territory"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    start_date = models.DateField(_("start"), null=True, blank=True)
    due_date = models.DateField(_("due"))
    verification = models.TextField(_("how completion will be verified"))
    indicator = models.ForeignKey(
        "indicators.Indicator",
        verbose_name=_("indicator it should move"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    panel_item_code = models.CharField(_("panel item it should move"), max_length=40, blank=True)
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=1, validators=[MinValueValidator(1)]
    )
    roll_up = models.CharField(
        _("progress of sub-commitments"),
        max_length=10,
        choices=RollUp.choices,
        default=RollUp.WEIGHTED,
    )
    status = models.ForeignKey(
        CommitmentStatus, verbose_name=_("status"), on_delete=models.PROTECT, related_name="+"
    )
    progress = models.PositiveSmallIntegerField(_("progress %"), default=0, validators=PERCENT)
    last_update_at = models.DateTimeField(_("last update"), null=True, blank=True)
    followers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("followers"),
        blank=True,
        related_name="followed_commitments",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["due_date", "reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["process", "reference"], name="unique_commitment_reference"
            ),
            models.CheckConstraint(
                condition=models.Q(start_date__isnull=True)
                | models.Q(due_date__gte=models.F("start_date")),
                name="commitment_due_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class Update(models.Model):
    """A dated progress report on a commitment. Append-only."""

    commitment = models.ForeignKey(
        Commitment, verbose_name=_("commitment"), on_delete=models.CASCADE, related_name="updates"
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("posted by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("on behalf of"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    posted_at = models.DateTimeField(_("posted at"), default=timezone.now)
    status = models.ForeignKey(
        CommitmentStatus, verbose_name=_("status"), on_delete=models.PROTECT, related_name="+"
    )
    progress = models.PositiveSmallIntegerField(_("progress %"), validators=PERCENT)
    description = models.TextField(_("what was done"))

    class Meta:
        verbose_name = _("update")
        verbose_name_plural = _("updates")
        ordering = ["commitment", "posted_at"]

    def __str__(self) -> str:
        return f"{self.commitment.reference} {self.posted_at:%Y-%m-%d}: {self.progress}%"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("updates are append-only: post a new one")
        super().save(*args, **kwargs)


class Evidence(models.Model):
    """A file backing an update: a photo, an attendance sheet, an official letter."""

    update = models.ForeignKey(
        Update, verbose_name=_("update"), on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(_("file"), upload_to="commitments/%Y/%m/")
    title = models.CharField(_("title"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.title or self.file.name or ""


class Verification(models.Model):
    """A community leader confirms or disputes a completion claim."""

    update = models.ForeignKey(
        Update,
        verbose_name=_("completion claim"),
        on_delete=models.CASCADE,
        related_name="verifications",
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("community leader"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    verdict = models.CharField(_("verdict"), max_length=10, choices=Verdict.choices)
    comment = models.TextField(_("comment"))
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("verification")
        verbose_name_plural = _("verifications")
        constraints = [
            models.UniqueConstraint(fields=["update", "leader"], name="one_verdict_per_leader")
        ]

    def __str__(self) -> str:
        return f"{self.get_verdict_display()}: {self.comment[:40]}"


class PolicyUptake(models.Model):
    """A lesson or commitment carried into a policy instrument."""

    # The current stage's name, set by the process page for its template.
    stage_label: StrOrPromise | None

    process = models.ForeignKey(
        Process, verbose_name=_("process"), on_delete=models.CASCADE, related_name="uptakes"
    )
    commitment = models.ForeignKey(
        Commitment,
        verbose_name=_("commitment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="uptakes",
    )
    lesson = models.TextField(_("lesson or proposal"))
    instrument_kind = models.CharField(
        _("instrument"), max_length=20, choices=InstrumentKind.choices
    )
    instrument_name = models.CharField(_("instrument name"), max_length=200)

    class Meta:
        verbose_name = _("policy uptake")
        verbose_name_plural = _("policy uptakes")

    def __str__(self) -> str:
        return f"{self.instrument_name}: {self.lesson[:40]}"


class UptakeStep(models.Model):
    """One stage an uptake reached, with its date and document."""

    uptake = models.ForeignKey(
        PolicyUptake,
        verbose_name=_("policy uptake"),
        on_delete=models.CASCADE,
        related_name="steps",
    )
    stage = models.CharField(_("stage"), max_length=12, choices=UptakeStage.choices)
    date = models.DateField(_("date"))
    document = models.CharField(
        _("document"),
        max_length=300,
        blank=True,
        help_text=_("Title, number or link of the document."),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("uptake step")
        verbose_name_plural = _("uptake steps")
        ordering = ["uptake", "date"]
        constraints = [
            models.UniqueConstraint(fields=["uptake", "stage"], name="one_step_per_stage")
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} {self.date}"
