from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudiesConfig(AppConfig):
    name = "convivencia.studies"
    label = "studies"
    verbose_name = _("Characterization studies")

    def ready(self) -> None:
        from convivencia.core import slots
        from convivencia.studies import exchange, summary

        slots.register(
            slots.TERRITORY_PAGE, summary.study_summary, template="studies/_territory_slot.html"
        )
        slots.register_listing(slots.DATA_EXCHANGE, exchange.exports)
