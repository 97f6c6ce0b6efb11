"""Long work the web request should not wait for: large imports, PDFs, rebuilds."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from convivencia.jobs.choices import JobStatus


class JobQuerySet(models.QuerySet["Job"]):
    def visible_to(self, user) -> JobQuerySet:
        if user.is_superuser:
            return self
        return self.filter(created_by=user)

    def unfinished(self) -> JobQuerySet:
        return self.filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING])

    def abandoned(self, older_than: timedelta) -> JobQuerySet:
        """Running jobs whose worker stopped beating."""
        return self.filter(status=JobStatus.RUNNING, heartbeat_at__lt=timezone.now() - older_than)

    def files_to_purge(self, finished_before: datetime) -> JobQuerySet:
        """Finished jobs that still keep an uploaded or error file past the retention."""
        return self.filter(
            status__in=[JobStatus.SUCCEEDED, JobStatus.FAILED],
            finished_at__lt=finished_before,
            files_purged_at__isnull=True,
        ).filter(~models.Q(upload="") | models.Q(result__has_key="error_file"))


class Job(models.Model):
    """One piece of background work, its progress, and how it ended."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=60)
    label = models.CharField(_("label"), max_length=200)
    params = models.JSONField(_("parameters"), default=dict)
    status = models.CharField(
        _("status"), max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("total"), default=0)
    message = models.CharField(_("message"), max_length=500, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jobs",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("heartbeat at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    upload = models.FileField(_("uploaded file"), upload_to="jobs/%Y/%m/", blank=True)
    files_purged_at = models.DateTimeField(_("files deleted at"), null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.label

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)

    @property
    def percent(self) -> int | None:
        if not self.progress_total:
            return None
        return min(100, round(100 * self.progress_done / self.progress_total))
