from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "convivencia.evidence"
    label = "evidence"
    verbose_name = _("Evidence registry")

    def ready(self) -> None:
        # Registers the "evidence.import" job handler with convivencia.jobs.
        from convivencia.core import slots
        from convivencia.evidence import exchange, jobs  # noqa: F401

        slots.register_listing(slots.DATA_EXCHANGE, exchange.exports)
