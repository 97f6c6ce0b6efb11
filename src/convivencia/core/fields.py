"""What code reads from a model's field definitions."""

from __future__ import annotations

from django.db import models


def max_length(model: type[models.Model], name: str) -> int:
    """The longest text the field ``name`` takes, for checking a value before saving it."""
    length = getattr(model._meta.get_field(name), "max_length", None)
    if not isinstance(length, int):
        raise TypeError(f"{model._meta.label}.{name} has no maximum length")
    return length
