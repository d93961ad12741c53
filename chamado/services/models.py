"""The services a client account contracts: hosting plans, VPS, domains."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from chamado.accounts.models import Account
from chamado.core.models import TimeStampedModel
from chamado.core.text import validate_single_line


class Service(TimeStampedModel):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        CANCELLED = "cancelled", _("Cancelled")

    account = models.ForeignKey(
        Account, verbose_name=_("client account"), on_delete=models.CASCADE, related_name="services"
    )
    name = models.CharField(_("product"), max_length=120, validators=[validate_single_line])
    label = models.CharField(
        _("label"),
        max_length=200,
        help_text=_("For example the domain."),
        validators=[validate_single_line],
    )
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.ACTIVE)
    details = models.TextField(_("details"), blank=True, help_text=_("Shown to agents."))

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["account", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.label})"
