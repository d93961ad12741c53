from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "chamado.accounts"
    label = "accounts"
    verbose_name = _("People and accounts")  # allauth's app (email addresses) is "Accounts"

    def ready(self) -> None:
        from chamado.accounts import signals  # noqa: F401
