"""Inbound email: the mailboxes polled over IMAP, the inbox policy, and one row per message
taken (by the MTA pipe or a poller), with what became of it."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chamado.core.text import validate_single_line
from chamado.tickets.models import Message, Ticket


class InboxPolicy(models.Model):
    """Company policy for inbound email, edited in the admin (one row)."""

    sender_max_per_hour = models.PositiveIntegerField(
        _("messages per sender per hour"),
        default=20,
        help_text=_(
            "More mail than this from one address within an hour is dropped (a mail loop or a "
            "flood): it neither opens nor extends a ticket, and gets no answer."
        ),
    )

    class Meta:
        verbose_name = _("inbound email policy")
        verbose_name_plural = _("inbound email policy")

    def __str__(self) -> str:
        return str(_("Inbound email policy"))

    @classmethod
    def current(cls) -> "InboxPolicy":
        """The policy row; without it (never saved) the defaults apply."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class Mailbox(models.Model):
    """An IMAP mailbox the worker polls: new mail in ``folder`` is taken, then moved to
    ``processed_folder`` (created when missing)."""

    name = models.CharField(_("name"), max_length=80, validators=[validate_single_line])
    host = models.CharField(_("IMAP server"), max_length=200, validators=[validate_single_line])
    port = models.PositiveIntegerField(_("port"), default=993)
    use_ssl = models.BooleanField(_("TLS (IMAPS)"), default=True)
    username = models.CharField(_("user"), max_length=200, validators=[validate_single_line])
    # The server needs it in clear to log in; the admin never shows it back.
    password = models.CharField(_("password"), max_length=200)
    folder = models.CharField(
        _("folder"), max_length=200, default="INBOX", validators=[validate_single_line]
    )
    processed_folder = models.CharField(
        _("processed folder"),
        max_length=200,
        default="Processed",
        validators=[validate_single_line],
        help_text=_("Taken mail is moved here, so it is never read twice."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True)
    # A poller holds the mailbox until then, so two workers never read it at once (a crashed
    # one's hold runs out by itself).
    polled_until = models.DateTimeField(_("being polled until"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def inbound_upload_to(instance: "InboundMessage", filename: str) -> str:
    return f"inbound/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.eml"


class InboundMessage(models.Model):
    """One inbound email, recorded once (``key``: its Message-ID, or its content when it has
    none, hashed), with the raw message and what became of it."""

    class Source(models.TextChoices):
        PIPE = "pipe", _("MTA pipe")
        IMAP = "imap", _("IMAP")

    class Outcome(models.TextChoices):
        TICKET = "ticket", _("Opened a ticket")
        REPLY = "reply", _("Added to a ticket")
        REVIEW = "review", _("Waiting for review")
        DROPPED = "dropped", _("Dropped")
        DISCARDED = "discarded", _("Discarded by an agent")

    class Reason(models.TextChoices):
        NONE = "", _("None")
        UNPARSEABLE = "unparseable", _("Could not be read")
        NO_SENDER = "no_sender", _("No single sender address")
        SPOOFED = "spoofed", _("The sender's domain failed authentication")
        UNKNOWN_SENDER = "unknown_sender", _("Unknown sender")
        NO_PERMISSION = "no_permission", _("The sender may not use tickets")
        BAD_TAG = "bad_tag", _("Reply address not valid for this sender")
        HINT_ONLY = "hint_only", _("Looks like a reply, but carries no valid reply address")
        NO_ACCESS = "no_access", _("The sender may not reach that ticket")
        NO_ADDRESS = "no_address", _("Sent to no department address")
        REFUSED = "refused", _("Refused by a ticket rule")
        FAILED = "failed", _("Processing failed")
        AUTO_REPLY = "auto_reply", _("Automatic reply")
        BOUNCE = "bounce", _("Bounce")
        LOOP = "loop", _("Chamado's own mail came back")
        FLOOD = "flood", _("Too many messages from this sender")

    key = models.CharField(_("key"), max_length=64, unique=True)
    email_message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    sender = models.CharField(_("from"), max_length=254, blank=True)
    sender_name = models.CharField(_("sender's name"), max_length=200, blank=True)
    recipient = models.CharField(
        _("to"), max_length=254, blank=True, help_text=_("The address that routed it.")
    )
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("text"), blank=True)
    raw = models.FileField(_("raw message"), upload_to=inbound_upload_to, max_length=200)
    size = models.PositiveIntegerField(_("size"), default=0)
    source = models.CharField(_("arrived by"), max_length=8, choices=Source)
    mailbox = models.ForeignKey(
        Mailbox,
        verbose_name=_("mailbox"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome)
    reason = models.CharField(_("reason"), max_length=16, choices=Reason, blank=True)
    detail = models.TextField(_("detail"), blank=True)
    sender_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sender's user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ticket = models.ForeignKey(
        Ticket,
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_messages",
    )
    message = models.ForeignKey(
        Message,
        verbose_name=_("message"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Lines told to the sender in one email (refused attachments, a refused reply); sent once.
    notice = models.TextField(_("notice to the sender"), blank=True)
    notice_sent_at = models.DateTimeField(_("notice sent"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    class Meta:
        verbose_name = _("inbound email")
        verbose_name_plural = _("inbound emails")
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["outcome", "-received_at"], name="inbound_outcome_received"),
            # The flood guard counts one sender's mail of the last hour.
            models.Index(fields=["sender", "received_at"], name="inbound_sender_received"),
        ]

    def __str__(self) -> str:
        return f"{self.sender or '?'}: {self.subject}"
