from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HooksConfig(AppConfig):
    name = "chamado.hooks"
    label = "hooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        from chamado.hooks import events  # noqa: F401  (connects the ticket event receiver)
