from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "convivencia.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Importing them connects the login and lock-out signals.
        from convivencia.accounts import audit, throttle  # noqa: F401
