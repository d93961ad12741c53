from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "chamado.tickets"
    label = "tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        from chamado.tickets import selectors  # noqa: F401  (the SLA targets' cache is cleared on save)
