from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "convivencia.evidence"
    label = "evidence"
    verbose_name = _("Evidence registry")

    def ready(self) -> None:
        # Registers the "evidence.import" job handler with convivencia.jobs.
        from convivencia.evidence import jobs  # noqa: F401
