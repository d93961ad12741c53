"""Every write to tickets: one transaction each, audited, side effects enqueued inside it."""

import random
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chamado.core.audit import audit_record
from chamado.core.errors import ApplicationError
from chamado.services.models import Service
from chamado.tickets import signals, workflow
from chamado.tickets.models import Attachment, Department, Message, Policy, Ticket
from chamado.tickets.uploads import UploadRefused, upload_check

NUMBER_ATTEMPTS = 20


def uploads_check(files: Sequence[UploadedFile], *, policy: Policy) -> list[str]:
    """Content types of the files, in order; raises ApplicationError naming a refused file."""
    if len(files) > policy.attachment_max_count:
        raise ApplicationError(
            _("Attach at most %(count)d files to one message.")
            % {"count": policy.attachment_max_count},
            field="attachments",
        )
    types = []
    for upload in files:
        try:
            types.append(upload_check(upload, max_bytes=policy.attachment_max_bytes))
        except UploadRefused as refused:
            raise ApplicationError(refused.message, field="attachments") from None
    return types


def _message_add(
    *,
    ticket: Ticket,
    actor: Any,
    body: str,
    files: Sequence[UploadedFile],
    content_types: list[str],
    from_agent: bool,
    is_internal: bool = False,
    source: str = Message.Source.WEB,
    now: Any = None,
) -> Message:
    message = Message.objects.create(
        ticket=ticket,
        author=actor,
        from_agent=from_agent,
        is_internal=is_internal,
        body=body.strip(),
        source=source,
        created_at=now or timezone.now(),
    )
    for upload, content_type in zip(files, content_types, strict=True):
        Attachment.objects.create(
            message=message,
            file=upload,
            original_name=(upload.name or "file")[:200],
            content_type=content_type,
            size=upload.size or 0,
        )
    return message


def _client_content_check(*, subject: str | None, body: str) -> None:
    if subject is not None:
        if not subject.strip():
            raise ApplicationError(_("Give the ticket a subject."), field="subject")
        if len(subject.strip()) > workflow.SUBJECT_MAX_LENGTH:
            raise ApplicationError(
                _("Keep the subject under %(limit)d characters.")
                % {"limit": workflow.SUBJECT_MAX_LENGTH},
                field="subject",
            )
    if not body.strip():
        raise ApplicationError(_("Write a message."), field="message")
    if workflow.message_too_short(body):
        raise ApplicationError(
            _(
                "Your message is too short: describe what happened, what you expected "
                "and what you already tried (at least %(limit)d characters)."
            )
            % {"limit": workflow.MESSAGE_MIN_LENGTH},
            field="message",
        )


def ticket_open(
    *,
    actor: Any,
    department: Department,
    service: Service | None,
    subject: str,
    priority: int,
    body: str,
    files: Sequence[UploadedFile] = (),
    source: str = Message.Source.WEB,
    rng: random.Random | None = None,
) -> Ticket:
    """A client opens a ticket: ticket, first message and attachments in one transaction."""
    if not actor.may_use_tickets:
        raise ApplicationError(_("You are not allowed to open tickets for this account."))
    if not department.is_visible:
        raise ApplicationError(_("Choose a department."), field="department")
    if service is not None and service.account_id != actor.account_id:
        raise ApplicationError(_("Choose one of your services."), field="service")
    if (
        service is None
        and not department.allows_no_service
        and Service.objects.filter(account_id=actor.account_id).exists()
    ):
        raise ApplicationError(_("Choose the service this ticket is about."), field="service")
    if priority not in Ticket.Priority.values:
        raise ApplicationError(_("Choose a priority."), field="priority")
    _client_content_check(subject=subject, body=body)
    content_types = uploads_check(files, policy=Policy.current())

    now = timezone.now()
    with transaction.atomic():
        ticket = _ticket_insert_with_unique_number(
            rng=rng,
            account_id=actor.account_id,
            contact=actor,
            department=department,
            service=service,
            subject=subject.strip(),
            priority=priority,
            status=Ticket.Status.OPEN,
            created_at=now,
            last_activity_at=now,
            waiting_since=now,
        )
        message = _message_add(
            ticket=ticket,
            actor=actor,
            body=body,
            files=files,
            content_types=content_types,
            from_agent=False,
            source=source,
            now=now,
        )
        audit_record(
            actor=actor,
            verb="ticket.open",
            target=ticket,
            after={"number": ticket.number, "department": department.slug},
        )
        signals.ticket_event.send(
            sender=Ticket, event=signals.OPENED, ticket=ticket, message=message, actor=actor
        )
    return ticket


def _ticket_insert_with_unique_number(*, rng: random.Random | None, **fields: Any) -> Ticket:
    """Insert with a random number; on a clash the unique constraint fails and we draw again."""
    candidates = workflow.ticket_number_candidates(rng)
    for _attempt in range(NUMBER_ATTEMPTS):
        number = next(candidates)
        try:
            with transaction.atomic():
                return Ticket.objects.create(number=number, **fields)
        except IntegrityError:
            if not Ticket.objects.filter(number=number).exists():
                raise
    raise RuntimeError("no free ticket number after %d attempts" % NUMBER_ATTEMPTS)


def ticket_reply_by_client(
    *,
    actor: Any,
    ticket: Ticket,
    body: str,
    files: Sequence[UploadedFile] = (),
    source: str = Message.Source.WEB,
) -> Message:
    """A client adds a message; a closed ticket reopens when its department allows it."""
    _client_content_check(subject=None, body=body)
    policy = Policy.current()
    content_types = uploads_check(files, policy=policy)
    now = timezone.now()
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().select_related("department").get(pk=ticket.pk)
        if ticket.is_closed and not ticket.department.reopen_on_reply:
            raise ApplicationError(
                _("This ticket is closed. Please open a new ticket instead."), field="message"
            )
        if workflow.client_waits(ticket.status):
            window_start = now - timedelta(minutes=policy.flood_window_minutes)
            recent = Message.objects.filter(
                ticket=ticket, from_agent=False, created_at__gte=window_start
            ).count()
            if workflow.flood_exceeded(recent, limit=policy.flood_max_messages):
                raise ApplicationError(
                    _(
                        "You have sent %(count)d messages in the last %(minutes)d minutes. "
                        "Your ticket keeps its place in the queue; please wait for our answer "
                        "before writing again."
                    )
                    % {"count": recent, "minutes": policy.flood_window_minutes},
                    field="message",
                )
        before = ticket.status
        message = _message_add(
            ticket=ticket,
            actor=actor,
            body=body,
            files=files,
            content_types=content_types,
            from_agent=False,
            source=source,
            now=now,
        )
        ticket.status = workflow.status_after_client_message(ticket.status)
        ticket.last_activity_at = now
        if ticket.waiting_since is None:
            ticket.waiting_since = now
        ticket.closed_at = None
        ticket.save(update_fields=["status", "last_activity_at", "waiting_since", "closed_at"])
        audit_record(
            actor=actor,
            verb="ticket.client_reply",
            target=ticket,
            before={"status": before},
            after={"status": ticket.status, "message": message.pk},
        )
        signals.ticket_event.send(
            sender=Ticket,
            event=signals.CLIENT_REPLIED,
            ticket=ticket,
            message=message,
            actor=actor,
        )
    return message


def ticket_close(*, actor: Any, ticket: Ticket) -> Ticket:
    """Close the ticket; closing a closed ticket changes nothing."""
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if ticket.is_closed:
            return ticket
        before = ticket.status
        now = timezone.now()
        ticket.status = Ticket.Status.CLOSED
        ticket.closed_at = now
        ticket.waiting_since = None
        ticket.last_activity_at = now
        ticket.save(update_fields=["status", "closed_at", "waiting_since", "last_activity_at"])
        audit_record(
            actor=actor,
            verb="ticket.close",
            target=ticket,
            before={"status": before},
            after={"status": ticket.status},
        )
        signals.ticket_event.send(
            sender=Ticket, event=signals.CLOSED, ticket=ticket, message=None, actor=actor
        )
    return ticket


def ticket_reply_by_agent(
    *,
    actor: Any,
    ticket: Ticket,
    body: str,
    files: Sequence[UploadedFile] = (),
    status: str | None = None,
    is_internal: bool = False,
    source: str = Message.Source.WEB,
) -> Message:
    """An agent answers (or writes an internal note, which changes nothing for the client)."""
    if not body.strip():
        raise ApplicationError(_("Write a message."), field="message")
    if status is not None and status not in Ticket.Status.values:
        raise ApplicationError(_("Choose a status."), field="status")
    content_types = uploads_check(files, policy=Policy.current())
    now = timezone.now()
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        before = {"status": ticket.status}
        message = _message_add(
            ticket=ticket,
            actor=actor,
            body=body,
            files=files,
            content_types=content_types,
            from_agent=True,
            is_internal=is_internal,
            source=source,
            now=now,
        )
        fields = ["last_activity_at"]
        ticket.last_activity_at = now
        if not is_internal:
            ticket.status = workflow.status_after_agent_reply(ticket.status, status)
            ticket.waiting_since = None
            ticket.closed_at = now if ticket.status == Ticket.Status.CLOSED else None
            fields += ["status", "waiting_since", "closed_at"]
            if ticket.first_response_at is None:
                ticket.first_response_at = now
                fields.append("first_response_at")
        ticket.save(update_fields=fields)
        audit_record(
            actor=actor,
            verb="ticket.note" if is_internal else "ticket.agent_reply",
            target=ticket,
            before=before,
            after={"status": ticket.status, "message": message.pk},
        )
        signals.ticket_event.send(
            sender=Ticket,
            event=signals.AGENT_REPLIED,
            ticket=ticket,
            message=message,
            actor=actor,
        )
    return message
