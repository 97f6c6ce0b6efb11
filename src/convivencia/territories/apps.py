from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TerritoriesConfig(AppConfig):
    name = "convivencia.territories"
    label = "territories"
    verbose_name = _("Territories")

    def ready(self) -> None:
        # Registers the territory import job handlers with the jobs app.
        from convivencia.territories import jobs  # noqa: F401
