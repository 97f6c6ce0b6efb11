from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Phase(models.TextChoices):
    SCOPING = "scoping", _("Scoping")
    CHARACTERIZATION = "characterization", _("Characterization")
    CONVENING = "convening", _("Convening")
    DIALOGUE = "dialogue", _("Dialogue")
    ACTION_PLANNING = "action_planning", _("Action planning")
    IMPLEMENTATION = "implementation", _("Implementation")
    REVIEW = "review", _("Review")
    CLOSED = "closed", pgettext_lazy("a dialogue process", "Closed")


class SessionKind(models.TextChoices):
    COMMUNITY = "community", _("Community only")
    PROVIDERS = "providers", _("Providers only")
    JOINT = "joint", _("Joint dialogue")
    HIGH_LEVEL = "high_level", _("High-level policy dialogue")
    WORKSHOP = "workshop", _("Capacity-building workshop")


class Mode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("Hybrid")


class SessionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class ParticipantRole(models.TextChoices):
    COMMUNITY_LEADER = "community_leader", _("Community leader")
    PROVIDER = "provider", _("Provider representative")
    FACILITATOR = "facilitator", _("Facilitator")
    OBSERVER = "observer", _("Observer")
    SPEAKER = "speaker", _("Speaker")


class Attendance(models.TextChoices):
    INVITED = "invited", _("Invited")
    REGISTERED = "registered", _("Registered")
    WAITLISTED = "waitlisted", _("Waitlisted")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no_show", _("Did not attend")


class AgendaOrigin(models.TextChoices):
    MANUAL = "manual", _("Added by the facilitator")
    PANEL = "panel", _("Perception panel")
    INDICATOR = "indicator", _("Crime indicator")
    CONCERN = "concern", _("Community concern")


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
    DISCARDED = "discarded", _("Discarded")


class Priority(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class Verdict(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed by the community")
    DISPUTED = "disputed", _("Disputed by the community")


class RollUp(models.TextChoices):
    WEIGHTED = "weighted", _("Weighted by the sub-commitments' weights")
    AVERAGE = "average", _("Simple average")


class InstrumentKind(models.TextChoices):
    PISCC = "piscc", _("Municipal security plan (PISCC)")
    DEPARTMENTAL = "departmental", _("Departmental policy")
    NATIONAL = "national", _("National policy")
    POLICE_PROTOCOL = "police_protocol", _("Police protocol")
    OTHER = "other", _("Other instrument")


class UptakeStage(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    INCLUDED = "included", _("Included")
    ADOPTED = "adopted", _("Adopted")
    IMPLEMENTED = "implemented", _("Implemented")
