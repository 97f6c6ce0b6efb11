"""Standard data elements and indicators (SES/IDB regional system of citizen security
indicators), so every installation shares the same codes.

Data migration 0007 writes them, so a fresh installation has them after ``migrate``
without the demo; they come back after a database flush (tests, ``convivencia flush``) on
post_migrate when no data element is left, the way the dialogues restore their statuses.
Changing a name or adding a preset here needs a new data migration calling
``ensure_presets`` for existing installations.
"""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS

from convivencia.indicators.choices import DenominatorKind

ELEMENTS = {
    "homicides": {
        "es": "Homicidios intencionales",
        "en": "Intentional homicides",
        "pt": "Homicídios intencionais",
    },
    "robbery": {"es": "Hurto con violencia (robo)", "en": "Robbery", "pt": "Roubo"},
    "theft": {"es": "Hurto", "en": "Theft", "pt": "Furto"},
    "sexual_violence": {
        "es": "Violencia sexual",
        "en": "Sexual violence",
        "pt": "Violência sexual",
    },
    "domestic_violence": {
        "es": "Violencia intrafamiliar",
        "en": "Domestic violence",
        "pt": "Violência doméstica",
    },
    "extortion": {"es": "Extorsión", "en": "Extortion", "pt": "Extorsão"},
    "kidnapping": {"es": "Secuestro", "en": "Kidnapping", "pt": "Sequestro"},
    "femicide": {"es": "Feminicidios", "en": "Femicides", "pt": "Feminicídios"},
    "threats_to_leaders": {
        "es": "Amenazas a líderes sociales",
        "en": "Threats to social leaders",
        "pt": "Ameaças a lideranças sociais",
    },
    "injuries": {
        "es": "Lesiones personales",
        "en": "Assault and injuries",
        "pt": "Lesões corporais",
    },
}

# code: (name, numerator, factor, description)
INDICATORS = {
    "homicide_rate": (
        {
            "es": "Tasa de homicidios por 100.000 habitantes",
            "en": "Homicide rate per 100,000 inhabitants",
            "pt": "Taxa de homicídios por 100 mil habitantes",
        },
        "homicides",
        100_000,
        "Intentional homicides / population × 100,000 (SES/IDB indicator).",
    ),
    "robbery_rate": (
        {
            "es": "Tasa de hurto con violencia por 100.000 habitantes",
            "en": "Robbery rate per 100,000 inhabitants",
            "pt": "Taxa de roubo por 100 mil habitantes",
        },
        "robbery",
        100_000,
        "Robberies / population × 100,000.",
    ),
    "theft_rate": (
        {
            "es": "Tasa de hurto por 100.000 habitantes",
            "en": "Theft rate per 100,000 inhabitants",
            "pt": "Taxa de furto por 100 mil habitantes",
        },
        "theft",
        100_000,
        "Thefts / population × 100,000.",
    ),
    "sexual_violence_rate": (
        {
            "es": "Tasa de violencia sexual por 100.000 habitantes",
            "en": "Sexual violence rate per 100,000 inhabitants",
            "pt": "Taxa de violência sexual por 100 mil habitantes",
        },
        "sexual_violence",
        100_000,
        "Reported sexual violence / population × 100,000.",
    ),
    "domestic_violence_rate": (
        {
            "es": "Tasa de violencia intrafamiliar por 100.000 habitantes",
            "en": "Domestic violence rate per 100,000 inhabitants",
            "pt": "Taxa de violência doméstica por 100 mil habitantes",
        },
        "domestic_violence",
        100_000,
        "Reported domestic violence / population × 100,000.",
    ),
    "extortion_rate": (
        {
            "es": "Tasa de extorsión por 100.000 habitantes",
            "en": "Extortion rate per 100,000 inhabitants",
            "pt": "Taxa de extorsão por 100 mil habitantes",
        },
        "extortion",
        100_000,
        "Reported extortion / population × 100,000.",
    ),
    "kidnapping_rate": (
        {
            "es": "Tasa de secuestro por 100.000 habitantes",
            "en": "Kidnapping rate per 100,000 inhabitants",
            "pt": "Taxa de sequestro por 100 mil habitantes",
        },
        "kidnapping",
        100_000,
        "Kidnappings / population × 100,000.",
    ),
}


def ensure_presets(apps: Any = None, using: str = DEFAULT_DB_ALIAS) -> None:
    """Create the standard data elements and indicators if missing (names refreshed).

    ``apps`` is a migration's historical registry, or None for the current models.
    """
    if apps is None:
        from django.apps import apps
    DataElement = apps.get_model("indicators", "DataElement")
    Indicator = apps.get_model("indicators", "Indicator")
    elements = {}
    for code, name in ELEMENTS.items():
        element, _ = DataElement.objects.using(using).update_or_create(
            code=code, defaults={"name": name}
        )
        elements[code] = element
    for code, (name, numerator, factor, description) in INDICATORS.items():
        Indicator.objects.using(using).update_or_create(
            code=code,
            defaults={
                "name": name,
                "numerator": elements[numerator],
                "factor": factor,
                "denominator_kind": DenominatorKind.POPULATION,
                "description": description,
            },
        )


def seed_if_empty(apps: Any = None, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> bool:
    """Write the presets when there is no data element at all (after a flush); an
    installation's own elements and indicators are never touched. Returns whether it wrote."""
    if apps is None:
        from django.apps import apps
    try:
        DataElement = apps.get_model("indicators", "DataElement")
        apps.get_model("indicators", "Indicator")
    except LookupError:
        return False  # migrating backwards past the models
    if DataElement.objects.using(using).exists():
        return False
    ensure_presets(apps, using)
    return True
