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


class Dhis2Kind(models.TextChoices):
    """What a row of the DHIS2 mapping table translates."""

    DATA_ELEMENT = "data_element", _("Data element")
    ORG_UNIT = "org_unit", _("Organisation unit")
    CATEGORY_OPTION_COMBO = "category_option_combo", _("Category option combo")


# DHIS2's id schemes (``idScheme`` and its per-object variants); ID and UUID are its
# other spellings of UID. ATTRIBUTE:<uid> names an attribute holding the identifier.
ID_SCHEMES = ("UID", "CODE", "NAME")
_SCHEME_ALIASES = {"ID": "UID", "UUID": "UID"}


def id_scheme(text: str) -> str:
    """A DHIS2 id scheme as we store it: UID, CODE, NAME or ATTRIBUTE:<uid>.

    Raises ValueError naming the value otherwise. DHIS2 reads schemes in any case
    (dhis2-core's test files write ``idScheme="code"``); the attribute uid keeps its case.
    """
    value = text.strip()
    upper = value.upper()
    if upper.startswith("ATTRIBUTE:") and value[len("ATTRIBUTE:") :].strip():
        return "ATTRIBUTE:" + value[len("ATTRIBUTE:") :].strip()
    upper = _SCHEME_ALIASES.get(upper, upper)
    if upper in ID_SCHEMES:
        return upper
    raise ValueError(
        _("“%(value)s” is not a DHIS2 id scheme (UID, CODE, NAME or ATTRIBUTE:<uid>)")
        % {"value": text}
    )
