"""Webhooks: the endpoints an administrator registers, the hosts they allow on private
networks, and one delivery per event and endpoint with each attempt to send it."""

import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from chamado.core.text import validate_single_line
from chamado.hooks.guard import host_normalize, host_validate, url_validate
from chamado.tickets.models import Ticket


class Event(models.TextChoices):
    CREATED = "ticket.created", _("Ticket created")
    REPLIED = "ticket.replied", _("Ticket replied (not internal notes)")
    STATUS_CHANGED = "ticket.status_changed", _("Ticket status changed")
    TRANSFERRED = "ticket.transferred", _("Ticket transferred")
    MERGED = "ticket.merged", _("Ticket merged")
    CLOSED = "ticket.closed", _("Ticket closed")


# Sent only by the admin's "send a test ping"; no endpoint subscribes to it.
PING = "ping"
DELIVERY_EVENTS = [*Event.choices, (PING, _("Test ping"))]


def secret_new() -> str:
    """32 random bytes, URL-safe: the key of the endpoint's signatures."""
    return secrets.token_urlsafe(32)


def events_validate(value: object) -> None:
    if not isinstance(value, list) or any(item not in Event.values for item in value):
        raise ValidationError(_("Choose events from the list."), code="events")


class Endpoint(models.Model):
    """A URL that receives the chosen ticket events, signed with the endpoint's secret."""

    name = models.CharField(_("name"), max_length=100, validators=[validate_single_line])
    url = models.URLField(
        _("URL"),
        max_length=500,
        validators=[url_validate],
        help_text=_(
            "http or https, without a user name or password. Addresses on private networks "
            "are refused unless their host is an allowed host."
        ),
    )
    events = models.JSONField(_("events"), default=list, blank=True, validators=[events_validate])
    secret = models.CharField(_("secret"), max_length=64, default=secret_new, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def wants(self, event: str) -> bool:
        return self.is_active and event in (self.events or [])


class AllowedHost(models.Model):
    """A host webhooks may reach even when it resolves to a private, loopback or link-local
    address (an integration inside the company's network)."""

    host = models.CharField(
        _("host"),
        max_length=253,
        unique=True,
        validators=[host_validate],
        help_text=_("A host name or an IP address, as written in the endpoint's URL."),
    )
    note = models.CharField(
        _("note"), max_length=200, blank=True, validators=[validate_single_line]
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("allowed host")
        verbose_name_plural = _("allowed hosts")
        ordering = ["host"]

    def __str__(self) -> str:
        return self.host

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.host = host_normalize(self.host)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        self.host = host_normalize(self.host)  # before the unique check


class Delivery(models.Model):
    """One event for one endpoint. The payload is fixed when the event happens; each attempt
    signs it afresh. Attempts are claimed (``claim``), so two workers never send the same one."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed (not retried)")
        GAVE_UP = "gave_up", _("Gave up after retries")

    endpoint = models.ForeignKey(
        Endpoint, verbose_name=_("endpoint"), on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(_("event"), max_length=32, choices=DELIVERY_EVENTS)
    # The event's own id, the same for every endpoint it goes to (the payload's "id").
    event_id = models.UUIDField(_("event id"))
    ticket = models.ForeignKey(
        Ticket,
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hook_deliveries",
    )
    payload = models.JSONField(_("payload"), default=dict)
    status = models.CharField(_("status"), max_length=8, choices=Status, default=Status.PENDING)
    # Attempts started, ever; the back-off counts those since ``series_start`` (a replay
    # starts a new series).
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    series_start = models.PositiveIntegerField(_("attempts before the last replay"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # The worker sending it now; a claim older than tasks.SEND_LEASE belongs to one that died.
    claim = models.CharField(_("claim"), max_length=32, blank=True)
    claimed_at = models.DateTimeField(_("sending since"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="hook_delivery_once")
        ]
        indexes = [
            # The reclaim looks at the few pending rows among every delivery ever made.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="hook_delivery_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.pk})"


class Attempt(models.Model):
    """One try at sending a delivery: what the endpoint answered, or why it failed."""

    delivery = models.ForeignKey(
        Delivery, verbose_name=_("delivery"), on_delete=models.CASCADE, related_name="tries"
    )
    number = models.PositiveIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("time"))
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    response_excerpt = models.TextField(_("response (first 2 KB)"), blank=True)
    error = models.TextField(_("error"), blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="hook_attempt_once")
        ]

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number}"
