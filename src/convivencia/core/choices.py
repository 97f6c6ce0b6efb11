"""Choices of the toolkit's own models and of what the platform stores for it."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EmailFrequency(models.TextChoices):
    """How a person wants their notifications by e-mail (in-app they always appear)."""

    IMMEDIATE = "immediate", _("Each one as it happens")
    DAILY = "daily", _("One daily digest")
    NONE = "none", _("Never: only on the site")
