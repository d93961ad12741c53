"""Every write to tickets: one transaction each, audited, side effects enqueued inside it."""

import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chamado.core.audit import audit_record
from chamado.core.errors import ApplicationError
from chamado.services.models import Service
from chamado.tickets import signals, sla, workflow
from chamado.tickets.models import Attachment, Department, Message, Policy, Ticket
from chamado.tickets.selectors import sla_targets
from chamado.tickets.uploads import UploadRefused, upload_check

NUMBER_ATTEMPTS = 20


def _sla_refresh(ticket: Ticket) -> list[str]:
    """Recompute the SLA clock from waiting_since; returns the fields it set."""
    ticket.response_due_at, ticket.response_warn_at = sla.response_deadline(
        waiting_since=ticket.waiting_since,
        answered_before=ticket.first_response_at is not None,
        targets=sla_targets(ticket.department_id, ticket.priority),
    )
    return ["response_due_at", "response_warn_at"]


def _search_append(ticket: Ticket, *texts: str) -> list[str]:
    ticket.search_document = "\n".join([ticket.search_document, *texts]).strip()
    return ["search_document"]


def uploads_check(files: Sequence[UploadedFile], *, policy: Policy) -> list[str]:
    """Content types of the files, in order; raises ApplicationError naming every refused
    file (``messages`` holds one line per file)."""
    if len(files) > policy.attachment_max_count:
        raise ApplicationError(
            _("Attach at most %(count)d files to one message.")
            % {"count": policy.attachment_max_count},
            field="attachments",
        )
    types, refusals = [], []
    for upload in files:
        try:
            types.append(upload_check(upload, max_bytes=policy.attachment_max_bytes))
        except UploadRefused as refused:
            refusals.append(refused.message)
    if refusals:
        raise ApplicationError(" ".join(refusals), field="attachments", messages=refusals)
    return types


def _announce(
    *,
    actor: Any,
    verb: str,
    ticket: Ticket,
    event: str,
    message: Message | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Write the audit event and send the ticket event (inside the action's transaction)."""
    audit_record(actor=actor, verb=verb, target=ticket, before=before, after=after)
    signals.ticket_event.send(
        sender=Ticket, event=event, ticket=ticket, message=message, actor=actor
    )


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
    stored: list[Attachment] | None = None,
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
        attachment = Attachment.objects.create(
            message=message,
            file=upload,
            original_name=(upload.name or "file")[:200],
            content_type=content_type,
            size=upload.size or 0,
        )
        if stored is not None:
            stored.append(attachment)
    return message


@contextmanager
def _atomic_with_files() -> Iterator[list[Attachment]]:
    """transaction.atomic() that also removes the files stored inside it when it rolls back,
    so a refused or failed write leaves no orphan in the storage."""
    stored: list[Attachment] = []
    try:
        with transaction.atomic():
            yield stored
    except BaseException:
        for attachment in stored:
            if attachment.file.name:
                attachment.file.storage.delete(attachment.file.name)
        raise


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
    with _atomic_with_files() as stored:
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
            search_document="\n".join(
                [subject.strip(), actor.full_name, actor.email, body.strip()]
            ),
        )
        ticket.save(update_fields=_sla_refresh(ticket))
        message = _message_add(
            ticket=ticket,
            actor=actor,
            body=body,
            files=files,
            content_types=content_types,
            stored=stored,
            from_agent=False,
            source=source,
            now=now,
        )
        _announce(
            actor=actor,
            verb="ticket.open",
            ticket=ticket,
            after={"number": ticket.number, "department": department.slug},
            event=signals.OPENED,
            message=message,
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
    with _atomic_with_files() as stored:
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
            stored=stored,
            from_agent=False,
            source=source,
            now=now,
        )
        ticket.status = workflow.status_after_client_message(ticket.status)
        ticket.last_activity_at = now
        if ticket.waiting_since is None:
            ticket.waiting_since = now
        ticket.closed_at = None
        fields = ["status", "last_activity_at", "waiting_since", "closed_at"]
        fields += _search_append(ticket, message.body)
        if before not in workflow.WAITING or ticket.response_due_at is None:
            fields += _sla_refresh(ticket)
        ticket.save(update_fields=fields)
        _announce(
            actor=actor,
            verb="ticket.client_reply",
            ticket=ticket,
            before={"status": before},
            after={"status": ticket.status, "message": message.pk},
            event=signals.CLIENT_REPLIED,
            message=message,
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
        fields = ["status", "closed_at", "waiting_since", "last_activity_at"]
        ticket.save(update_fields=fields + _sla_refresh(ticket))
        _announce(
            actor=actor,
            verb="ticket.close",
            ticket=ticket,
            before={"status": before},
            after={"status": ticket.status},
            event=signals.CLOSED,
        )
    return ticket


class CrossedReply(ApplicationError):
    """Another agent answered after this agent loaded the ticket; they must confirm."""

    def __init__(self, newer: Message) -> None:
        super().__init__(
            _(
                "%(name)s replied to this ticket while you were writing. Read their reply, "
                "then confirm to send yours anyway."
            )
            % {"name": newer.author or _("Another agent")},
            field="message",
        )
        self.newer = newer


def ticket_reply_by_agent(
    *,
    actor: Any,
    ticket: Ticket,
    body: str,
    files: Sequence[UploadedFile] = (),
    status: str | None = None,
    is_internal: bool = False,
    seen_message_id: int | None = None,
    confirm_crossed: bool = False,
    source: str = Message.Source.WEB,
) -> Message:
    """An agent answers (or writes an internal note, which changes nothing for the client).

    ``seen_message_id`` is the newest message the agent had on screen: a reply from another
    agent after it raises CrossedReply unless ``confirm_crossed``, so answers never cross.
    """
    if not body.strip():
        raise ApplicationError(_("Write a message."), field="message")
    if status is not None and status not in Ticket.Status.values:
        raise ApplicationError(_("Choose a status."), field="status")
    content_types = uploads_check(files, policy=Policy.current())
    now = timezone.now()
    with _atomic_with_files() as stored:
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if not is_internal and seen_message_id is not None and not confirm_crossed:
            newer = (
                Message.objects.filter(
                    ticket=ticket, from_agent=True, is_internal=False, pk__gt=seen_message_id
                )
                .exclude(author=actor)
                .select_related("author")
                .order_by("-pk")
                .first()
            )
            if newer is not None:
                raise CrossedReply(newer)
        before = {"status": ticket.status}
        message = _message_add(
            ticket=ticket,
            actor=actor,
            body=body,
            files=files,
            content_types=content_types,
            stored=stored,
            from_agent=True,
            is_internal=is_internal,
            source=source,
            now=now,
        )
        fields = _search_append(ticket, message.body)
        # A note is not activity the client can see: their "last update" and list order, and
        # the auto-close clock, stay as they were.
        if not is_internal:
            ticket.last_activity_at = now
            fields.append("last_activity_at")
            ticket.status = workflow.status_after_agent_reply(ticket.status, status)
            ticket.waiting_since = None
            ticket.closed_at = now if ticket.status == Ticket.Status.CLOSED else None
            fields += ["status", "waiting_since", "closed_at"]
            if ticket.first_response_at is None:
                ticket.first_response_at = now
                fields.append("first_response_at")
            fields += _sla_refresh(ticket)
        ticket.save(update_fields=fields)
        _announce(
            actor=actor,
            verb="ticket.note" if is_internal else "ticket.agent_reply",
            ticket=ticket,
            before=before,
            after={"status": ticket.status, "message": message.pk},
            event=signals.AGENT_REPLIED,
            message=message,
        )
    return message


_UNCHANGED: Any = object()


def ticket_update(
    *,
    actor: Any,
    ticket: Ticket,
    status: str | None = None,
    priority: int | None = None,
    assignee: Any = _UNCHANGED,
) -> Ticket:
    """Change status, priority or assignee; does nothing when nothing changes."""
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        before = {
            "status": ticket.status,
            "priority": ticket.priority,
            "assignee": ticket.assignee_id,
        }
        now = timezone.now()
        fields: list[str] = []
        if status is not None and status != ticket.status:
            if status not in Ticket.Status.values:
                raise ApplicationError(_("Choose a status."), field="status")
            ticket.status = status
            ticket.closed_at = now if status == Ticket.Status.CLOSED else None
            if not workflow.client_waits(status):
                ticket.waiting_since = None
            elif ticket.waiting_since is None:
                ticket.waiting_since = now
            fields += ["status", "closed_at", "waiting_since"]
        if priority is not None and priority != ticket.priority:
            if priority not in Ticket.Priority.values:
                raise ApplicationError(_("Choose a priority."), field="priority")
            ticket.priority = priority
            fields.append("priority")
        if assignee is not _UNCHANGED and (assignee.pk if assignee else None) != ticket.assignee_id:
            if assignee is not None and not (
                assignee.is_agent and assignee.departments.filter(pk=ticket.department_id).exists()
            ):
                raise ApplicationError(
                    _("Assign the ticket to an agent of its department."), field="assignee"
                )
            ticket.assignee = assignee
            fields.append("assignee")
        if not fields:
            return ticket
        if "status" in fields:
            # Clients see status changes; priority and assignee are the desk's business.
            ticket.last_activity_at = now
            fields.append("last_activity_at")
        ticket.save(update_fields=[*fields, *_sla_refresh(ticket)])
        after = {
            "status": ticket.status,
            "priority": ticket.priority,
            "assignee": ticket.assignee_id,
        }
        changed = [key for key in before if key in fields]
        _announce(
            actor=actor,
            verb="ticket.update",
            ticket=ticket,
            before={key: before[key] for key in changed},
            after={key: after[key] for key in changed},
            event=signals.UPDATED,
        )
    return ticket


def ticket_transfer(
    *, actor: Any, ticket: Ticket, department: Department, note: str = ""
) -> Ticket:
    """Move the ticket to another department; the client is told, with the optional note."""
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().select_related("department").get(pk=ticket.pk)
        if department.pk == ticket.department_id:
            return ticket
        before = {"department": ticket.department.slug}
        now = timezone.now()
        ticket.department = department
        fields = ["department", "last_activity_at"]
        ticket.last_activity_at = now
        if ticket.assignee_id and not department.agents.filter(pk=ticket.assignee_id).exists():
            ticket.assignee = None
            fields.append("assignee")
        message = None
        if note.strip():
            message = _message_add(
                ticket=ticket,
                actor=actor,
                body=note,
                files=(),
                content_types=[],
                from_agent=True,
                now=now,
            )
            fields += _search_append(ticket, message.body)
        ticket.save(update_fields=fields + _sla_refresh(ticket))
        _announce(
            actor=actor,
            verb="ticket.transfer",
            ticket=ticket,
            before=before,
            after={"department": department.slug, "note": bool(message)},
            event=signals.TRANSFERRED,
            message=message,
        )
    return ticket


def ticket_merge(*, actor: Any, source: Ticket, target: Ticket) -> Ticket:
    """Fold ``source`` into ``target`` (same account): messages keep their order, and the
    source's number leads to the target from then on."""
    if source.pk == target.pk:
        raise ApplicationError(_("A ticket cannot be merged into itself."), field="target")
    if source.account_id != target.account_id:
        raise ApplicationError(
            _("Only tickets of the same client account can be merged."), field="target"
        )
    with transaction.atomic():
        locked = {
            t.pk: t
            for t in Ticket.objects.select_for_update().filter(pk__in=[source.pk, target.pk])
        }
        source, target = locked[source.pk], locked[target.pk]
        if source.merged_into_id or target.merged_into_id:
            raise ApplicationError(_("This ticket was already merged."), field="target")
        now = timezone.now()
        Message.objects.filter(ticket=source).update(ticket=target)
        waits = [t.waiting_since for t in (source, target) if t.waiting_since]
        target.waiting_since = min(waits) if waits else None
        if target.waiting_since and not workflow.client_waits(target.status):
            target.status = Ticket.Status.CUSTOMER_REPLY
            target.closed_at = None
        firsts = [t.first_response_at for t in (source, target) if t.first_response_at]
        target.first_response_at = min(firsts) if firsts else None
        target.last_activity_at = now
        target.search_document = "\n".join([target.search_document, source.search_document])
        _message_add(
            ticket=target,
            actor=actor,
            body=_("Ticket #%(number)s was merged into this ticket.") % {"number": source.number},
            files=(),
            content_types=[],
            from_agent=True,
            is_internal=True,
            source=Message.Source.SYSTEM,
            now=now,
        )
        _sla_refresh(target)
        target.save()
        source.merged_into = target
        source.search_document = ""  # its text lives on in the target's, found there
        source.status = Ticket.Status.CLOSED
        source.closed_at = now
        source.waiting_since = None
        source.last_activity_at = now
        source.save(
            update_fields=[
                "merged_into",
                "search_document",
                "status",
                "closed_at",
                "waiting_since",
                "last_activity_at",
                *_sla_refresh(source),
            ]
        )
        audit_record(
            actor=actor,
            verb="ticket.merge",
            target=target,
            before={"source": source.number},
            after={"into": target.number},
        )
    return target


def ticket_autoclose_due(*, now: Any = None) -> int:
    """Close Answered tickets the client left without reply for the policy's hours."""
    now = now or timezone.now()
    policy = Policy.current()
    cutoff = now - timedelta(hours=policy.autoclose_hours)
    closed = 0
    for ticket in Ticket.objects.filter(
        status=Ticket.Status.ANSWERED, last_activity_at__lt=cutoff, merged_into=None
    ).only("pk"):
        with transaction.atomic():
            locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
            if locked.status != Ticket.Status.ANSWERED or locked.last_activity_at >= cutoff:
                continue
            locked.status = Ticket.Status.CLOSED
            locked.closed_at = locked.last_activity_at = now
            locked.save(update_fields=["status", "closed_at", "last_activity_at"])
            _announce(
                actor=None,
                verb="ticket.autoclose",
                ticket=locked,
                before={"status": Ticket.Status.ANSWERED},
                after={"status": Ticket.Status.CLOSED},
                event=signals.AUTO_CLOSED,
            )
            closed += 1
    return closed
