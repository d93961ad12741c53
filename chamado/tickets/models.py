"""Departments, tickets, their followers, messages and attachments, and the helpdesk policy."""

import uuid
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from chamado.accounts.models import Account
from chamado.core.cache import cache_delete, cache_get, cache_set
from chamado.core.models import TimeStampedModel
from chamado.core.text import validate_single_line
from chamado.services.models import Service
from chamado.tickets import workflow


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    MEDIUM = 2, _("Medium")
    HIGH = 3, _("High")


PRIORITY_CHOICES = Priority.choices


class Policy(models.Model):
    """Company policy for tickets, edited in the admin (one row)."""

    attachment_max_mb = models.PositiveIntegerField(_("largest attachment (MB)"), default=10)
    attachment_max_count = models.PositiveIntegerField(_("attachments per message"), default=5)
    flood_max_messages = models.PositiveIntegerField(
        _("client messages allowed in the window"), default=5
    )
    flood_window_minutes = models.PositiveIntegerField(_("flood window (minutes)"), default=10)
    autoclose_hours = models.PositiveIntegerField(
        _("close Answered tickets after (hours)"), default=72
    )
    image_max_megapixels = models.PositiveIntegerField(
        _("largest image (megapixels)"),
        default=40,
        help_text=_("Images with more pixels are refused before they are decoded."),
    )
    tickets_per_hour = models.PositiveIntegerField(
        _("tickets a contact may open per hour"), default=30, help_text=_("0: no limit.")
    )
    uploads_per_hour = models.PositiveIntegerField(
        _("files a person may upload per hour"), default=100, help_text=_("0: no limit.")
    )
    api_requests_per_minute = models.PositiveIntegerField(
        _("API requests per token per minute"), default=300, help_text=_("0: no limit.")
    )
    number_min_digits = models.PositiveSmallIntegerField(
        _("digits of a ticket number, at least"),
        default=6,
        validators=[MinValueValidator(4), MaxValueValidator(9)],
    )
    number_grow_at_percent = models.PositiveSmallIntegerField(
        _("use one digit more once this share of the numbers is taken, in percent"),
        default=50,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("Numbers are random: the fuller their space, the more tries a new one takes."),
    )

    class Meta:
        verbose_name = _("ticket policy")
        verbose_name_plural = _("ticket policy")

    def __str__(self) -> str:
        return str(_("Ticket policy"))

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        cache_delete(self.CACHE_KEY)  # every process reads the new policy at once

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        deleted = super().delete(*args, **kwargs)
        cache_delete(self.CACHE_KEY)
        return deleted

    CACHE_KEY = "chamado:policy"
    CACHE_SECONDS = 300

    @classmethod
    def current(cls) -> "Policy":
        """The policy row (a migration creates it), kept in the cache for a few minutes since
        every form and upload reads it; reads never write to the database. Without the row (a
        database someone emptied by hand) the defaults apply until an administrator saves."""
        policy = cache_get(cls.CACHE_KEY)
        if not isinstance(policy, cls):
            policy = cls.objects.filter(pk=1).first() or cls(pk=1)
            cache_set(cls.CACHE_KEY, policy, cls.CACHE_SECONDS)
        return policy

    @property
    def attachment_max_bytes(self) -> int:
        return self.attachment_max_mb * 1024 * 1024

    @property
    def image_max_pixels(self) -> int:
        return self.image_max_megapixels * 1_000_000

    @property
    def request_max_bytes(self) -> int:
        """The largest request body worth reading: every attachment at its limit, plus the
        form's text (anything larger is refused before it is read)."""
        return self.attachment_max_bytes * max(self.attachment_max_count, 1) + 4 * 1024 * 1024


class Department(models.Model):
    name = models.CharField(_("name (English)"), max_length=80, validators=[validate_single_line])
    name_pt_br = models.CharField(
        _("name (Portuguese)"), max_length=80, blank=True, validators=[validate_single_line]
    )
    description = models.CharField(_("description (English)"), max_length=200, blank=True)
    description_pt_br = models.CharField(_("description (Portuguese)"), max_length=200, blank=True)
    slug = models.SlugField(_("slug"), unique=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_visible = models.BooleanField(
        _("visible to clients"), default=True, help_text=_("Hidden departments take no tickets.")
    )
    allows_no_service = models.BooleanField(
        _("tickets may name no service"),
        default=False,
        help_text=_("Lets clients pick 'None' as the related service."),
    )
    reopen_on_reply = models.BooleanField(
        _("a client reply reopens a closed ticket"),
        default=True,
        help_text=_("When off, clients are offered a new ticket instead."),
    )
    email = models.EmailField(_("email address"), blank=True)
    agents = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agents"),
        blank=True,
        related_name="departments",
        limit_choices_to={"is_agent": True},
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        """The name in the active language."""
        if (translation.get_language() or "").startswith("pt") and self.name_pt_br:
            return self.name_pt_br
        return self.name

    @property
    def summary(self) -> str:
        if (translation.get_language() or "").startswith("pt") and self.description_pt_br:
            return self.description_pt_br
        return self.description


class SlaTarget(models.Model):
    """Response targets of a department for one priority (24 h when none is set)."""

    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.CASCADE, related_name="sla"
    )
    priority = models.PositiveSmallIntegerField(_("priority"), choices=PRIORITY_CHOICES)
    first_response_minutes = models.PositiveIntegerField(
        _("first response within (minutes)"), default=24 * 60
    )
    next_response_minutes = models.PositiveIntegerField(
        _("next responses within (minutes)"), default=24 * 60
    )

    class Meta:
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        constraints = [
            models.UniqueConstraint(fields=["department", "priority"], name="sla_once_per_priority")
        ]

    def __str__(self) -> str:
        return f"{self.department} / {self.get_priority_display()}"


class Ticket(models.Model):
    class Status(models.TextChoices):
        # The values and labels of tickets.workflow, where the rules about them live.
        OPEN = workflow.OPEN, workflow.STATUS_LABELS[workflow.OPEN]
        ANSWERED = workflow.ANSWERED, workflow.STATUS_LABELS[workflow.ANSWERED]
        CUSTOMER_REPLY = workflow.CUSTOMER_REPLY, workflow.STATUS_LABELS[workflow.CUSTOMER_REPLY]
        ON_HOLD = workflow.ON_HOLD, workflow.STATUS_LABELS[workflow.ON_HOLD]
        IN_PROGRESS = workflow.IN_PROGRESS, workflow.STATUS_LABELS[workflow.IN_PROGRESS]
        CLOSED = workflow.CLOSED, workflow.STATUS_LABELS[workflow.CLOSED]

    Priority = Priority

    number = models.PositiveIntegerField(_("number"), unique=True)
    account = models.ForeignKey(
        Account, verbose_name=_("client account"), on_delete=models.CASCADE, related_name="tickets"
    )
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        related_name="opened_tickets",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="tickets"
    )
    service = models.ForeignKey(
        Service,
        verbose_name=_("related service"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    subject = models.CharField(_("subject"), max_length=120, validators=[validate_single_line])
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority, default=Priority.MEDIUM
    )
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.OPEN)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
    )
    created_at = models.DateTimeField(_("opened"), default=timezone.now)
    last_activity_at = models.DateTimeField(_("last update"), default=timezone.now)
    # The moment the client started waiting: their oldest unanswered message. The queue is
    # ordered by it, so extra messages while waiting neither jump ahead nor fall behind.
    waiting_since = models.DateTimeField(_("waiting since"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # The SLA clock while the client waits: when the answer is due, and when the last 20 % of
    # the target begins. Kept by the actions so the queue can filter on them in SQL.
    response_due_at = models.DateTimeField(_("answer due"), null=True, blank=True)
    response_warn_at = models.DateTimeField(_("near breach from"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_tickets",
    )
    # Subject, messages and the client's name and email, for the desk's search (a GIN index
    # on PostgreSQL, plain matching on SQLite).
    search_document = models.TextField(_("search text"), blank=True, default="")

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-last_activity_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(number__gte=1000, number__lte=999_999_999),
                name="ticket_number_four_to_nine_digits",
            )
        ]
        indexes = [
            models.Index(fields=["account", "-last_activity_at"], name="ticket_account_activity"),
            models.Index(
                fields=["account", "status", "-last_activity_at"], name="ticket_account_status"
            ),
            models.Index(
                fields=["department", "status", "-priority", "waiting_since"], name="ticket_queue"
            ),
            # The expected wait reads a department's first responses of the last days.
            models.Index(fields=["department", "first_response_at"], name="ticket_first_response"),
            # The dashboard counts the tickets opened in the last days.
            models.Index(fields=["created_at"], name="ticket_created"),
            # Search walks the most recently active tickets first (tickets.search).
            models.Index(fields=["-last_activity_at"], name="ticket_activity"),
            # The desk queue's own order within a status (the closed queue: most tickets), so
            # a keyset page (selectors.queue_page) starts where the last one ended.
            models.Index(
                fields=["status", "-priority", "waiting_since", "created_at", "id"],
                name="ticket_queue_order",
                condition=models.Q(merged_into=None),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.subject}"

    # Set by the access functions when the ticket was reached through the number of a ticket
    # merged into it (the number asked for); None otherwise. Not stored.
    merged_from: int | None = None

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    @property
    def client_may_reply(self) -> bool:
        """Whether the client may write to it now (a closed ticket: when its department lets
        a reply reopen it)."""
        return workflow.client_may_reply(
            self.status, reopen_on_reply=self.department.reopen_on_reply
        )


class TicketFollower(models.Model):
    """A contact of the ticket's account who gets its emails besides the person who opened
    it (while they keep the `tickets` permission there: mail.notify asks at queue time)."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="followers"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("follower"),
        on_delete=models.CASCADE,
        related_name="ticket_follows",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        verbose_name = _("ticket follower")
        verbose_name_plural = _("ticket followers")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "user"], name="ticket_follower_once")
        ]

    def __str__(self) -> str:
        return f"#{self.ticket_id} · {self.user_id}"


class Message(models.Model):
    class Source(models.TextChoices):
        WEB = "web", _("Web")
        EMAIL = "email", _("Email")
        API = "api", _("API")
        SYSTEM = "system", _("System")

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_agent = models.BooleanField(_("from an agent"), default=False)
    is_internal = models.BooleanField(
        _("internal note"), default=False, help_text=_("Never shown or sent to the client.")
    )
    body = models.TextField(_("message"))
    source = models.CharField(_("source"), max_length=8, choices=Source, default=Source.WEB)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    # The one-time key of the form (or the API's Idempotency-Key) that sent it: the same key
    # again from the same author leads to this message instead of a copy.
    submission_key = models.CharField(_("submission key"), max_length=64, blank=True, default="")
    # A note Chamado writes itself (source SYSTEM) is stored as what happened, not as words:
    # tickets.notes renders it in each reader's language. ``body`` keeps the English text for
    # search, the admin and webhooks, and as the fallback for notes stored before.
    event_code = models.CharField(_("event"), max_length=40, blank=True, default="")
    event_params = models.JSONField(_("event details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="message_ticket_created"),
            # The dashboard counts the agents' replies of the last days.
            models.Index(fields=["created_at"], name="message_created"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "submission_key"],
                condition=~models.Q(submission_key=""),
                name="message_sent_once",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.ticket_id}/{self.pk}"


def attachment_upload_to(instance: "Attachment", filename: str) -> str:
    """A random name: the client's file name is kept in the database only."""
    suffix = PurePath(filename).suffix.lower()
    now = timezone.now()
    return f"attachments/{now:%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Attachment(TimeStampedModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    message = models.ForeignKey(
        Message, verbose_name=_("message"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_upload_to, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class CannedReply(models.Model):
    """A prepared answer; placeholders: {client_name}, {ticket_number}, {agent_name}."""

    title = models.CharField(_("title"), max_length=120, validators=[validate_single_line])
    body = models.TextField(
        _("text"),
        help_text=_("Placeholders: {client_name}, {ticket_number}, {subject}, {agent_name}."),
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("Empty: offered in every department."),
    )

    class Meta:
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title
