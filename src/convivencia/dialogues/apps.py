from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class DialoguesConfig(AppConfig):
    name = "convivencia.dialogues"
    label = "dialogues"
    verbose_name = _("Dialogues and accountability")

    def ready(self) -> None:
        from convivencia.core import slots
        from convivencia.dialogues import exchange, statuses, summary

        slots.register_listing(slots.DATA_EXCHANGE, exchange.exports)

        slots.register(
            slots.TERRITORY_PAGE,
            summary.dialogue_summary,
            template="dialogues/_territory_slot.html",
        )

        post_migrate.connect(
            statuses.seed_if_empty, sender=self, dispatch_uid="dialogues.seed_statuses"
        )
