"""Small helpers shared by the apps' forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError


def add_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's refusal on the form that asked for it.

    An error about one of the form's fields goes next to that field; anything else
    (a plain message, or a field the form does not show) at the top of the form.
    """
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def model_choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    """The form's field ``name``, a choice among model instances (single or multiple).

    Forms narrow such a field's queryset to what the user may pick once they know the
    user; ``form.fields`` only says it is a field, and a field of another kind has no
    queryset to narrow.
    """
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"{type(form).__name__}.{name} is not a choice among model instances")
    return field


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """The form's field ``name``, a choice among fixed values, whose choices are set per form."""
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{type(form).__name__}.{name} is not a choice field")
    return field
