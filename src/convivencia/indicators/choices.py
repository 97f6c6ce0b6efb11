from django.db import models
from django.utils.translation import gettext_lazy as _


class ValueType(models.TextChoices):
    INTEGER = "integer", _("Whole number")
    NUMBER = "number", _("Number")


class AggregationType(models.TextChoices):
    SUM = "sum", _("Sum")
    AVERAGE = "average", _("Average")


class Source(models.TextChoices):
    POLICE = "police", _("Police records")
    PROSECUTOR = "prosecutor", _("Prosecutor's office")
    FORENSIC = "forensic", _("Forensic medicine")
    SURVEY = "survey", _("Victimization survey")
    COMMUNITY = "community", _("Community monitoring")
    HEALTH = "health", _("Health system")


class PeriodType(models.TextChoices):
    YEAR = "year", _("Year")
    SEMESTER = "semester", _("Half-year")
    QUARTER = "quarter", _("Quarter")
    MONTH = "month", _("Month")
    WEEK = "week", _("ISO week")
    DAY = "day", _("Day")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    UNKNOWN = "unknown", _("Not recorded")


class AgeGroup(models.TextChoices):
    CHILDREN = "0_11", _("Children (0–11)")
    ADOLESCENTS = "12_17", _("Adolescents (12–17)")
    ADULTS = "18_plus", _("Adults (18+)")
    UNKNOWN = "unknown", _("Not recorded")


class DenominatorKind(models.TextChoices):
    POPULATION = "population", _("Population")
    ELEMENT = "element", _("Another data element")
    NONE = "none", _("None (a count)")
