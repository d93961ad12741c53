from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    name = "chamado.mail"
    label = "mail"
    verbose_name = _("Email")

    def ready(self) -> None:
        from chamado.mail import notify  # noqa: F401  (connects the ticket event receivers)
