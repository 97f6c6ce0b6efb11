from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "convivencia.indicators"
    label = "indicators"
    verbose_name = _("Crime and violence indicators")

    def ready(self) -> None:
        # jobs registers the crime-data import job handler with the jobs app; signals
        # connects the receivers that keep the explorer's cache version current.
        from convivencia.core import slots
        from convivencia.indicators import exchange, jobs, presets, signals, summary  # noqa: F401

        slots.register_listing(slots.DATA_EXCHANGE, exchange.exports)

        slots.register(
            slots.TERRITORY_PAGE,
            summary.indicator_summary,
            template="indicators/_territory_slot.html",
        )

        post_migrate.connect(
            presets.seed_if_empty, sender=self, dispatch_uid="indicators.seed_presets"
        )
