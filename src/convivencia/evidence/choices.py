"""The registry's vocabularies. Codes are stable (used in URLs, the API and imports)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Scale(models.TextChoices):
    MULTI_COUNTRY = "multi_country", _("Multi-country")
    NATIONAL = "national", _("National")
    REGIONAL = "regional", _("Regional")
    MUNICIPAL = "municipal", _("Municipal")
    NEIGHBOURHOOD = "neighbourhood", _("Neighbourhood")


class Focus(models.TextChoices):
    POLICING = "policing", _("Policing and law enforcement")
    CRIMINAL_JUSTICE = "criminal_justice", _("Criminal justice")
    PRISONS = "prisons", _("Prisons and reintegration")
    SOCIAL_PREVENTION = "social_prevention", _("Social prevention")
    SITUATIONAL = "situational", _("Situational prevention / CPTED")
    VAWG = "vawg", _("Violence against women and girls")
    YOUTH = "youth", _("Youth at risk")
    DRUGS_ALCOHOL = "drugs_alcohol", _("Drugs and alcohol")
    FIREARMS = "firearms", _("Firearms control")
    COMMUNITY = "community", _("Community dialogue and participation")
    DATA = "data", _("Data and information systems")


class Problem(models.TextChoices):
    """Problems an intervention addresses; also the outcomes evaluations measure."""

    HOMICIDE = "homicide", _("Homicide")
    ROBBERY = "robbery", _("Robbery")
    THEFT = "theft", _("Theft")
    SEXUAL_VIOLENCE = "sexual_violence", _("Sexual violence")
    DOMESTIC_VIOLENCE = "domestic_violence", _("Domestic violence")
    EXTORTION = "extortion", _("Extortion")
    GANG_VIOLENCE = "gang_violence", _("Gang violence")
    KIDNAPPING = "kidnapping", _("Kidnapping")
    DRUG_TRAFFICKING = "drug_trafficking", _("Drug trafficking")
    ASSAULT = "assault", _("Assault and injuries")
    RECIDIVISM = "recidivism", _("Recidivism")
    FEAR_OF_CRIME = "fear_of_crime", _("Fear of crime")
    TRUST = "trust", _("Trust in institutions")
    VIOLENCE_GENERAL = "violence_general", _("Violence in general")


class PreventionLevel(models.TextChoices):
    PRIMARY = "primary", _("Primary")
    SECONDARY = "secondary", _("Secondary")
    TERTIARY = "tertiary", _("Tertiary")


class Population(models.TextChoices):
    """Target population: age bands, sex and risk groups in one vocabulary."""

    CHILDREN = "age_0_11", _("Children (0–11)")
    ADOLESCENTS = "age_12_17", _("Adolescents (12–17)")
    YOUNG_ADULTS = "age_18_29", _("Young adults (18–29)")
    ADULTS = "age_30_59", _("Adults (30–59)")
    OLDER = "age_60_plus", _("Older people (60+)")
    WOMEN = "women", _("Women and girls")
    MEN = "men", _("Men and boys")
    GENERAL = "general", _("General population")
    AT_RISK_YOUTH = "at_risk_youth", _("Youth at risk")
    GANG_MEMBERS = "gang_members", _("Gang members")
    OFFENDERS = "offenders", _("Offenders and ex-offenders")
    VICTIMS = "victims", _("Victims")
    POLICE_OFFICERS = "police", _("Police officers")
    COMMUNITIES = "communities", _("High-crime communities")


class ImplementerType(models.TextChoices):
    NATIONAL_GOVERNMENT = "national_government", _("National government")
    SUBNATIONAL_GOVERNMENT = "subnational_government", _("Regional or local government")
    POLICE = "police", _("Police")
    JUSTICE = "justice", _("Justice sector")
    CIVIL_SOCIETY = "civil_society", _("Civil society / NGO")
    COMMUNITY = "community", _("Community organisation")
    PRIVATE = "private", _("Private sector")
    ACADEMIA = "academia", _("Academia")
    MULTILATERAL = "multilateral", _("Multilateral or international agency")
    BILATERAL = "bilateral", _("Bilateral donor")


class Status(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ONGOING = "ongoing", _("Ongoing")
    COMPLETED = "completed", _("Completed")
    DISCONTINUED = "discontinued", _("Discontinued")


class Curation(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for review")
    REVIEWED = "reviewed", _("Reviewed")
    PUBLISHED = "published", _("Published")


class Design(models.TextChoices):
    RCT = "rct", _("Randomised controlled trial")
    QUASI = "quasi_experimental", _("Quasi-experimental")
    PRE_POST = "pre_post", _("Pre-post (before and after)")
    QUALITATIVE = "qualitative", _("Qualitative")
    SYSTEMATIC_REVIEW = "systematic_review", _("Systematic review / meta-analysis")


class Direction(models.TextChoices):
    DESIRABLE = "desirable", _("Desirable effect")
    NULL = "null", _("No significant effect")
    UNDESIRABLE = "undesirable", _("Undesirable effect")
    MIXED = "mixed", _("Mixed results")


class Rating(models.TextChoices):
    """One scale for every outcome. Order matters: see RATING_ORDER."""

    EFFECTIVE = "effective", _("Effective")
    PROMISING = "promising", _("Promising")
    MIXED = "mixed", _("Mixed")
    NO_EFFECT = "no_effect", _("No effect")
    HARMFUL = "harmful", _("Harmful")
    INSUFFICIENT = "insufficient", _("Insufficient evidence")
    NOT_EVALUATED = "not_evaluated", _("Not evaluated")


# "Best" for the dashboard: what a policy maker most wants to know first.
RATING_ORDER = [
    Rating.EFFECTIVE,
    Rating.PROMISING,
    Rating.MIXED,
    Rating.NO_EFFECT,
    Rating.HARMFUL,
    Rating.INSUFFICIENT,
    Rating.NOT_EVALUATED,
]
RATING_RANK: dict[str, int] = {rating: rank for rank, rating in enumerate(RATING_ORDER)}


class EvidenceContext(models.TextChoices):
    SAME_COUNTRY = "same_country", _("Same country")
    SAME_REGION = "same_region", _("Same region (Latin America and the Caribbean)")
    ELSEWHERE = "elsewhere", _("Elsewhere")
    UNKNOWN = "unknown", _("Unknown")


class ExternalSource(models.TextChoices):
    CRIMESOLUTIONS = "crimesolutions", "CrimeSolutions (NIJ)"
    CRIME_REDUCTION_TOOLKIT = "crt", "Crime Reduction Toolkit (College of Policing)"
    IDB = "idb", _("IDB citizen security evidence platform")
    BLUEPRINTS = "blueprints", "Blueprints for Healthy Youth Development"
    OTHER = "other", _("Other")


class TagKind(models.TextChoices):
    FOCUS = "focus", _("Focus")
    PROBLEM = "problem", _("Problem addressed")
    POPULATION = "population", _("Target population")


TAG_CHOICES: dict[str, type[models.TextChoices]] = {
    TagKind.FOCUS: Focus,
    TagKind.PROBLEM: Problem,
    TagKind.POPULATION: Population,
}
