"""Forms of the dialogue pages. Choices are limited to what the user may pick: the
process's sessions, concerns and commitments, organisations they can see, territories
within the process's territory."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from convivencia.accounts import audit
from convivencia.accounts.choices import AuditAction
from convivencia.accounts.models import Organisation, User
from convivencia.core.filetypes import check_document
from convivencia.core.forms import model_choice_field
from convivencia.dialogues import priorities
from convivencia.dialogues.choices import (
    Attendance,
    ParticipantRole,
    SessionKind,
    UptakeStage,
    Verdict,
)
from convivencia.dialogues.models import (
    ActionPlan,
    AgendaItem,
    Attachment,
    Commitment,
    CommitmentStatus,
    Concern,
    Participation,
    PolicyUptake,
    Process,
    Session,
)
from convivencia.territories.models import Territory

if TYPE_CHECKING:
    from convivencia.indicators.models import Indicator
    from convivencia.panels.models import Panel

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
MAX_FILES = 10


def _plain(value: Any) -> Any:
    """A value the audit log can store as JSON."""
    if isinstance(value, Model):
        return str(value)
    if isinstance(value, QuerySet | list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


class AuditedModelForm(forms.ModelForm):
    """``save_by(actor)`` saves and writes the audit entry with the fields that changed."""

    def save_by(self, actor) -> Any:
        creating = self.instance.pk is None
        changes = {
            name: _plain(self.cleaned_data.get(name))
            if creating
            else [_plain(self.initial.get(name)), _plain(self.cleaned_data.get(name))]
            for name in self.changed_data
        }
        saved = self.save()
        audit.record(
            AuditAction.CREATE if creating else AuditAction.UPDATE,
            saved,
            actor=actor,
            changes=changes,
        )
        return saved


def people_near(territory: Territory) -> QuerySet[User]:
    """People with an active role covering the territory or within it: possible facilitators."""
    above = Q(memberships__territories__pk__in=territory.ancestor_ids)
    below = Q(memberships__territories__path__startswith=territory.path)
    return (
        User.objects.filter(is_active=True, memberships__is_active=True)
        .filter(above | below)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class ProcessForm(AuditedModelForm):
    class Meta:
        model = Process
        fields = [
            "title",
            "description",
            "phase",
            "facilitators",
            "partners",
            "plan_name",
            "plan_line",
            "plan_programme",
            "is_published",
        ]
        widgets = {
            "facilitators": forms.CheckboxSelectMultiple,
            "partners": forms.SelectMultiple(attrs={"size": 8}),
        }

    def __init__(self, *args, territory: Territory, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "facilitators").queryset = people_near(territory)
        model_choice_field(self, "partners").queryset = Organisation.objects.visible_to(user)


class SessionForm(AuditedModelForm):
    online_url = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")

    class Meta:
        model = Session
        fields = [
            "kind",
            "title",
            "mode",
            "starts_at",
            "ends_at",
            "venue",
            "online_url",
            "capacity",
            "status",
            "curriculum_module",
            "trainers",
        ]
        widgets = {"starts_at": DATETIME, "ends_at": DATETIME}
        help_texts = {
            "capacity": _(
                "Leave empty for no limit. People who register when it is full go on a waitlist."
            ),
            "curriculum_module": _("Workshops only."),
        }

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends < starts:
            self.add_error("ends_at", _("A session cannot end before it starts."))
        if cleaned.get("mode") in ("online", "hybrid") and not cleaned.get("online_url"):
            self.add_error("online_url", _("An online session needs its link."))
        if cleaned.get("kind") != SessionKind.WORKSHOP and (
            cleaned.get("curriculum_module") or cleaned.get("trainers")
        ):
            self.add_error("kind", _("A curriculum module and trainers are for workshops."))
        return cleaned


class SessionReportForm(AuditedModelForm):
    class Meta:
        model = Session
        fields = ["minutes", "closing_report"]
        widgets = {
            "minutes": forms.Textarea(attrs={"rows": 8}),
            "closing_report": forms.Textarea(attrs={"rows": 6}),
        }


def _descendants(item: AgendaItem) -> set[int]:
    found = {item.pk}
    frontier = [item.pk]
    while frontier:
        children = list(
            AgendaItem.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
        )
        frontier = [pk for pk in children if pk not in found]
        found.update(frontier)
    return found


class AgendaItemForm(AuditedModelForm):
    class Meta:
        model = AgendaItem
        fields = ["title", "description", "duration_minutes", "parent", "position", "evidence"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, session: Session, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        parents = session.agenda.exclude(status="discarded")
        if self.instance.pk is not None:
            # An item cannot sit inside itself or inside one of its own sub-points.
            parents = parents.exclude(pk__in=_descendants(self.instance))
        model_choice_field(self, "parent").queryset = parents.order_by("position", "pk")


class AttachmentForm(AuditedModelForm):
    class Meta:
        model = Attachment
        fields = ["title", "file"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Documents, images and spreadsheets only, checked by content: an attendance
        # sheet is opened by the next coordinator, who must not be handed a program.
        self.fields["file"].validators.append(check_document)
        self.fields["file"].help_text = _(
            "PDF, images (PNG, JPEG, GIF, WebP), Word, Excel, PowerPoint, OpenDocument, "
            "CSV or text."
        )


class ParticipantForm(forms.Form):
    """A coordinator records a participant, often someone without an account."""

    name = forms.CharField(label=_("Name"), max_length=200)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), required=False, queryset=Organisation.objects.none()
    )
    role = forms.ChoiceField(label=_("Role"), choices=ParticipantRole.choices)
    attendance = forms.ChoiceField(
        label=_("Attendance"),
        choices=[
            (Attendance.INVITED, Attendance.INVITED.label),
            (Attendance.REGISTERED, Attendance.REGISTERED.label),
        ],
    )
    public_listing = forms.BooleanField(
        label=_("Agrees to appear in the public attendee list"),
        required=False,
        help_text=_(
            "Only with their consent: the name (alone, without organisation or "
            "contact) is then shown to everyone who can open the session's page, "
            "anyone on the internet once the process is published."
        ),
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "organisation").queryset = Organisation.objects.visible_to(user)


class RegistrationForm(forms.Form):
    # The form's text is written out in dialogues/_listing_choice.html, which says who
    # will see the name for this session.
    public_listing = forms.BooleanField(required=False)


class ScoresForm(forms.ModelForm):
    class Meta:
        model = Participation
        fields = ["pre_score", "post_score"]


class ConcernForm(AuditedModelForm):
    class Meta:
        model = Concern
        fields = ["title", "description", "priority", "evidence", "raised_in"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "evidence": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, process: Process, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "raised_in").queryset = process.sessions.all()


class BallotForm(forms.Form):
    """One select per concern: its rank, or blank for "not ranked"."""

    def __init__(
        self, *args, concerns: list[Concern], initial_ranks: dict[int, int], **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.concerns = concerns
        choices = [("", _("—"))] + [(str(n), str(n)) for n in range(1, len(concerns) + 1)]
        for concern in concerns:
            self.fields[f"rank_{concern.pk}"] = forms.TypedChoiceField(
                label=concern.title,
                choices=choices,
                required=False,
                coerce=int,
                empty_value=None,
                initial=initial_ranks.get(concern.pk),
            )

    def ranking(self) -> dict[int, int | None]:
        return {
            concern.pk: self.cleaned_data.get(f"rank_{concern.pk}") for concern in self.concerns
        }

    def rows(self) -> list[tuple[Concern, forms.BoundField]]:
        return [(concern, self[f"rank_{concern.pk}"]) for concern in self.concerns]


class MonitorInPanelForm(forms.Form):
    panel: forms.ModelChoiceField[Panel] = forms.ModelChoiceField(label=_("Panel"), queryset=None)
    code = forms.RegexField(
        label=_("Item code"),
        regex=r"^[A-Za-z_][A-Za-z0-9_]{0,39}$",
        max_length=40,
        help_text=_("Letters, digits and _; it names the question in forms and exports."),
    )
    wording = forms.CharField(
        label=_("The question, as respondents will read it"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    kind = forms.ChoiceField(
        label=_("Answers"),
        choices=[
            ("yes_no", _("Yes / no (did it happen in the last month?)")),
            ("scale", _("1–4: not a problem … a very serious problem")),
        ],
    )

    def __init__(self, *args, concern: Concern, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "panel").queryset = priorities.panels_for(concern)
        model_choice_field(self, "panel").empty_label = None


class MonitorWithIndicatorForm(forms.Form):
    indicator: forms.ModelChoiceField[Indicator] = forms.ModelChoiceField(
        label=_("Indicator"), queryset=None
    )

    def __init__(self, *args, **kwargs) -> None:
        from convivencia.indicators.models import Indicator

        super().__init__(*args, **kwargs)
        model_choice_field(self, "indicator").queryset = Indicator.objects.order_by("code")


class ActionPlanForm(AuditedModelForm):
    class Meta:
        model = ActionPlan
        fields = ["title", "adopted_in", "adopted_on"]
        widgets = {"adopted_on": DATE}

    def __init__(self, *args, process: Process, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "adopted_in").queryset = process.sessions.all()


def panel_item_choices(territory: Territory) -> list[tuple[str, str]]:
    """Scored items of the panels of the territory (and below), by code."""
    from convivencia.panels import charts
    from convivencia.panels.aggregates import is_scored
    from convivencia.panels.models import Panel

    choices: dict[str, str] = {}
    for panel in Panel.objects.filter(territory__path__startswith=territory.path).select_related(
        "questionnaire"
    ):
        for code, item in charts.items_by_code(panel).items():
            if is_scored(item):
                choices.setdefault(code, f"{code} — {charts.item_label(item, panel)}"[:120])
    return [("", "—"), *sorted(choices.items())]


class CommitmentForm(AuditedModelForm):
    class Meta:
        model = Commitment
        fields = [
            "reference",
            "title",
            "description",
            "responsible",
            "co_responsible",
            "territory",
            "concern",
            "action_plan",
            "made_in",
            "parent",
            "start_date",
            "due_date",
            "verification",
            "indicator",
            "panel_item_code",
            "weight",
            "roll_up",
        ]
        widgets = {
            "start_date": DATE,
            "due_date": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
            "verification": forms.Textarea(attrs={"rows": 2}),
            "co_responsible": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, process: Process, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.process = process
        organisations = Organisation.objects.filter(
            Q(pk__in=Organisation.objects.visible_to(user).values("pk"))
            | Q(pk__in=process.partners.values("pk"))
        )
        model_choice_field(self, "responsible").queryset = organisations
        model_choice_field(self, "co_responsible").queryset = organisations
        model_choice_field(self, "territory").queryset = Territory.objects.within(
            process.territory
        ).order_by("level", "name")
        if self.instance.territory_id is None and not self.initial.get("territory"):
            # The instance's empty territory would override a field initial.
            self.initial["territory"] = process.territory.pk
        model_choice_field(self, "concern").queryset = process.concerns.all()
        model_choice_field(self, "action_plan").queryset = process.action_plans.all()
        model_choice_field(self, "made_in").queryset = process.sessions.all()
        parents = process.commitments.all()
        if self.instance.pk is not None:
            parents = parents.exclude(pk__in=_commitment_descendants(self.instance))
        model_choice_field(self, "parent").queryset = parents
        self.fields["panel_item_code"] = forms.ChoiceField(
            label=Commitment._meta.get_field("panel_item_code").verbose_name.capitalize(),
            choices=panel_item_choices(process.territory),
            required=False,
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        start, due = cleaned.get("start_date"), cleaned.get("due_date")
        if start and due and due < start:
            self.add_error("due_date", _("The due date cannot come before the start."))
        responsible = cleaned.get("responsible")
        if responsible is not None and responsible in (cleaned.get("co_responsible") or []):
            self.add_error(
                "co_responsible", _("The responsible organisation is not also co-responsible.")
            )
        reference = cleaned.get("reference")
        process = self.instance.process
        if (
            reference
            and process.commitments.filter(reference=reference)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error("reference", _("Another commitment of this process has it."))
        if self.instance.status_id is None and not CommitmentStatus.objects.exists():
            # The statuses come with the installation; only an administrator deleting them
            # all gets here, and a commitment without a status cannot be followed up.
            raise forms.ValidationError(
                _(
                    "No commitment statuses are configured. An administrator must add them "
                    "before commitments can be recorded."
                )
            )
        return cleaned

    def save(self, commit: bool = True) -> Commitment:
        if self.instance.status_id is None:
            self.instance.status = CommitmentStatus.objects.order_by("position").first()
        return super().save(commit)


def _commitment_descendants(commitment: Commitment) -> set[int]:
    found = {commitment.pk}
    frontier = [commitment.pk]
    while frontier:
        children = list(
            Commitment.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
        )
        frontier = [pk for pk in children if pk not in found]
        found.update(frontier)
    return found


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None) -> list:
        single = super().clean
        if isinstance(data, list | tuple):
            files = [single(item, initial) for item in data]
        else:
            files = [single(data, initial)] if data else []
        if len(files) > MAX_FILES:
            raise forms.ValidationError(_("At most %(n)s files at once.") % {"n": MAX_FILES})
        return [item for item in files if item]


class UpdateForm(forms.Form):
    status: forms.ModelChoiceField[CommitmentStatus] = forms.ModelChoiceField(
        label=_("Status"), queryset=None, empty_label=None
    )
    progress = forms.IntegerField(
        label=_("Progress %"),
        min_value=0,
        max_value=100,
        required=False,
        help_text=_("Leave empty for the status's usual figure."),
    )
    description = forms.CharField(
        label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3})
    )
    # A form field, not BaseForm.files (the uploads): the form's metaclass moves declared
    # fields into base_fields, so the class attribute never shadows the uploads.
    files = MultipleFileField(  # type: ignore[assignment]
        label=_("Evidence files"),
        required=False,
        help_text=_("Photos, attendance sheets, letters."),
        validators=[check_document],  # documents, images, spreadsheets, by content
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Closing is not a provider's to do: the community confirms, a coordinator cancels.
        model_choice_field(self, "status").queryset = CommitmentStatus.objects.filter(
            is_final=False
        )


class VerifyForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("Your verdict"),
        widget=forms.RadioSelect,
        choices=[
            (Verdict.CONFIRMED, _("Yes, it was done as promised (confirm)")),
            (Verdict.DISPUTED, _("No, not as promised (dispute)")),
        ],
    )
    comment = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}))


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is cancelled"), widget=forms.Textarea(attrs={"rows": 2})
    )


class UptakeForm(AuditedModelForm):
    class Meta:
        model = PolicyUptake
        fields = ["lesson", "commitment", "instrument_kind", "instrument_name"]
        widgets = {"lesson": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, process: Process, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.process = process
        model_choice_field(self, "commitment").queryset = process.commitments.all()


class UptakeStepForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=UptakeStage.choices)
    date = forms.DateField(label=_("Date"), widget=DATE)
    document = forms.CharField(
        label=_("Document"),
        max_length=300,
        required=False,
        help_text=_("Title, number or link of the document."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
