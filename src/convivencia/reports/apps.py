from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "convivencia.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        # jobs registers the monthly briefs' job handler; the wave-close hook asks for the
        # briefs of a territory once its month's wave is closed (also in a worker).
        from convivencia.core import slots
        from convivencia.panels import services as panel_services
        from convivencia.reports import exchange, jobs, summary

        slots.register(
            slots.TERRITORY_PAGE, summary.brief_summary, template="reports/_territory_slot.html"
        )
        slots.register_listing(slots.DATA_EXCHANGE, exchange.report_exports)
        if jobs.briefs_after_wave_closed not in panel_services.WAVE_CLOSED_HOOKS:
            panel_services.WAVE_CLOSED_HOOKS.append(jobs.briefs_after_wave_closed)
