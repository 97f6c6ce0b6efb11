"""A service's ValidationError shown on a form."""

from __future__ import annotations

import pytest
from django import forms
from django.core.exceptions import ValidationError

from convivencia.core.forms import add_errors, choice_field, model_choice_field


class NameForm(forms.Form):
    name = forms.CharField()


def bound_form() -> NameForm:
    form = NameForm({"name": "Ana"})
    assert form.is_valid()
    return form


def test_plain_messages_go_to_the_top_of_the_form_each_on_its_own() -> None:
    form = bound_form()
    add_errors(form, ValidationError(["First problem.", "Second problem."]))
    assert form.non_field_errors() == ["First problem.", "Second problem."]


def test_a_message_with_parameters_is_shown_filled_in() -> None:
    form = bound_form()
    add_errors(form, ValidationError("%(n)s left.", params={"n": 3}))
    assert form.non_field_errors() == ["3 left."]


def test_an_error_about_a_field_goes_next_to_it_and_an_unknown_field_to_the_top() -> None:
    form = bound_form()
    add_errors(form, ValidationError({"name": "Taken.", "slug": "Also taken."}))
    assert form.errors["name"] == ["Taken."]
    assert form.non_field_errors() == ["Also taken."]


class PickForm(forms.Form):
    territory = forms.ModelChoiceField(queryset=None)
    colour = forms.ChoiceField(choices=[("red", "red")])


def test_a_choice_among_models_is_handed_back_so_its_queryset_can_be_narrowed() -> None:
    from convivencia.territories.models import Territory

    form = PickForm()
    model_choice_field(form, "territory").queryset = Territory.objects.none()
    assert list(form.fields["territory"].queryset) == []


def test_a_field_of_another_kind_is_refused_by_name() -> None:
    with pytest.raises(TypeError, match=r"PickForm\.colour is not a choice among model"):
        model_choice_field(PickForm(), "colour")


def test_a_choice_field_is_handed_back_so_its_choices_can_be_set() -> None:
    form = PickForm()
    choice_field(form, "colour").choices = [("blue", "blue")]
    assert form.fields["colour"].choices == [("blue", "blue")]


def test_a_field_that_is_no_choice_is_refused_by_name() -> None:
    form = NameForm()
    with pytest.raises(TypeError, match=r"NameForm\.name is not a choice field"):
        choice_field(form, "name")
