from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "convivencia.indicators"
    label = "indicators"
    verbose_name = _("Crime and violence indicators")

    def ready(self) -> None:
        # Registers the crime-data import job handler with the jobs app.
        from convivencia.indicators import jobs  # noqa: F401
