from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PanelsConfig(AppConfig):
    name = "convivencia.panels"
    label = "panels"
    verbose_name = _("Perception panels")

    def ready(self) -> None:
        # Registers the response import job handler with the jobs app.
        # Registers the provider digest on wave close, also in a worker that loads no URLs.
        from convivencia.core import slots
        from convivencia.panels import (
            digest,  # noqa: F401
            exchange,
            jobs,  # noqa: F401
            summary,
        )

        slots.register_listing(slots.DATA_EXCHANGE, exchange.exports)

        slots.register(
            slots.TERRITORY_PAGE, summary.panel_summary, template="panels/_territory_slot.html"
        )
