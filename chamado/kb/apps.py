from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KbConfig(AppConfig):
    name = "chamado.kb"
    label = "kb"
    verbose_name = _("Knowledge Base")

    def ready(self) -> None:
        from chamado.kb import signals  # noqa: F401
