"""Forms of the studies pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from convivencia.accounts import access
from convivencia.accounts.choices import Role
from convivencia.core.forms import model_choice_field
from convivencia.dialogues.models import Concern, Process
from convivencia.studies.choices import StudyRole
from convivencia.studies.models import Code, Document, Finding, Segment, Study


class StudyForm(forms.ModelForm):
    class Meta:
        model = Study
        fields = [
            "territory",
            "process",
            "title",
            "research_questions",
            "methods",
            "consent_protocol",
        ]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        territories = access.scope(user, Role.COORDINATOR).territories()
        model_choice_field(self, "territory").queryset = territories.order_by("path")
        model_choice_field(self, "process").queryset = access.scope(user, Role.COORDINATOR).filter(
            Process.objects.all()
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        territory, process = data.get("territory"), data.get("process")
        if territory and process and not process.territory.path.startswith(territory.path):
            self.add_error("process", _("The dialogue process is in another territory."))
        return data


class MemberForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    role = forms.ChoiceField(label=_("Role in the study"), choices=StudyRole.choices)

    def clean_username(self) -> Any:
        username = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("No active user has this user name."))
        return user


class CodeForm(forms.ModelForm):
    class Meta:
        model = Code
        fields = ["name", "parent", "definition", "include_rule", "exclude_rule", "colour"]
        widgets = {"colour": forms.TextInput(attrs={"type": "color"})}

    def __init__(self, *args: Any, study: Study, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.study = study
        parents = study.codes.all()
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        model_choice_field(self, "parent").queryset = parents


class CodebookUploadForm(forms.Form):
    file = forms.FileField(label=_("REFI-QDA codebook (.qdc)"))


class DocumentForm(forms.ModelForm):
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("A .txt, .docx or .pdf file. Or paste the text below."),
    )
    pasted = forms.CharField(label=_("Text"), widget=forms.Textarea, required=False)

    class Meta:
        model = Document
        fields = ["title", "kind", "language", "date", "locality", "actor_type", "sex", "age_band"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("file") and not (data.get("pasted") or "").strip():
            raise forms.ValidationError(_("Upload a file or paste the text."))
        if data.get("file") and (data.get("pasted") or "").strip():
            raise forms.ValidationError(_("Upload a file or paste the text, not both."))
        return data


class DeidentifyForm(forms.Form):
    people = forms.CharField(
        label=_("Names of people"),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        help_text=_("One per line. Each becomes 'Persona N' everywhere in the study."),
    )
    places = forms.CharField(
        label=_("Names of places that identify someone"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=_("One per line: a farm, a street, a small hamlet. Each becomes 'Lugar N'."),
    )
    confirm = forms.BooleanField(
        label=_("I have read the whole text and listed every name that identifies someone."),
    )


class SegmentForm(forms.Form):
    start = forms.IntegerField(min_value=0)
    end = forms.IntegerField(min_value=1)
    codes = forms.ModelMultipleChoiceField(queryset=Code.objects.none(), label=_("Codes"))
    memo = forms.CharField(
        label=_("Memo"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, study: Study, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "codes").queryset = study.codes.all()


class SegmentChoiceField(forms.ModelMultipleChoiceField):
    """Segments shown by their document and the start of their de-identified text."""

    def label_from_instance(self, obj: Any) -> str:
        quote = obj.quote.replace("\n", " ")
        return f"{obj.document.title}: «{quote[:90]}{'…' if len(quote) > 90 else ''}»"


class FindingForm(forms.ModelForm):
    segments = SegmentChoiceField(
        queryset=Segment.objects.none(),
        label=_("Evidence segments"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    class Meta:
        model = Finding
        fields = ["statement", "is_root_cause", "is_publishable", "codes", "segments", "concerns"]
        widgets = {
            "codes": forms.CheckboxSelectMultiple,
            "concerns": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, study: Study, may_publish: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.study = study
        model_choice_field(self, "codes").queryset = study.codes.all()
        model_choice_field(self, "segments").queryset = Segment.objects.filter(
            document__study=study
        ).select_related("document")
        concerns = Concern.objects.filter(
            process__territory__path__startswith=study.territory.path
        ).select_related("process")
        model_choice_field(self, "concerns").queryset = concerns
        if not may_publish:
            # Publishing reaches the municipal brief: the study's coordinators decide.
            self.fields["is_publishable"].disabled = True


class CoderPairForm(forms.Form):
    coder_a = forms.ModelChoiceField(queryset=get_user_model().objects.none(), label=_("Coder A"))
    coder_b = forms.ModelChoiceField(queryset=get_user_model().objects.none(), label=_("Coder B"))

    def __init__(self, *args: Any, coders: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = [coder.pk for coder in coders]
        for name in ("coder_a", "coder_b"):
            model_choice_field(self, name).queryset = get_user_model().objects.filter(pk__in=ids)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("coder_a") and data.get("coder_a") == data.get("coder_b"):
            raise forms.ValidationError(_("Choose two different coders."))
        return data
