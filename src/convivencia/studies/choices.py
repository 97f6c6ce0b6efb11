"""Choices and constants of the characterization studies."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class StudyRole(models.TextChoices):
    """A person's part in one study. Coordinators read originals and run the study;
    analysts code de-identified text."""

    COORDINATOR = "coordinator", _("Study coordinator")
    ANALYST = "analyst", _("Analyst (coder)")


class DocumentKind(models.TextChoices):
    INTERVIEW = "interview", _("Interview")
    FOCUS_GROUP = "focus_group", _("Focus group")
    FIELD_NOTE = "field_note", _("Field note")
    OPEN_ANSWER = "open_answer", _("Open answer")


class SourceFormat(models.TextChoices):
    TEXT = "text", _("Plain text")
    DOCX = "docx", _("Word (DOCX)")
    PDF = "pdf", _("PDF")


class DocumentStatus(models.TextChoices):
    """Nobody but the uploader and the study's coordinators reads a document before it
    is de-identified."""

    PENDING = "pending", _("Awaiting de-identification")
    READY = "ready", _("De-identified, ready to code")


class Language(models.TextChoices):
    SPANISH = "es", _("Spanish")
    ENGLISH = "en", _("English")
    PORTUGUESE = "pt", _("Portuguese")
    OTHER = "other", _("Other")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other / prefers not to say")


class AgeBand(models.TextChoices):
    AGE_18_29 = "18_29", _("18–29")
    AGE_30_44 = "30_44", _("30–44")
    AGE_45_59 = "45_59", _("45–59")
    AGE_60_PLUS = "60_plus", _("60 and over")


class ActorType(models.TextChoices):
    COMMUNITY_LEADER = "community_leader", _("Community leader")
    RESIDENT = "resident", _("Resident")
    YOUTH = "youth", _("Young person")
    VICTIM = "victim", _("Victim")
    PROVIDER = "provider", _("Security or justice provider")
    LOCAL_OFFICIAL = "local_official", _("Local official")
    OTHER = "other", _("Other")


class NameKind(models.TextChoices):
    """What a pseudonym stands for."""

    PERSON = "person", _("Person")
    PLACE = "place", _("Place")


# The case attributes that frequencies are broken down by, in the order pages show them.
CASE_ATTRIBUTES: tuple[str, ...] = ("locality", "actor_type", "sex", "age_band")
ATTRIBUTE_LABELS = {
    "locality": _("Locality"),
    "actor_type": _("Actor type"),
    "sex": _("Sex"),
    "age_band": _("Age band"),
}
# The labels of each attribute's values, for those with fixed choices.
ATTRIBUTE_CHOICES: dict[str, type[models.TextChoices]] = {
    "actor_type": ActorType,
    "sex": Sex,
    "age_band": AgeBand,
}

# The root causes of mistrust between communities and security and justice providers that a
# new study's codebook starts from: (name, definition, include, exclude, colour, children).
ROOT_CAUSES_TEMPLATE: tuple[tuple[str, str, str, str, str, tuple[str, ...]], ...] = (
    (
        "Abuso o mala conducta",
        "Uso excesivo de la fuerza, maltrato, detenciones arbitrarias o trato irrespetuoso "
        "por parte de un proveedor.",
        "Relatos de maltrato vivido o presenciado.",
        "Quejas por demora sin maltrato (ver Ausencia o respuesta lenta).",
        "#C0392B",
        ("Uso excesivo de la fuerza", "Trato irrespetuoso"),
    ),
    (
        "Corrupción",
        "Pagos, favores o cobros indebidos para actuar o para no actuar.",
        "Sobornos, 'vacunas' cobradas con la complicidad de agentes, favores a cambio de trámite.",
        "Extorsión de grupos armados sin participación de agentes.",
        "#8E44AD",
        (),
    ),
    (
        "Ausencia o respuesta lenta",
        "El proveedor no está presente o tarda en responder cuando se le llama.",
        "Llamadas sin respuesta, patrullas que no llegan, denuncias sin trámite.",
        "",
        "#D35400",
        (),
    ),
    (
        "Connivencia con actores armados",
        "Percepción de que agentes toleran, protegen o colaboran con grupos armados o bandas.",
        "",
        "",
        "#2C3E50",
        (),
    ),
    (
        "Impunidad",
        "Los hechos denunciados no tienen consecuencias para los responsables.",
        "Denuncias archivadas, agresores que vuelven al barrio.",
        "",
        "#7F8C8D",
        (),
    ),
    (
        "Estigmatización",
        "Trato como sospechosos a jóvenes, líderes o habitantes de ciertos barrios.",
        "",
        "",
        "#16A085",
        (),
    ),
    (
        "Falta de información",
        "La gente no sabe a quién acudir, qué hace cada institución ni cómo avanza su caso.",
        "",
        "",
        "#2980B9",
        (),
    ),
    (
        "Miedo a represalias",
        "No se denuncia por miedo a que el agresor o un grupo armado se entere.",
        "",
        "",
        "#B7950B",
        (),
    ),
)
