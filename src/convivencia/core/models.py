from django.db import models
from django.utils.translation import gettext_lazy as _


class DemoDataset(models.Model):
    """Present when `convivencia load_demo` has run: every page then says 'demo data'."""

    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)
    version = models.CharField(_("version"), max_length=20)

    class Meta:
        verbose_name = _("demo dataset")
        verbose_name_plural = _("demo datasets")

    def __str__(self) -> str:
        return f"demo {self.version}"


class NotificationQuerySet(models.QuerySet["Notification"]):
    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """An in-app message to one person (wave digests, commitment changes…)."""

    user = models.ForeignKey(
        "accounts.User",
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # Waiting for its owner's daily digest e-mail (notifications.send_digests).
    email_pending = models.BooleanField(_("waiting for the daily e-mail"), default=False)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title
