"""Outgoing notifications: one row per email, so a retry never sends one twice."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chamado.tickets.models import Message, Ticket


class Delivery(models.Model):
    class Kind(models.TextChoices):
        TICKET_CONFIRMATION = "ticket_confirmation", _("Ticket confirmation to the client")
        TICKET_NEW_NOTICE = "ticket_new_notice", _("New ticket notice to agents")
        CLIENT_REPLY_NOTICE = "client_reply_notice", _("Client reply notice to agents")
        AGENT_REPLY = "agent_reply", _("Agent reply to the client")
        TRANSFER_NOTICE = "transfer_notice", _("Transfer notice to the client")
        AUTO_CLOSED = "auto_closed", _("Auto-close notice to the client")
        STATUS_CHANGED = "status_changed", _("Status change notice to the client")
        MERGED = "merged", _("Merge notice to the client")
        TRANSFER_AGENTS_NOTICE = (
            "transfer_agents_notice",
            _("Transfer notice to the receiving department's agents"),
        )

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Gave up")

    kind = models.CharField(_("kind"), max_length=32, choices=Kind)
    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="deliveries"
    )
    message = models.ForeignKey(
        Message,
        verbose_name=_("message"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    # The ticket as the event left it (render.event_snapshot), taken when the delivery is
    # queued: the email tells its event even when the ticket changed before the worker sent it.
    # Empty on rows queued before it was stored; those render from the ticket.
    context = models.JSONField(_("details"), default=dict, blank=True)
    # Derived from the notice (notify.notice_message_id), so the same one cannot be queued twice.
    email_message_id = models.CharField(_("Message-ID"), max_length=200, unique=True)
    state = models.CharField(_("state"), max_length=8, choices=State, default=State.PENDING)
    # Attempts started (a worker claims the row first, then sends): one killed mid-send counts.
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # The claim of the worker sending it now: only the holder sends and marks it sent. A claim
    # older than tasks.SEND_LEASE belongs to a worker that died; tasks.deliveries_reclaim frees it.
    claim = models.CharField(_("claim"), max_length=32, blank=True)
    claimed_at = models.DateTimeField(_("sending since"), null=True, blank=True)
    # The task (django_tasks_db's DBTaskResult) due to send it; none alive means it is orphaned.
    task_id = models.UUIDField(_("task"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("email delivery")
        verbose_name_plural = _("email deliveries")
        ordering = ["-created_at"]
        indexes = [
            # The reclaim looks at the few unsent rows among every email ever sent.
            models.Index(
                fields=["created_at"],
                condition=models.Q(state="pending"),
                name="mail_delivery_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.ticket_id} → {self.recipient_id}"


# Notices for agents link to the desk; every other kind goes to a client and links to the
# client area.
AGENT_KINDS = frozenset(
    {
        Delivery.Kind.TICKET_NEW_NOTICE,
        Delivery.Kind.CLIENT_REPLY_NOTICE,
        Delivery.Kind.TRANSFER_AGENTS_NOTICE,
    }
)
