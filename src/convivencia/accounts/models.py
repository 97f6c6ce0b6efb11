"""People, organisations, what they may do where, and the audit trail."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from convivencia.accounts.choices import AuditAction, OrganisationType, Role
from convivencia.core.choices import EmailFrequency


class User(AbstractUser):
    """A person who logs in. Contact details stay minimal on purpose."""

    # Set by AbstractBaseUser.__init__ and set_password(); the stubs do not declare it.
    _password: str | None

    preferred_language = models.CharField(
        _("preferred language"), max_length=10, blank=True, choices=settings.LANGUAGES
    )
    email_notifications = models.CharField(
        _("notifications by e-mail"),
        max_length=10,
        choices=EmailFrequency.choices,
        default=EmailFrequency.IMMEDIATE,
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def save(self, *args, **kwargs) -> None:
        # set_password() leaves the new password in _password until the save (a hash
        # upgraded at login does not): a changed password ends every API token, since
        # whoever changes a password may fear someone else knows it.
        password_changed = self._password is not None and not self._state.adding
        super().save(*args, **kwargs)
        if password_changed:
            revoked = self.api_tokens.revoke_all()
            if revoked:
                from convivencia.accounts import audit

                audit.record(AuditAction.UPDATE, self, changes={"api_tokens_revoked": revoked})


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def visible_to(self, user) -> OrganisationQuerySet:
        """Own organisations, and those active in the territories the user works in."""
        from convivencia.accounts import access

        if not user.is_authenticated:
            return self.none()
        user_scope = access.scope(user)
        if user_scope.everywhere:
            return self.all()
        own = models.Q(memberships__user=user, memberships__is_active=True)
        if user_scope.is_empty:
            return self.filter(own).distinct()
        nearby = models.Q(memberships__is_active=True) & user_scope.q("memberships__territories")
        return self.filter(own | nearby).distinct()


class Organisation(models.Model):
    """A police station, a prosecutor's office, an NGO, a community organisation…"""

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    type = models.CharField(_("type"), max_length=30, choices=OrganisationType.choices)
    country = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("country"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    website = models.URLField(_("website"), blank=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "country"], name="unique_organisation_name")
        ]

    def __str__(self) -> str:
        return self.short_name or self.name


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> MembershipQuerySet:
        return self.filter(is_active=True, user__is_active=True)

    def with_role(self, *roles: str) -> MembershipQuerySet:
        return self.filter(role__in=roles)


class Membership(models.Model):
    """A user acts for an organisation, in a role, within some territories.

    The territories cover everything below them: a coordinator for Cauca sees
    every Cauca municipality. An administrator membership with no territory
    covers everything.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    territories = models.ManyToManyField(
        "territories.Territory",
        verbose_name=_("territories"),
        blank=True,
        related_name="memberships",
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="unique_membership_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organisation}"


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def default_token_expiry() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=settings.API_TOKEN_DAYS)


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def live(self) -> ApiTokenQuerySet:
        """Not revoked, of an active user: expired ones included, to say they expired."""
        return self.filter(revoked_at__isnull=True, user__is_active=True)

    def usable(self) -> ApiTokenQuerySet:
        return self.live().filter(expires_at__gt=timezone.now())

    def find(self, token: str) -> ApiToken | None:
        """The live token with this clear text; the caller refuses it when expired."""
        return self.live().select_related("user").filter(digest=_hash_token(token)).first()

    def revoke_all(self) -> int:
        return self.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 digest is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=8, editable=False)
    digest = models.CharField(_("digest"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), default=default_token_expiry)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, user: User, name: str, days: int | None = None) -> tuple[ApiToken, str]:
        """Create a token valid for ``days`` (the default from the settings).

        The clear text is returned once and never stored.
        """
        days = settings.API_TOKEN_DAYS if days is None else days
        if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
            raise ValueError(f"a token lasts 1 to {settings.API_TOKEN_MAX_DAYS} days, not {days}")
        clear = "cv_" + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            name=name,
            prefix=clear[:8],
            digest=_hash_token(clear),
            expires_at=timezone.now() + datetime.timedelta(days=days),
        )
        return token, clear

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    def expiry_message(self) -> str:
        return gettext(
            "The API token %(prefix)s… expired on %(date)s; create a new one on your account page."
        ) % {
            "prefix": self.prefix,
            "date": date_format(timezone.localtime(self.expires_at), "SHORT_DATETIME_FORMAT"),
        }


class AppendOnlyError(Exception):
    """Raised when code tries to change or remove an audit entry."""


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs):
        raise AppendOnlyError("audit entries cannot be changed")

    def delete(self):
        raise AppendOnlyError("audit entries cannot be deleted")

    def reads_of_personal_data(self) -> AuditEntryQuerySet:
        return self.filter(action=AuditAction.READ_PERSONAL)

    def about(self, obj: models.Model) -> AuditEntryQuerySet:
        return self.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))


class AuditEntry(models.Model):
    """One line of the append-only audit log: who did what to which object, when.

    Append-only twice over: the model refuses updates and deletes, and database
    triggers (see the migration) refuse them for raw SQL too.
    """

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise AppendOnlyError("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit entries cannot be deleted")
