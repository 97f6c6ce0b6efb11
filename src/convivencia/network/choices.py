"""The network's vocabularies. Codes are stable (used in URLs, the API and the CSV).

Expertise is the evidence registry's focus list (``evidence.choices.Focus``), so that a
specialist, a practice and an intervention are matched on the same codes.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from convivencia.evidence.choices import Focus

Expertise = Focus


class EventKind(models.TextChoices):
    HIGH_LEVEL_DIALOGUE = "high_level_dialogue", _("High-level dialogue")
    POLICY_DIALOGUE = "policy_dialogue", _("Policy dialogue")
    TRAINING_CLINIC = "training_clinic", _("Training clinic")
    WORKSHOP = "workshop", _("Workshop")
    DONORS_MEETING = "donors_meeting", _("Donors meeting")
    CONFERENCE_SESSION = "conference_session", _("Conference session")
    MEETING = "meeting", _("Meeting")


class OrganisationRole(models.TextChoices):
    PROMOTER = "promoter", _("Promoter")
    PARTNER = "partner", _("Partner")
    FUNDER = "funder", _("Funder")
    HOST = "host", _("Host")


class OrganisationKind(models.TextChoices):
    GOVERNMENT = "government", _("Government")
    POLICE = "police", _("Police")
    CIVIL_SOCIETY = "civil_society", _("Civil society / think tank")
    ACADEMIA = "academia", _("Academia")
    MULTILATERAL = "multilateral", _("Multilateral or international agency")
    BILATERAL = "bilateral", _("Bilateral donor or agency")
    FUNDER = "funder", _("Research funder or foundation")
    OTHER = "other", _("Other")


class DocumentKind(models.TextChoices):
    CONCEPT_NOTE = "concept_note", _("Concept note")
    AGENDA = "agenda", _("Agenda")
    PARTICIPANT_LIST = "participant_list", _("Participant list")
    REPORT = "report", _("Report")
    PRESENTATION = "presentation", _("Presentation")
    MEDIA = "media", _("Media link")
    JOURNAL_ISSUE = "journal_issue", _("Journal issue")


class Language(models.TextChoices):
    """Languages of documents and of specialists (ISO 639-1)."""

    ES = "es", _("Spanish")
    PT = "pt", _("Portuguese")
    EN = "en", _("English")
    FR = "fr", _("French")


class SpeakerRole(models.TextChoices):
    SPEAKER = "speaker", _("Speaker")
    MODERATOR = "moderator", _("Moderator")
    PRESENTER = "presenter", _("Presenter of a practice")


class NameVisibility(models.TextChoices):
    """Who sees the name of a person who registers for an event: their choice."""

    ORGANISERS = "organisers", _("Only the organisers")
    PUBLIC = "public", _("Everybody: listed on the event's public page")


class PublicationKind(models.TextChoices):
    SPECIAL_ISSUE = "special_issue", _("Journal special issue")
    ARTICLE = "article", _("Article")
    REPORT = "report", _("Report")


class TagKind(models.TextChoices):
    EXPERTISE = "expertise", _("Expertise")
    COUNTRY = "country", _("Country")
    LANGUAGE = "language", _("Language")
