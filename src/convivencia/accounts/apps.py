from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "convivencia.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from convivencia.accounts import audit  # noqa: F401  (connects the login signals)
