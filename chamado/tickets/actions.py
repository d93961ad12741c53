"""Every write to tickets: one transaction each, audited, side effects enqueued inside it.

Each action decides every rule of its change (who may, which status moves, what a merged
ticket means) and returns an ``Outcome`` that says what happened, so the client area, the desk
and the API only turn it into a page, a redirect or JSON."""

import random
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chamado.core.audit import audit_record
from chamado.core.errors import ApplicationError, RateLimited
from chamado.core.ratelimit import rate_hit, rate_reset
from chamado.core.text import body_clean, single_line
from chamado.services.models import Service
from chamado.tickets import notes, signals, sla, workflow
from chamado.tickets.access import is_active_agent
from chamado.tickets.models import Attachment, Department, Message, Policy, Ticket
from chamado.tickets.selectors import sla_targets, ticket_number_digits
from chamado.tickets.uploads import (
    REFUSED_SIZE,
    REFUSED_TYPE,
    UploadRefused,
    upload_check,
    upload_content_check,
    upload_name,
)

NUMBER_ATTEMPTS = 20


@dataclass(frozen=True)
class Outcome:
    """What an action did. ``notice`` is what to tell the person who acted, in their
    language; the flags say what happened beyond the obvious."""

    ticket: Ticket
    message: Message | None = None
    notice: str = ""
    changed: bool = True  # False: the ticket already was as asked, nothing was written
    reopened: bool = False  # a closed ticket opened again
    kept_place: bool = False  # the client already waited: the queue place did not change
    repeated: bool = False  # the same form was sent again: nothing new, the first result


@dataclass(frozen=True)
class BulkOutcome:
    tickets: list[Ticket] = field(default_factory=list)
    notice: str = ""
    changed: int = 0  # how many of ``tickets`` the change touched (0: all already were so)


def _live(ticket: Ticket) -> None:
    """Writes go to the ticket a merged one lives on in (the access functions lead there)."""
    if ticket.merged_into_id is not None:
        raise ApplicationError(
            _("This ticket was merged into another one; write there instead."), field="ticket"
        )


def _repeat_of(actor: Any, submission_key: str) -> Message | None:
    """The message this person already sent with this form (a second click, a retry)."""
    if not submission_key or not getattr(actor, "pk", None):
        return None
    return (
        Message.objects.select_related("ticket__department")
        .filter(author=actor, submission_key=submission_key)
        .first()
    )


def _survivor(ticket: Ticket) -> Ticket:
    """A ticket, or the one it was merged into since."""
    for _hop in range(10):
        if ticket.merged_into_id is None:
            return ticket
        ticket = Ticket.objects.select_related("department").get(pk=ticket.merged_into_id)
    return ticket


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


def uploads_check(files: Sequence[UploadedFile], *, policy: Policy, deep: bool = True) -> list[str]:
    """Content types of the files, in order; raises ApplicationError naming every refused
    file (``messages`` holds one line per file). ``deep=False`` runs only the cheap checks
    (forms, before the rest of a request is known to be acceptable); the actions run the
    content checks once everything else passed."""
    if len(files) > policy.attachment_max_count:
        raise ApplicationError(
            _("Attach at most %(count)d files to one message.")
            % {"count": policy.attachment_max_count},
            field="attachments",
        )
    types: list[str] = []
    refusals: list[UploadRefused] = []
    for upload in files:
        try:
            types.append(
                upload_check(
                    upload,
                    max_bytes=policy.attachment_max_bytes,
                    max_pixels=policy.image_max_pixels,
                )
            )
        except UploadRefused as refused:
            refusals.append(refused)
    if not refusals and deep:
        for upload, content_type in zip(files, types, strict=True):
            try:
                upload_content_check(upload, content_type)
            except UploadRefused as refused:
                refusals.append(refused)
    if refusals:
        lines = [refused.message for refused in refusals]
        kinds = {refused.kind for refused in refusals}
        raise ApplicationError(
            " ".join(lines),
            field="attachments",
            messages=lines,
            code=UPLOAD_REFUSAL_CODES.get(kinds.pop()) if len(kinds) == 1 else None,
        )
    return types


# The kind of every refused file, when they share one (files of several kinds: no code).
UPLOAD_REFUSAL_CODES = {REFUSED_TYPE: "unsupported_media_type", REFUSED_SIZE: "payload_too_large"}


def _rate_check(scope: str, ident: Any, *, limit: int, window: int, message: str) -> None:
    result = rate_hit(scope, ident, limit=limit, window=window)
    if not result.allowed:
        raise RateLimited(message, retry_after=result.retry_after)


def _uploads_rate_check(actor: Any, files: Sequence[UploadedFile], policy: Policy) -> None:
    if files:
        result = rate_hit(
            "uploads", actor.pk, limit=policy.uploads_per_hour, window=3600, cost=len(files)
        )
        if not result.allowed:
            raise RateLimited(
                _("You have sent many files in the last hour. Please try again later."),
                retry_after=result.retry_after,
                field="attachments",
            )


def _flood_check(ticket: Ticket, policy: Policy) -> None:
    """A client who already waits may add a few messages in a short window (the queue keeps
    their place anyway); a message that starts a new wait starts the count afresh."""
    window = policy.flood_window_minutes * 60
    if not workflow.client_waits(ticket.status):
        rate_reset("ticket-messages", ticket.pk, window=window)
    result = rate_hit("ticket-messages", ticket.pk, limit=policy.flood_max_messages, window=window)
    if not result.allowed:
        raise RateLimited(
            _(
                "You have sent %(count)d messages in the last %(minutes)d minutes. "
                "Your ticket keeps its place in the queue; please wait for our answer "
                "before writing again."
            )
            % {"count": policy.flood_max_messages, "minutes": policy.flood_window_minutes},
            retry_after=result.retry_after,
            field="message",
        )


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
        sender=Ticket,
        event=event,
        ticket=ticket,
        message=message,
        actor=actor,
        before=before or {},
        after=after or {},
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
    submission_key: str = "",
) -> Message:
    message = Message.objects.create(
        ticket=ticket,
        author=actor,
        from_agent=from_agent,
        is_internal=is_internal,
        body=body_clean(body),
        source=source,
        created_at=now or timezone.now(),
        submission_key=submission_key,
    )
    for upload, content_type in zip(files, content_types, strict=True):
        attachment = Attachment.objects.create(
            message=message,
            file=upload,
            original_name=upload_name(upload.name),
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
        if not subject:
            raise ApplicationError(_("Give the ticket a subject."), field="subject")
        if len(subject) > workflow.SUBJECT_MAX_LENGTH:
            raise ApplicationError(
                _("Keep the subject under %(limit)d characters.")
                % {"limit": workflow.SUBJECT_MAX_LENGTH},
                field="subject",
            )
    if not body:
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


def _repeated(actor: Any, submission_key: str, notice: str) -> Outcome | None:
    """The result of the first post of this form, when this is a second one."""
    first = _repeat_of(actor, submission_key)
    if first is None:
        return None
    return Outcome(
        ticket=_survivor(first.ticket), message=first, notice=notice, changed=False, repeated=True
    )


def _once(
    actor: Any, submission_key: str, write: Callable[[], Outcome], *, repeated_notice: str
) -> Outcome:
    """Run ``write`` once per (person, form) when two posts of one form race (the unique
    (author, submission_key) lets one in): the loser answers with the first message and the
    ticket it lives on in now, writing nothing. The callers answer a plain second post with
    ``_repeated`` before their rate limits and content checks."""
    try:
        return write()
    except IntegrityError:
        if (repeated := _repeated(actor, submission_key, repeated_notice)) is None:
            raise
        return repeated


def _department_of(key: Department | str | None) -> Department | None:
    if isinstance(key, str):
        return Department.objects.filter(slug=key).first()
    return key


def _service_of(actor: Any, key: Service | int | None) -> Service | None:
    """One of the actor's account's services, or None when none is named."""
    if key is None:
        return None
    service = key if isinstance(key, Service) else Service.objects.filter(pk=key).first()
    if service is None or isinstance(key, bool) or service.account_id != actor.account_id:
        raise ApplicationError(_("Choose one of your services."), field="service")
    return service


def ticket_open(
    *,
    actor: Any,
    department: Department | str | None,
    service: Service | int | None,
    subject: str,
    priority: int,
    body: str,
    files: Sequence[UploadedFile] = (),
    source: str = Message.Source.WEB,
    submission_key: str = "",
    rng: random.Random | None = None,
) -> Outcome:
    """A client opens a ticket: ticket, first message and attachments in one transaction.

    ``department`` and ``service`` may be given as keys (a slug, an id) by surfaces that
    receive them so; the rules about them are the same."""
    if not actor.may_use_tickets:
        raise ApplicationError(_("You are not allowed to open tickets for this account."))
    department = _department_of(department)
    if department is None or not department.is_visible:
        raise ApplicationError(_("Choose a department."), field="department")
    service = _service_of(actor, service)
    if (
        service is None
        and not department.allows_no_service
        and Service.objects.filter(account_id=actor.account_id).exists()
    ):
        raise ApplicationError(_("Choose the service this ticket is about."), field="service")
    if isinstance(priority, bool) or priority not in Ticket.Priority.values:
        raise ApplicationError(_("Choose a priority."), field="priority")
    subject, body = single_line(subject), body_clean(body)
    _client_content_check(subject=subject, body=body)
    policy = Policy.current()
    content_types = uploads_check(files, policy=policy, deep=False)
    if (repeated := _repeated(actor, submission_key, _("Your ticket was opened."))) is not None:
        return repeated
    _rate_check(
        "tickets-opened",
        actor.pk,
        limit=policy.tickets_per_hour,
        window=3600,
        message=_(
            "You have opened %(count)d tickets in the last hour. Please add to one of them, "
            "or try again later."
        )
        % {"count": policy.tickets_per_hour},
    )
    _uploads_rate_check(actor, files, policy)
    uploads_check(files, policy=policy)  # now the costly content checks, once
    chosen: Department = department
    related: Service | None = service

    candidates = workflow.ticket_number_candidates(rng, ticket_number_digits(policy))

    def write() -> Outcome:
        # A random number may be taken: the INSERT, the transaction's first write, fails and
        # rolls the transaction back, and the next number is tried (no savepoint per try).
        for _attempt in range(NUMBER_ATTEMPTS):
            number = next(candidates)
            try:
                return write_numbered(number)
            except IntegrityError:
                if not Ticket.objects.filter(number=number).exists():
                    raise  # not the number: a second post of the form (``_once``)
        raise RuntimeError("no free ticket number after %d attempts" % NUMBER_ATTEMPTS)

    def write_numbered(number: int) -> Outcome:
        now = timezone.now()
        with _atomic_with_files() as stored:
            ticket = Ticket(
                number=number,
                account=actor.membership.account,
                contact=actor,
                department=chosen,
                service=related,
                subject=subject,
                priority=priority,
                status=Ticket.Status.OPEN,
                created_at=now,
                last_activity_at=now,
                waiting_since=now,
                search_document="\n".join([subject, actor.full_name, actor.email, body]),
            )
            _sla_refresh(ticket)  # the SLA clock in the same INSERT
            ticket.save(force_insert=True)
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
                submission_key=submission_key,
            )
            _announce(
                actor=actor,
                verb="ticket.open",
                ticket=ticket,
                after={"number": ticket.number, "department": chosen.slug},
                event=signals.OPENED,
                message=message,
            )
        return Outcome(ticket=ticket, message=message, notice=_("Your ticket was opened."))

    outcome = _once(actor, submission_key, write, repeated_notice=_("Your ticket was opened."))
    if not outcome.repeated:  # the opening message is the first of the flood guard's count
        rate_hit(
            "ticket-messages",
            outcome.ticket.pk,
            limit=policy.flood_max_messages,
            window=policy.flood_window_minutes * 60,
        )
    return outcome


def _locked(ticket: Ticket) -> Ticket:
    """The ticket's row, locked (only that row: not its department's, nor its account's), with
    what its notices tell (department, account, service, contact, assignee) in the same query."""
    return (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("department", "account", "service", "contact", "assignee")
        .get(pk=ticket.pk)
    )


def _client_reply_notice(*, kept_place: bool) -> str:
    if kept_place:
        return _(
            "Message added. Your ticket keeps its place in the queue: "
            "extra messages do not move it back."
        )
    return _("Your reply was sent.")


def ticket_reply_by_client(
    *,
    actor: Any,
    ticket: Ticket,
    body: str,
    files: Sequence[UploadedFile] = (),
    source: str = Message.Source.WEB,
    submission_key: str = "",
) -> Outcome:
    """A client adds a message; a closed ticket reopens when its department allows it.

    While the client already waits, the ticket keeps its place in the queue (the outcome says
    so: ``kept_place``)."""
    body = body_clean(body)
    _client_content_check(subject=None, body=body)
    policy = Policy.current()
    content_types = uploads_check(files, policy=policy, deep=False)
    if (repeated := _repeated(actor, submission_key, _("Your reply was sent."))) is not None:
        return repeated
    _flood_check(ticket, policy)
    _uploads_rate_check(actor, files, policy)
    uploads_check(files, policy=policy)  # now the costly content checks, once

    def write() -> Outcome:
        now = timezone.now()
        with _atomic_with_files() as stored:
            locked = _locked(ticket)
            _live(locked)
            if not locked.client_may_reply:
                raise ApplicationError(
                    _("This ticket is closed. Please open a new ticket instead."),
                    field="message",
                )
            before = locked.status
            kept_place = workflow.client_waits(before)
            status = workflow.status_after_client_message(before)
            workflow.move_check(before, status, workflow.CLIENT)
            message = _message_add(
                ticket=locked,
                actor=actor,
                body=body,
                files=files,
                content_types=content_types,
                stored=stored,
                from_agent=False,
                source=source,
                now=now,
                submission_key=submission_key,
            )
            locked.status = status
            locked.last_activity_at = now
            if locked.waiting_since is None:
                locked.waiting_since = now
            locked.closed_at = None
            fields = ["status", "last_activity_at", "waiting_since", "closed_at"]
            fields += _search_append(locked, message.body)
            if before not in workflow.WAITING or locked.response_due_at is None:
                fields += _sla_refresh(locked)
            locked.save(update_fields=fields)
            _announce(
                actor=actor,
                verb="ticket.client_reply",
                ticket=locked,
                before={"status": before},
                after={"status": locked.status, "message": message.pk},
                event=signals.CLIENT_REPLIED,
                message=message,
            )
        return Outcome(
            ticket=locked,
            message=message,
            notice=_client_reply_notice(kept_place=kept_place),
            reopened=before == Ticket.Status.CLOSED,
            kept_place=kept_place,
        )

    return _once(actor, submission_key, write, repeated_notice=_("Your reply was sent."))


def ticket_close(*, actor: Any, ticket: Ticket) -> Outcome:
    """The client closes the ticket; closing a closed ticket changes nothing."""
    with transaction.atomic():
        locked = _locked(ticket)
        _live(locked)
        if locked.department.reopen_on_reply:
            notice = _("The ticket was closed. Reply to it if you need us again.")
        else:
            notice = _("The ticket was closed.")
        if locked.is_closed:
            return Outcome(ticket=locked, notice=notice, changed=False)
        before = locked.status
        workflow.move_check(before, Ticket.Status.CLOSED, workflow.CLIENT)
        now = timezone.now()
        locked.status = Ticket.Status.CLOSED
        locked.closed_at = now
        locked.waiting_since = None
        locked.last_activity_at = now
        fields = ["status", "closed_at", "waiting_since", "last_activity_at"]
        locked.save(update_fields=fields + _sla_refresh(locked))
        _announce(
            actor=actor,
            verb="ticket.close",
            ticket=locked,
            before={"status": before},
            after={"status": locked.status},
            event=signals.CLOSED,
        )
    return Outcome(ticket=locked, notice=notice)


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


def _agent_check(actor: Any) -> None:
    if not is_active_agent(actor):
        raise ApplicationError(_("Only agents may do this."))


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
    submission_key: str = "",
) -> Outcome:
    """An agent answers (or writes an internal note, which changes nothing for the client:
    not the status, not their "last update", not the auto-close clock).

    ``seen_message_id`` is the newest message the agent had on screen: a reply from another
    agent after it raises CrossedReply unless ``confirm_crossed``, so answers never cross.
    """
    _agent_check(actor)
    body = body_clean(body)
    if not body:
        raise ApplicationError(_("Write a message."), field="message")
    if is_internal and status:
        raise ApplicationError(_("An internal note does not change the status."), field="status")
    if status is not None and status not in Ticket.Status.values:
        raise ApplicationError(_("Choose a status."), field="status")
    policy = Policy.current()
    content_types = uploads_check(files, policy=policy, deep=False)
    notice = _("Internal note added.") if is_internal else _("Reply sent to the client.")
    if (repeated := _repeated(actor, submission_key, notice)) is not None:
        return repeated
    _uploads_rate_check(actor, files, policy)
    uploads_check(files, policy=policy)  # now the costly content checks, once

    def write() -> Outcome:
        now = timezone.now()
        with _atomic_with_files() as stored:
            locked = _locked(ticket)
            _live(locked)
            if not is_internal and seen_message_id is not None and not confirm_crossed:
                newer = (
                    Message.objects.filter(
                        ticket=locked, from_agent=True, is_internal=False, pk__gt=seen_message_id
                    )
                    .exclude(author=actor)
                    .select_related("author")
                    .order_by("-pk")
                    .first()
                )
                if newer is not None:
                    raise CrossedReply(newer)
            before = locked.status
            if not is_internal:
                new_status = workflow.status_after_agent_reply(before, status)
                workflow.move_check(before, new_status, workflow.AGENT)
            message = _message_add(
                ticket=locked,
                actor=actor,
                body=body,
                files=files,
                content_types=content_types,
                stored=stored,
                from_agent=True,
                is_internal=is_internal,
                source=source,
                now=now,
                submission_key=submission_key,
            )
            fields = _search_append(locked, message.body)
            if not is_internal:
                locked.last_activity_at = now
                fields.append("last_activity_at")
                locked.status = new_status
                locked.waiting_since = None
                locked.closed_at = now if locked.status == Ticket.Status.CLOSED else None
                fields += ["status", "waiting_since", "closed_at"]
                if locked.first_response_at is None:
                    locked.first_response_at = now
                    fields.append("first_response_at")
                fields += _sla_refresh(locked)
            locked.save(update_fields=fields)
            _announce(
                actor=actor,
                verb="ticket.note" if is_internal else "ticket.agent_reply",
                ticket=locked,
                before={"status": before},
                after={"status": locked.status, "message": message.pk},
                event=signals.AGENT_REPLIED,
                message=message,
            )
        return Outcome(
            ticket=locked, message=message, notice=notice, reopened=before == workflow.CLOSED
        )

    outcome = _once(actor, submission_key, write, repeated_notice=notice)
    if not is_internal and not outcome.repeated:  # the client no longer waits: count afresh
        rate_reset("ticket-messages", outcome.ticket.pk, window=policy.flood_window_minutes * 60)
    return outcome


_UNCHANGED: Any = object()


def ticket_update(
    *,
    actor: Any,
    ticket: Ticket,
    status: str | None = None,
    priority: int | None = None,
    assignee: Any = _UNCHANGED,
) -> Outcome:
    """Change status, priority or assignee; does nothing when nothing changes."""
    _agent_check(actor)
    with transaction.atomic():
        locked = _locked(ticket)
        _live(locked)
        before = {
            "status": locked.status,
            "priority": locked.priority,
            "assignee": locked.assignee_id,
        }
        now = timezone.now()
        fields: list[str] = []
        if status is not None and status != locked.status:
            workflow.move_check(locked.status, status, workflow.AGENT)
            locked.status = status
            locked.closed_at = now if status == Ticket.Status.CLOSED else None
            if not workflow.client_waits(status):
                locked.waiting_since = None
            elif locked.waiting_since is None:
                locked.waiting_since = now
            fields += ["status", "closed_at", "waiting_since"]
        if priority is not None and priority != locked.priority:
            if isinstance(priority, bool) or priority not in Ticket.Priority.values:
                raise ApplicationError(_("Choose a priority."), field="priority")
            locked.priority = priority
            fields.append("priority")
        if assignee is not _UNCHANGED and (assignee.pk if assignee else None) != locked.assignee_id:
            if assignee is not None and not (
                is_active_agent(assignee)
                and assignee.departments.filter(pk=locked.department_id).exists()
            ):
                raise ApplicationError(
                    _("Assign the ticket to an agent of its department."), field="assignee"
                )
            locked.assignee = assignee
            fields.append("assignee")
        if not fields:
            return Outcome(ticket=locked, notice=_("Nothing to change."), changed=False)
        if "status" in fields:
            # Clients see status changes; priority and assignee are the desk's business.
            locked.last_activity_at = now
            fields.append("last_activity_at")
        locked.save(update_fields=[*fields, *_sla_refresh(locked)])
        after = {
            "status": locked.status,
            "priority": locked.priority,
            "assignee": locked.assignee_id,
        }
        changed = [key for key in before if key in fields]
        _announce(
            actor=actor,
            verb="ticket.update",
            ticket=locked,
            before={key: before[key] for key in changed},
            after={key: after[key] for key in changed},
            event=signals.UPDATED,
        )
    return Outcome(ticket=locked, notice=_("Ticket updated."))


def ticket_transfer(
    *, actor: Any, ticket: Ticket, department: Department | str | None, note: str = ""
) -> Outcome:
    """Move the ticket to another department (one that takes tickets); the client is told,
    with the optional note."""
    _agent_check(actor)
    target = _department_of(department)
    if target is None or not target.is_visible:
        raise ApplicationError(_("Choose a department."), field="department")
    notice = _("Ticket moved to %(department)s; the client was told.") % {
        "department": target.title
    }
    with transaction.atomic():
        locked = _locked(ticket)
        _live(locked)
        if target.pk == locked.department_id:
            return Outcome(ticket=locked, notice=_("Nothing to change."), changed=False)
        before = {"department": locked.department.slug}
        now = timezone.now()
        locked.department = target
        fields = ["department", "last_activity_at"]
        locked.last_activity_at = now
        if locked.assignee_id and not target.agents.filter(pk=locked.assignee_id).exists():
            locked.assignee = None
            fields.append("assignee")
        message = None
        if note.strip():
            message = _message_add(
                ticket=locked,
                actor=actor,
                body=note,
                files=(),
                content_types=[],
                from_agent=True,
                now=now,
            )
            fields += _search_append(locked, message.body)
        locked.save(update_fields=fields + _sla_refresh(locked))
        _announce(
            actor=actor,
            verb="ticket.transfer",
            ticket=locked,
            before=before,
            after={"department": target.slug, "note": bool(message)},
            event=signals.TRANSFERRED,
            message=message,
        )
    return Outcome(ticket=locked, message=message, notice=notice)


def ticket_merge_check(*, source: Ticket, target: Ticket) -> None:
    """Whether ``source`` may be folded into ``target``, before anything is locked (the desk's
    preview asks it too): refuses with the reason."""
    if source.pk == target.pk:
        raise ApplicationError(_("A ticket cannot be merged into itself."), field="target")
    if source.account_id != target.account_id:
        raise ApplicationError(
            _("Only tickets of the same client account can be merged."), field="target"
        )
    if source.merged_into_id or target.merged_into_id:
        raise ApplicationError(_("This ticket was already merged."), field="target")


def ticket_merge(*, actor: Any, source: Ticket, target: Ticket) -> Outcome:
    """Fold ``source`` into ``target`` (same account): messages keep their order, and the
    source's number leads to the target from then on."""
    _agent_check(actor)
    ticket_merge_check(source=source, target=target)
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
            workflow.move_check(target.status, Ticket.Status.CUSTOMER_REPLY, workflow.SYSTEM)
            target.status = Ticket.Status.CUSTOMER_REPLY
            target.closed_at = None
        firsts = [t.first_response_at for t in (source, target) if t.first_response_at]
        target.first_response_at = min(firsts) if firsts else None
        target.last_activity_at = now
        target.search_document = "\n".join([target.search_document, source.search_document])
        # Stored as the event, so each reader gets it in their own language (tickets.notes).
        notes.system_note_add(
            ticket=target,
            actor=actor,
            code=notes.MERGED,
            params={"source": source.number},
            now=now,
        )
        _sla_refresh(target)
        target.save()
        workflow.move_check(source.status, Ticket.Status.CLOSED, workflow.SYSTEM)
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
        _announce(
            actor=actor,
            verb="ticket.merge",
            ticket=target,
            before={"source": source.number},
            after={"into": target.number},
            event=signals.MERGED,
        )
        # Its followers (told of the merge above) follow the target from now on, but for its
        # opener and those who already do.
        source.followers.exclude(user_id=target.contact_id).exclude(
            user_id__in=target.followers.values("user_id")
        ).update(ticket=target)
    return Outcome(
        ticket=target,
        notice=_("Ticket #%(source)s was merged into this one.") % {"source": source.number},
    )


BULK_ACTIONS = ("status", "assign", "transfer")


def ticket_bulk_update(
    *,
    actor: Any,
    tickets: Sequence[Ticket],
    action: str,
    status: str | None = None,
    assignee: Any = None,
    department: Department | None = None,
) -> BulkOutcome:
    """One change to many tickets, all or none: a refusal names the ticket it stopped at.

    ``tickets`` come from ``access_tickets_for_agent`` (merged numbers already lead to the
    tickets they live on in)."""
    if action not in BULK_ACTIONS or not tickets:
        raise ApplicationError(_("Choose at least one ticket and what to do with them."))
    if action == "status" and not status:
        raise ApplicationError(_("Choose a status."), field="status")
    if action == "transfer" and department is None:
        raise ApplicationError(_("Choose a department."), field="department")
    done: list[Ticket] = []
    changed = 0
    with transaction.atomic():
        for ticket in tickets:
            try:
                if action == "status":
                    outcome = ticket_update(actor=actor, ticket=ticket, status=status)
                elif action == "assign":
                    outcome = ticket_update(actor=actor, ticket=ticket, assignee=assignee)
                else:
                    outcome = ticket_transfer(actor=actor, ticket=ticket, department=department)
            except ApplicationError as error:
                raise ApplicationError(
                    _("#%(number)s: %(reason)s") % {"number": ticket.number, "reason": error},
                    field=error.field,
                ) from error
            done.append(outcome.ticket)
            changed += outcome.changed
    if not changed:
        notice = _("Nothing changed: the selected tickets already were so.")
    else:
        notice = ngettext("%(count)d ticket updated.", "%(count)d tickets updated.", changed) % {
            "count": changed
        }
    return BulkOutcome(tickets=done, notice=notice, changed=changed)


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
            locked = _locked(ticket)
            if (
                locked.status != Ticket.Status.ANSWERED
                or locked.last_activity_at >= cutoff
                or locked.merged_into_id is not None
            ):
                continue
            workflow.move_check(locked.status, Ticket.Status.CLOSED, workflow.SYSTEM)
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
