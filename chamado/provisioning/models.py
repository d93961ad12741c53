"""The ids a billing system gives the accounts, contacts and services it creates here.

Kept apart from the objects themselves: Chamado's own rules never read them; they only make a
billing system's repeated call land on the same object (see provisioning.actions)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ExternalId(models.Model):
    class Kind(models.TextChoices):
        ACCOUNT = "account", _("client account")
        CONTACT = "contact", _("contact")  # an accounts.Membership: a person in one account
        SERVICE = "service", _("service")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    external_id = models.CharField(_("external id"), max_length=100)
    object_id = models.BigIntegerField(_("object id"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("external id")
        verbose_name_plural = _("external ids")
        constraints = [
            models.UniqueConstraint(fields=["kind", "external_id"], name="external_id_once"),
            models.UniqueConstraint(
                fields=["kind", "object_id"], name="external_id_one_per_object"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.external_id}"
