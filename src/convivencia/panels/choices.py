from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# Codes that mean "no usable answer": never in averages, shares or tests.
DONT_KNOW = 88
NO_ANSWER = 98
MISSING_CODES = (DONT_KNOW, NO_ANSWER)


class ItemType(models.TextChoices):
    SCALE = "scale", _("Scale")
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    YES_NO = "yes_no", _("Yes / no")
    NUMBER = "number", _("Number")
    TEXT = "text", _("Text")


class Provider(models.TextChoices):
    """The security and justice providers whose trust is measured."""

    POLICE = "police", _("National Police")
    ARMED_FORCES = "armed_forces", _("Armed forces")
    JUSTICE_SYSTEM = "justice_system", _("Justice system")
    MUNICIPAL_GOVERNMENT = "municipal_government", _("Municipal government")
    PROSECUTOR = "prosecutor", _("Prosecutor's office")
    JUDGES = "judges", _("Local judges")
    LOCAL_PROVIDER = "local_provider", _("Local provider")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other / prefers not to say")


class AgeBand(models.TextChoices):
    AGE_18_29 = "18_29", _("18–29")
    AGE_30_44 = "30_44", _("30–44")
    AGE_45_59 = "45_59", _("45–59")
    AGE_60_PLUS = "60_plus", _("60 and over")


class LeaderRole(models.TextChoices):
    JAC = "jac", _("Junta de Acción Comunal")
    INDIGENOUS = "indigenous", _("Indigenous authority")
    AFRO = "afro", _("Afro-Colombian community council")
    WOMEN = "women", _("Women's organisation")
    YOUTH = "youth", _("Youth organisation")
    VICTIMS = "victims", _("Victims' organisation")
    RELIGIOUS = "religious", _("Religious leader")
    BUSINESS = "business", _("Local business")
    OTHER = "other", _("Other")


class Area(models.TextChoices):
    RURAL = "rural", _("Rural")
    URBAN = "urban", _("Urban")


class WaveStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("a survey wave", "Open")
    CLOSED = "closed", pgettext_lazy("a survey wave", "Closed")


class ReviewStatus(models.TextChoices):
    """A submission's review in KoBoToolbox (_validation_status) or ODK Central (ReviewState).

    Rejected ones are skipped by every import unless the importer asks for them.
    """

    APPROVED = "approved", _("Approved")
    HAS_ISSUES = "has_issues", _("Has issues")
    ON_HOLD = "on_hold", _("On hold")
    EDITED = "edited", _("Edited")
    REJECTED = "rejected", _("Rejected")


class FieldUse(models.TextChoices):
    """What a field of a form made elsewhere (KoBoToolbox, ODK) is to Convivencia."""

    RESPONDENT = "respondent", _("Respondent code")
    TRUST = "trust", _("Trust item")
    VICTIMIZATION = "victimization", _("Victimization item")
    CONCERN = "concern", _("Concern")
    ITEM = "item", _("Other analysed item")
    RAW = "raw", _("Kept raw (shown in exports, not analysed)")
    IGNORED = "ignored", _("Ignored")


# Uses whose answers go through the items' validation and into the aggregates.
ANALYSED_USES = (FieldUse.TRUST, FieldUse.VICTIMIZATION, FieldUse.CONCERN, FieldUse.ITEM)


class SubmissionSource(models.TextChoices):
    WEB = "web", _("Web form")
    FILE = "file", _("File import")
    OPENROSA = "openrosa", _("ODK Collect / Enketo")


# Respondent attributes usable as breakdowns; "all" is the whole panel.
BREAKDOWNS = {
    "sex": Sex,
    "age_band": AgeBand,
    "role": LeaderRole,
    "area": Area,
}
