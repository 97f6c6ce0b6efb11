"""A service's ValidationError shown on a form."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from convivencia.core.forms import add_errors


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
