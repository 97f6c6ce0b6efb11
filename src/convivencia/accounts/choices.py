from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationType(models.TextChoices):
    POLICE = "police", _("Police")
    ARMY = "army", _("Army / armed forces")
    PROSECUTOR = "prosecutor", _("Prosecutor's office")
    JUDICIARY = "judiciary", _("Judiciary")
    OMBUDSMAN = "ombudsman", _("Ombudsman")
    LOCAL_GOVERNMENT = "local_government", _("Local government")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    COMMUNITY = "community", _("Community organisation")
    DONOR = "donor", _("Donor")
    ACADEMIA = "academia", _("Academia")
    INTERNATIONAL = "international", _("International organisation")


class Role(models.TextChoices):
    """What a membership lets a person do, within its territories."""

    ADMINISTRATOR = "administrator", _("Administrator")
    COORDINATOR = "coordinator", _("Coordinator")
    ANALYST = "analyst", _("Analyst")
    ENUMERATOR = "enumerator", _("Enumerator")
    PROVIDER = "provider", _("Provider (security or justice liaison)")
    COMMUNITY_LEADER = "community_leader", _("Community leader")


class AuditAction(models.TextChoices):
    CREATE = "create", _("created")
    UPDATE = "update", _("changed")
    DELETE = "delete", _("deleted")
    READ_PERSONAL = "read_personal", _("read personal data")
    LOGIN = "login", _("logged in")
    LOGOUT = "logout", _("logged out")
    LOGIN_FAILED = "login_failed", _("failed to log in")
    LOCKED_OUT = "locked_out", _("locked out after failed logins")
    IMPORT = "import", _("imported")
    EXPORT = "export", _("exported")
