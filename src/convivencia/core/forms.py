"""Small helpers shared by the apps' forms."""

from __future__ import annotations

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
