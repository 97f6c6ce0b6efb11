"""Choices and constants of the reports."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Audience(models.TextChoices):
    """Who a brief is written for: what it may show."""

    # Aggregates only, every suppression rule of the public pages applied, no names.
    PUBLIC = "public", _("Public")
    # The territory's coordinators: small cells and breakdowns, unpublished processes.
    COORDINATOR = "coordinator", _("Coordinators of the territory")


class Format(models.TextChoices):
    PDF = "pdf", "PDF"
    HTML = "html", "HTML"


# The languages a brief is written in (the site's languages).
LANGUAGES = ("es", "pt", "en")

# How much of the past a brief's trend shows: a year of monthly waves.
TREND_WAVES = 12
# How many rows of each list a brief shows (concerns, overdue commitments, sessions…).
LIST_LIMIT = 8
