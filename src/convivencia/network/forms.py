"""Filters of the public pages, registration and the "who has done this?" request."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from convivencia.core import countries
from convivencia.core.forms import choice_field
from convivencia.network.choices import EventKind, Expertise, Language, NameVisibility, TagKind
from convivencia.network.models import Event, EventQuerySet, EventSeries, Specialist, SpecialistTag

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

ANY: list[tuple[str, StrOrPromise]] = [("", _("Any"))]


def _country_choices(codes) -> list[tuple[str, StrOrPromise]]:
    return [*ANY, *countries.choices(sorted(set(codes)))]


class EventFilterForm(forms.Form):
    """The calendar's and the archive's filters; the same query string filters the .ics."""

    kind = forms.ChoiceField(label=_("Kind"), required=False)
    series = forms.ModelChoiceField(
        label=_("Series"), queryset=EventSeries.objects.all(), required=False, empty_label=_("Any")
    )
    country = forms.ChoiceField(label=_("Country"), required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1950, max_value=2100)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "kind").choices = ANY + list(EventKind.choices)
        used = Event.objects.published().values_list("country", flat=True)
        choice_field(self, "country").choices = _country_choices(used)

    def events(self) -> EventQuerySet:
        """Published events matching the valid filters (all of them if none is valid)."""
        events = Event.objects.published().select_related("series")
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("kind"):
            events = events.filter(kind=data["kind"])
        if data.get("series"):
            events = events.filter(series=data["series"])
        if data.get("country"):
            events = events.filter(country=data["country"])
        if data.get("year"):
            events = events.filter(start_date__year=data["year"])
        return events


class SpecialistFilterForm(forms.Form):
    """The directory's filters; the same query string filters the CSV."""

    expertise = forms.ChoiceField(label=_("Expertise"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    q = forms.CharField(label=_("Name or organisation"), required=False, max_length=100)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "expertise").choices = ANY + list(Expertise.choices)
        choice_field(self, "language").choices = ANY + list(Language.choices)
        # Only countries of public profiles: a country listed for nobody public could
        # otherwise hint at somebody who is not.
        used = SpecialistTag.objects.filter(
            kind=TagKind.COUNTRY, specialist__is_public=True
        ).values_list("code", flat=True)
        choice_field(self, "country").choices = _country_choices(used)


class RegistrationForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(
        label=_("Email"), help_text=_("Only the organisers see it, to write to you.")
    )
    affiliation = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    name_visibility = forms.ChoiceField(
        label=_("Who may see your name"),
        choices=NameVisibility.choices,
        initial=NameVisibility.ORGANISERS,
        widget=forms.RadioSelect,
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that the organisers keep my name, email and organisation for this "
            "event, and show my name as chosen above."
        ),
        required=False,  # the service refuses without it and says why
    )


class OwnProfileForm(forms.Form):
    """A specialist with an account chooses whether their profile is public."""

    public = forms.BooleanField(label=_("Show my profile publicly"), required=False)
    consent = forms.BooleanField(
        label=_(
            "I agree that my name, affiliation, position, expertise, countries, languages, "
            "the events where I spoke and my publications are shown publicly on this site, "
            "in its CSV and in its API. I can withdraw at any time."
        ),
        required=False,
    )


class AskForm(forms.Form):
    """Who has done this? A problem in a few words, optionally its focus and country."""

    description = forms.CharField(
        label=_("Describe the problem"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("E.g. 'Young people and the police distrust each other in our schools.'"),
    )
    expertise = forms.MultipleChoiceField(
        label=_("Focus areas"),
        choices=Expertise.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    country = forms.ChoiceField(label=_("Country"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "country").choices = [*ANY, *countries.choices()]
        choice_field(self, "language").choices = ANY + list(Language.choices)


class SpecialistAdminForm(forms.ModelForm):
    """A public profile needs a record of how the person consented."""

    class Meta:
        model = Specialist
        fields = [
            "name",
            "user",
            "email",
            "affiliation",
            "position",
            "bio",
            "events_attended",
            "is_public",
            "consent_note",
        ]

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("is_public") and not (data.get("consent_note") or "").strip():
            self.add_error(
                "consent_note",
                _("A public profile needs the person's consent: say how they gave it."),
            )
        return data
