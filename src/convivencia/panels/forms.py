"""The panels' web form: one field per item of the questionnaire, drawn as the item says.

Every field keeps what was entered as it was typed: the answers are checked by
``collection.accept``, the one validation path of the web form, file imports and
OpenRosa, and its problems come back on the form with ``show_problems``.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import cached_property
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from convivencia.accounts import access
from convivencia.accounts.choices import Role
from convivencia.core.forms import choice_field, model_choice_field
from convivencia.core.i18n import translated
from convivencia.core.limits import check_upload_size
from convivencia.panels import services
from convivencia.panels.choices import (
    ANALYSED_USES,
    DONT_KNOW,
    NO_ANSWER,
    FieldUse,
    ItemType,
    Provider,
    WaveStatus,
)
from convivencia.panels.collection import Problem
from convivencia.panels.importers import answers as file_import
from convivencia.panels.mapping import FieldChoice
from convivencia.panels.models import FieldMapping, Item, Panel, Wave
from convivencia.panels.questionnaire_default import LOCAL_PROVIDER_PLACEHOLDER
from convivencia.territories.models import Territory

# Item codes go into CSS selectors of the form's skip-logic style: only safe ones do.
_CSS_SAFE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


@dataclass
class Option:
    value: str
    label: str
    checked: bool = False


@dataclass
class Question:
    """One item as the form shows it, with what was entered and what is wrong."""

    item: Item
    kind: str  # "scale" (a row of numbers), "choice", "multiple", "number", "text"
    text: str
    options: list[Option] = field(default_factory=list)
    missing: list[Option] = field(default_factory=list)  # 88 / 98, shown apart
    low_label: str = ""
    high_label: str = ""
    condition: str = ""  # "only if …" for skip logic
    value: str = ""  # number and text
    errors: list[str] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.item.code

    @property
    def has_value(self) -> bool:
        return bool(self.value) or any(option.checked for option in (*self.options, *self.missing))

    @property
    def not_applicable(self) -> Option | None:
        """An explicit "does not apply" for conditional radio questions: without
        JavaScript a chosen radio button cannot be unchosen otherwise."""
        if not self.condition or self.kind not in ("scale", "choice"):
            return None
        chosen = any(option.checked for option in (*self.options, *self.missing))
        return Option("", _("Does not apply"), checked=not chosen)


def _wording(item: Item, panel: Panel) -> str:
    text = translated(item.wording)
    provider = panel.local_provider_name or _("the local provider")
    return text.replace(LOCAL_PROVIDER_PLACEHOLDER, provider)


def _scale_labels(item: Item) -> dict[int, str]:
    return {
        choice.value: translated(choice.label)
        for choice in item.choices.all()
        if not choice.is_missing
    }


def build_question(item: Item, panel: Panel, entered: list[str]) -> Question:
    """The item's type, choices (the missing codes apart), relevance, and what was entered."""
    chosen = set(entered)
    labels = _scale_labels(item)
    missing_labels = {
        choice.value: translated(choice.label) for choice in item.choices.all() if choice.is_missing
    }
    missing = [
        Option(str(code), missing_labels.get(code) or default, str(code) in chosen)
        for code, default in ((DONT_KNOW, _("Don't know")), (NO_ANSWER, _("No answer")))
    ]
    question = Question(item=item, kind="choice", text=_wording(item, panel), missing=missing)
    if item.type == ItemType.TEXT:
        question.kind, question.missing, question.value = "text", [], (entered or [""])[0]
    elif item.type == ItemType.NUMBER:
        question.kind, question.missing, question.value = "number", [], (entered or [""])[0]
    elif item.type == ItemType.MULTIPLE:
        question.kind = "multiple"
        question.options = [
            Option(str(value), label, str(value) in chosen) for value, label in labels.items()
        ]
    elif item.is_numeric_scale and item.scale_max is not None and _is_number_row(item, labels):
        question.kind = "scale"
        points = range(item.scale_min or 0, item.scale_max + 1)
        question.options = [
            Option(str(value), str(value), str(value) in chosen) for value in points
        ]
        question.low_label = labels.get(item.scale_min or 0, "")
        question.high_label = labels.get(item.scale_max, "")
    else:
        if not labels and item.type == ItemType.YES_NO:
            labels = {1: _("Yes"), 0: _("No")}
        if not labels and item.is_numeric_scale and item.scale_max is not None:
            labels = {value: str(value) for value in range(item.scale_min or 0, item.scale_max + 1)}
        question.options = [
            Option(str(value), label, str(value) in chosen) for value, label in labels.items()
        ]
    if item.relevant_item_id is not None:
        source = item.relevant_item
        source_labels = _scale_labels(source) if source else {}
        answers = ", ".join(
            source_labels.get(int(value), str(value)) for value in item.relevant_values
        )
        # The code finds the question on the page; a few words remind which one it is.
        question.condition = _(
            "Only if the answer to %(code)s (“%(question)s”) is: %(answers)s"
        ) % {
            "code": source.code if source else "",
            "question": Truncator(_wording(source, panel)).words(8) if source else "",
            "answers": answers,
        }
    return question


def _is_number_row(item: Item, labels: dict[int, str]) -> bool:
    """A long scale, or one whose middle points have no words: numbers with labelled ends."""
    points = range(item.scale_min or 0, (item.scale_max or 0) + 1)
    worded = [value for value in points if labels.get(value, "").strip() not in ("", str(value))]
    return len(points) > 5 or len(worded) < len(points)


def skip_style(questions: list[Question]) -> SafeString:
    """Dependent questions are dimmed until their condition is met, with CSS alone.

    Nothing is hidden: a browser without ``:has()`` shows every question with its
    "only if …" note, and an answer kept after the condition changed stays visible
    so that the error collection reports next to it can be seen and corrected.
    """
    rules = []
    for question in questions:
        item = question.item
        source = item.relevant_item
        if source is None or not _CSS_SAFE.match(item.code) or not _CSS_SAFE.match(source.code):
            continue
        for value in item.relevant_values:
            rules.append(
                f'.collect-form:has(input[name="{source.code}"][value="{int(value)}"]:checked) '
                f"#q-{item.code}{{opacity:1}}"
            )
    return mark_safe("\n".join(rules))  # noqa: S308 (built only from checked codes and ints)


class AnswerField(forms.Field):
    """An item's answer: every value entered, stripped, the empty ones left out."""

    # Read with getlist (a multiple choice sends several values); the template draws it.
    widget = forms.MultipleHiddenInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)

    def to_python(self, value: Any) -> list[str]:
        return [text.strip() for text in value or [] if text.strip()]


class WebForm(forms.Form):
    """One submission: the respondent, the id that makes a double submit harmless, and
    one ``AnswerField`` per item, each with its ``Question`` for the template."""

    # Required, with the collector's words rather than collection's "unknown code ''".
    respondent = forms.CharField(error_messages={"required": gettext_lazy("Choose a respondent.")})
    instance_id = forms.CharField(required=False)

    def __init__(self, data: Any = None, *, panel: Panel, items: list[Item]) -> None:
        super().__init__(data)
        clashing = sorted({item.code for item in items} & set(self.fields))
        if clashing:
            raise ValueError(f"Item codes clash with the form's own fields: {clashing}")
        self.questions: list[Question] = []
        for item in items:
            self.fields[item.code] = AnswerField()
            entered = [value.strip() for value in data.getlist(item.code)] if data else []
            self.questions.append(build_question(item, panel, entered))

    @property
    def respondent_code(self) -> str:
        return (self.data.get("respondent") or "").strip() if self.is_bound else ""

    @cached_property
    def submission_id(self) -> str:
        """The posted id, or a new one on the first render (or for a tampered field)."""
        instance_id = file_import.normalise_instance_id(self.data.get("instance_id") or "")
        return instance_id if instance_id.startswith("uuid:") else f"uuid:{uuid.uuid4()}"

    def answers(self) -> dict[str, Any]:
        """The values to submit: a list for a multiple choice, one text otherwise."""
        values: dict[str, Any] = {}
        for question in self.questions:
            entered = self.cleaned_data.get(question.code) or []
            if question.kind == "multiple":
                if entered:
                    values[question.code] = entered
            elif entered:
                values[question.code] = entered[0]
        return values

    def show_problems(self, problems: list[Problem]) -> None:
        """Each problem of a refused submission next to its question, the respondent's
        next to the respondent, anything else at the top."""
        by_code = {question.code.lower(): question for question in self.questions}
        for problem in problems:
            question = by_code.get(problem.column.lower())
            if question is not None:
                question.errors.append(problem.message)
                self.add_error(question.code, problem.message)
            elif problem.column == "respondent":
                self.add_error("respondent", problem.message)
            else:
                self.add_error(None, problem.message)

    def skip_style(self) -> SafeString:
        return skip_style(self.questions)


NEW_MONTH = "new"


def open_waves(panel: Panel) -> list[Wave]:
    return list(panel.waves.filter(status=WaveStatus.OPEN).order_by("-period"))


class UploadForm(forms.Form):
    wave = forms.ChoiceField(label=gettext_lazy("Wave"))
    new_month = forms.CharField(
        label=gettext_lazy("New month"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"}),
        help_text=gettext_lazy("Only when opening a new month (YYYY-MM)."),
    )
    file = forms.FileField(
        label=gettext_lazy("Export file"),
        validators=[check_upload_size],
        help_text=gettext_lazy(
            "A KoBoToolbox or ODK Central export: CSV (comma or semicolon; UTF-8 or Latin-1) "
            "or .xlsx. Column headers may be question codes or question texts."
        ),
    )
    include_rejected = forms.BooleanField(
        label=gettext_lazy("Also import rows rejected in KoBoToolbox or ODK Central"),
        required=False,
        help_text=gettext_lazy(
            "Rows marked “Not Approved” or “rejected” there are skipped and counted otherwise."
        ),
    )

    def __init__(self, *args: Any, panel: Panel, may_open: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.panel = panel
        choices = [(wave.label, wave.label) for wave in open_waves(panel)]
        if may_open:
            choices.append((NEW_MONTH, _("A new month…")))
        else:
            del self.fields["new_month"]
        choice_field(self, "wave").choices = choices

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("wave") != NEW_MONTH:
            data["period"] = data.get("wave")
            return data
        text = (data.get("new_month") or "").strip()
        if not text:
            self.add_error("new_month", _("Write the month to open, as YYYY-MM."))
            return data
        try:
            period = services.parse_period(text)
        except ValidationError as exc:
            self.add_error("new_month", exc)
            return data
        existing = Wave.objects.filter(panel=self.panel, period=period).first()
        if existing is not None and not existing.is_open:
            self.add_error(
                "new_month",
                _("Wave %(wave)s is closed; reopen it on the panel's page first.")
                % {"wave": existing.label},
            )
        data["period"] = period.strftime("%Y-%m")
        return data


class FieldMappingForm(forms.Form):
    """The mapping page: per field of a form made elsewhere, what it is to Convivencia.

    Fields are made per questionnaire: ``use_<id>``, ``provider_<id>``, ``top_<id>``
    for each mapping, ``value_<choice id>`` for each option of its item.
    """

    def __init__(self, questionnaire: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = list(
            FieldMapping.objects.filter(questionnaire=questionnaire)
            .select_related("item")
            .prefetch_related("item__choices")
            .order_by("position", "pk")
        )
        raw_only = [
            (value, label) for value, label in FieldUse.choices if value not in ANALYSED_USES
        ]
        for row in self.rows:
            item = row.item
            self.fields[f"use_{row.pk}"] = forms.ChoiceField(
                label=row.text,
                choices=FieldUse.choices if item is not None else raw_only,
                initial=row.use,
            )
            if item is None:
                continue
            self.fields[f"provider_{row.pk}"] = forms.ChoiceField(
                label=_("Institution"),
                choices=[("", "—"), *Provider.choices],
                required=False,
                initial=item.provider,
            )
            options = list(item.choices.all())
            if not options:
                continue
            self.fields[f"top_{row.pk}"] = forms.IntegerField(
                label=_("Lowest answer meaning trust"),
                required=False,
                initial=item.top_min,
            )
            for option in options:
                self.fields[f"value_{option.pk}"] = forms.IntegerField(
                    label=translated(option.label) or option.name or str(option.value),
                    initial=option.value,
                    help_text=option.name,
                )

    def sections(self) -> list[dict[str, Any]]:
        """Per field, its bound form fields, for the template."""
        out = []
        for row in self.rows:
            options = list(row.item.choices.all()) if row.item is not None else []
            out.append(
                {
                    "mapping": row,
                    "use": self[f"use_{row.pk}"],
                    "provider": self[f"provider_{row.pk}"] if row.item is not None else None,
                    "top": self[f"top_{row.pk}"] if options else None,
                    "values": [self[f"value_{option.pk}"] for option in options],
                }
            )
        return out

    def said(self) -> dict[int, FieldChoice]:
        """What the coordinator said, as ``mapping.save_mapping`` takes it."""
        data = self.cleaned_data
        said: dict[int, FieldChoice] = {}
        for row in self.rows:
            options = list(row.item.choices.all()) if row.item is not None else []
            said[row.pk] = FieldChoice(
                use=data[f"use_{row.pk}"],
                provider=data.get(f"provider_{row.pk}") or "",
                top_min=data.get(f"top_{row.pk}"),
                values={option.pk: data[f"value_{option.pk}"] for option in options},
            )
        return said


class XLSFormUploadForm(forms.Form):
    """An XLSForm made elsewhere (KoBoToolbox, ODK), to become a questionnaire version."""

    file = forms.FileField(
        label=gettext_lazy("XLSForm"),
        validators=[check_upload_size],
        help_text=gettext_lazy(
            "The form as KoBoToolbox or ODK Central takes it: an .xlsx or .xls workbook with "
            "its survey, choices and settings sheets."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not str(upload.name).lower().endswith((".xlsx", ".xls")):
            raise ValidationError(
                _("“%(name)s” is not an .xlsx or .xls workbook.") % {"name": upload.name},
                code="not_a_workbook",
            )
        return upload


class TerritoryChoiceField(forms.ModelChoiceField[Territory]):
    """Territories named with their parent: "Popayán · Cauca"."""

    def label_from_instance(self, obj: Territory) -> str:
        parent = obj.parent
        return f"{obj.label} · {parent.label}" if parent is not None else str(obj.label)


class PanelCreateForm(forms.Form):
    """A new panel asking a given questionnaire, in a territory the user coordinates."""

    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=60,
        help_text=gettext_lazy(
            "Letters, digits, “-” and “_”; it appears in the panel's addresses and in ODK "
            "Collect's settings."
        ),
    )
    territory = TerritoryChoiceField(label=gettext_lazy("Territory"), queryset=Territory.objects)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200, required=False)
    local_provider_name = forms.CharField(
        label=gettext_lazy("Local provider"),
        max_length=200,
        required=False,
        help_text=gettext_lazy(
            "What the “local provider” items ask about here (the Guardia Indígena, say); "
            "leave it empty when the questionnaire has no such items."
        ),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        territories = access.scope(user, Role.COORDINATOR).territories()
        model_choice_field(self, "territory").queryset = territories.select_related(
            "parent"
        ).order_by("level", "name")

    def clean_code(self) -> str:
        code = str(self.cleaned_data["code"]).strip()
        try:
            services.check_panel_code(code)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["code"]) from exc
        return code
