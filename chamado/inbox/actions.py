"""Inbound email, a surface over the ticket actions, and every rule of it.

Each message is recorded once (a unique key: its Message-ID, or its content), in the same
transaction as what it does, so two pollers and the pipe racing on one message store it once.
Then it is routed by the access rules every surface uses:

- a reply whose address carries a tag valid for its sender (``mail.addresses``), from someone
  who may still reach that ticket, becomes a client message (or an agent's reply);
- a mail to a department's address from a contact who may use tickets opens a ticket there;
- machine mail (auto-replies, bounces, Chamado's own mail coming back, a flood) is dropped
  with its reason, and never answered;
- anything else goes to "Mail to review" and never into an account. Threading headers and
  ``[#number]`` are hints only: alone they send a message to review, never to a ticket.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chamado.accounts.models import User
from chamado.core.audit import audit_record
from chamado.core.errors import ApplicationError, NotFound
from chamado.core.text import single_line
from chamado.inbox.models import InboundMessage, InboxPolicy, Mailbox
from chamado.inbox.notices import sender_notice_send
from chamado.inbox.parse import ParsedEmail, email_parse
from chamado.mail.addresses import ReplyTag, base_address, reply_tag
from chamado.services.models import Service
from chamado.tickets import workflow
from chamado.tickets.access import (
    access_ticket_by_number,
    access_ticket_for_agent,
    accounts_with_tickets,
    is_active_agent,
)
from chamado.tickets.actions import (
    Outcome,
    ticket_open,
    ticket_reply_by_agent,
    ticket_reply_by_client,
    uploads_check,
)
from chamado.tickets.models import Department, Message, Policy, Ticket

logger = logging.getLogger(__name__)

Reason = InboundMessage.Reason
FLOOD_WINDOW = timedelta(hours=1)


class InboxUnavailable(Exception):
    """The database could not be reached: nothing was recorded, try the message again later
    (the pipe answers EX_TEMPFAIL, the poller leaves it in the mailbox)."""


@dataclass(frozen=True)
class Taken:
    """What became of one message; ``inbound`` is None when it had been taken before."""

    inbound: InboundMessage | None
    duplicate: bool = False

    def __str__(self) -> str:
        if self.inbound is None:
            return "duplicate"
        reason = f" ({self.inbound.reason})" if self.inbound.reason else ""
        return f"{self.inbound.outcome}{reason}"


# ---- Taking a message ---------------------------------------------------------------------------


def inbound_receive(
    raw: bytes, *, source: str, mailbox: Mailbox | None = None, envelope_recipient: str = ""
) -> Taken:
    """Take one message whatever it holds. A failure of Chamado's own while routing it still
    records the message, for review, so nothing is silently lost; only an unreachable
    database raises (InboxUnavailable), so the message comes again later."""
    try:
        return inbound_take(
            raw, source=source, mailbox=mailbox, envelope_recipient=envelope_recipient
        )
    except (OperationalError, InterfaceError) as error:
        raise InboxUnavailable(str(error)) from error
    except Exception as error:
        logger.exception("inbound message could not be routed; kept for review")
        try:
            return _failure_record(
                raw,
                source=source,
                mailbox=mailbox,
                envelope_recipient=envelope_recipient,
                error=error,
            )
        except (OperationalError, InterfaceError) as again:
            raise InboxUnavailable(str(again)) from again


def inbound_take(
    raw: bytes, *, source: str, mailbox: Mailbox | None = None, envelope_recipient: str = ""
) -> Taken:
    """Record the message once and do what it asks, in one transaction."""
    parsed = email_parse(raw, envelope_recipient=envelope_recipient)

    def route(inbound: InboundMessage) -> None:
        _route(inbound, parsed)

    return _record_once(raw, parsed, source=source, mailbox=mailbox, then=route)


def _failure_record(
    raw: bytes,
    *,
    source: str,
    mailbox: Mailbox | None,
    envelope_recipient: str,
    error: BaseException,
) -> Taken:
    parsed = email_parse(raw, envelope_recipient=envelope_recipient)

    def keep(inbound: InboundMessage) -> None:
        _review(inbound, Reason.FAILED, f"{type(error).__name__}: {error}")

    return _record_once(raw, parsed, source=source, mailbox=mailbox, then=keep)


def _record_once(
    raw: bytes, parsed: ParsedEmail, *, source: str, mailbox: Mailbox | None, then: Any
) -> Taken:
    stored: list[str] = []
    try:
        with transaction.atomic():
            inbound = InboundMessage(
                key=parsed.key,
                email_message_id=parsed.message_id[:255],
                sender=parsed.sender[:254],
                sender_name=parsed.sender_name[:200],
                subject=parsed.subject[:255],
                body=parsed.reply or parsed.text,
                size=len(raw),
                source=source,
                mailbox=mailbox,
                outcome=InboundMessage.Outcome.REVIEW,
                reason=Reason.FAILED,
            )
            # The unique key: a second taker of the same message stops here (on PostgreSQL
            # it waits for the first one's transaction, then fails).
            inbound.save()
            inbound.raw.save("message.eml", ContentFile(raw), save=False)
            stored.append(inbound.raw.name or "")
            then(inbound)
            inbound.save()
    except IntegrityError:
        _files_delete(stored)
        if InboundMessage.objects.filter(key=parsed.key).exists():
            logger.info("inbound message %s was already taken", parsed.message_id or parsed.key)
            return Taken(inbound=None, duplicate=True)
        raise
    except BaseException:
        _files_delete(stored)
        raise
    logger.info(
        "inbound message %s from %s: %s %s %s",
        inbound.pk,
        inbound.sender or "?",
        inbound.outcome,
        inbound.reason,
        inbound.detail[:200],
    )
    return Taken(inbound=inbound)


def _files_delete(names: list[str]) -> None:
    for name in names:
        InboundMessage._meta.get_field("raw").storage.delete(name)  # type: ignore[attr-defined]


# ---- Routing ------------------------------------------------------------------------------------


def _review(inbound: InboundMessage, reason: str, detail: str = "") -> None:
    inbound.outcome = InboundMessage.Outcome.REVIEW
    inbound.reason = reason
    inbound.detail = detail


def _drop(inbound: InboundMessage, reason: str, detail: str = "") -> None:
    inbound.outcome = InboundMessage.Outcome.DROPPED
    inbound.reason = reason
    inbound.detail = detail


def _own_addresses() -> set[str]:
    own = {base_address().lower()}
    own |= {
        email.lower()
        for email in Department.objects.exclude(email="").values_list("email", flat=True)
    }
    return own


def _is_loop(parsed: ParsedEmail) -> bool:
    """Chamado's own mail coming back: its header, its Message-ID domain, its addresses."""
    if parsed.chamado_header:
        return True
    if parsed.message_id and parsed.message_id_domain() == settings.MESSAGE_ID_DOMAIN.lower():
        return True
    if not parsed.sender:
        return False
    tag = reply_tag(parsed.sender)
    return (tag.address if tag else parsed.sender) in _own_addresses()


def _refers_to_chamado(parsed: ParsedEmail) -> bool:
    domain = "@" + settings.MESSAGE_ID_DOMAIN.lower()
    return parsed.ticket_hint or any(ref.lower().endswith(domain) for ref in parsed.references)


def _flood_count(inbound: InboundMessage) -> int:
    """How many messages came from this sender in the hour before this one."""
    return (
        InboundMessage.objects.filter(
            sender=inbound.sender, received_at__gte=inbound.received_at - FLOOD_WINDOW
        )
        .exclude(pk=inbound.pk)
        .count()
    )


def _department_addressed(parsed: ParsedEmail) -> Department | None:
    if not parsed.recipients:
        return None
    for department in Department.objects.exclude(email="").order_by("position", "pk"):
        if department.email.lower() in parsed.recipients:
            return department
    return None


def _route(inbound: InboundMessage, parsed: ParsedEmail) -> None:
    if parsed.error:
        return _review(inbound, Reason.UNPARSEABLE, parsed.error)
    if _is_loop(parsed):
        return _drop(inbound, Reason.LOOP, parsed.message_id)
    if parsed.machine:
        return _drop(inbound, parsed.machine, parsed.machine_sign)
    if not parsed.sender:
        return _review(inbound, Reason.NO_SENDER)
    limit = InboxPolicy.current().sender_max_per_hour
    if (earlier := _flood_count(inbound)) >= limit:
        return _drop(inbound, Reason.FLOOD, f"{earlier + 1} > {limit} in one hour")
    if parsed.spoofed:
        return _review(inbound, Reason.SPOOFED)
    user = User.objects.filter(email__iexact=parsed.sender).first()
    inbound.sender_user = user
    tags = [tag for address in parsed.recipients if (tag := reply_tag(address)) is not None]
    if tags:
        return _reply_route(inbound, parsed, user, tags)
    if _refers_to_chamado(parsed):
        return _review(inbound, Reason.HINT_ONLY)
    department = _department_addressed(parsed)
    if department is None:
        return _review(inbound, Reason.NO_ADDRESS, ", ".join(parsed.recipients)[:500])
    inbound.recipient = department.email[:254]
    if user is None:
        return _review(inbound, Reason.UNKNOWN_SENDER)
    if not user.may_use_tickets:
        return _review(inbound, Reason.NO_PERMISSION)
    account_id = user.account_id
    services = list(Service.objects.filter(account_id=account_id)[:2]) if account_id else []
    with translation.override(user.language or settings.LANGUAGE_CODE):
        files, refused = _uploads_sorted(parsed, policy=Policy.current())
        try:
            outcome = ticket_open(
                actor=user,
                department=department,
                service=services[0] if len(services) == 1 else None,
                subject=_subject(parsed),
                priority=Ticket.Priority.MEDIUM,
                body=parsed.reply,
                files=files,
                source=Message.Source.EMAIL,
                submission_key=inbound.key,
            )
        except ApplicationError as error:
            return _review(inbound, Reason.REFUSED, error.message)
    _landed(inbound, outcome, InboundMessage.Outcome.TICKET, refused)


def _reply_route(
    inbound: InboundMessage, parsed: ParsedEmail, user: User | None, tags: list[ReplyTag]
) -> None:
    if user is None:
        return _review(inbound, Reason.UNKNOWN_SENDER)
    tag = next((tag for tag in tags if tag.valid_for(user.pk)), None)
    if tag is None:
        return _review(inbound, Reason.BAD_TAG)
    inbound.recipient = f"{tag.local}+{tag.number}.{tag.mac}@{tag.domain}"[:254]
    agent = is_active_agent(user)
    if not agent and not accounts_with_tickets(user).exists():
        return _review(inbound, Reason.NO_PERMISSION)
    try:
        if agent:
            ticket = access_ticket_for_agent(user, tag.number)
        else:
            ticket = access_ticket_by_number(user, tag.number)
    except NotFound:
        return _review(inbound, Reason.NO_ACCESS, f"#{tag.number}")
    with translation.override(user.language or settings.LANGUAGE_CODE):
        files, refused = _uploads_sorted(parsed, policy=Policy.current())
        try:
            if agent:
                outcome = ticket_reply_by_agent(
                    actor=user,
                    ticket=ticket,
                    body=parsed.reply,
                    files=files,
                    source=Message.Source.EMAIL,
                    submission_key=inbound.key,
                )
            else:
                outcome = ticket_reply_by_client(
                    actor=user,
                    ticket=ticket,
                    body=parsed.reply,
                    files=files,
                    source=Message.Source.EMAIL,
                    submission_key=inbound.key,
                )
        except ApplicationError as error:
            return _review(inbound, Reason.REFUSED, f"#{ticket.number}: {error.message}")
    _landed(inbound, outcome, InboundMessage.Outcome.REPLY, refused)


def _landed(inbound: InboundMessage, outcome: Outcome, kind: str, refused: list[str]) -> None:
    inbound.outcome = kind
    inbound.reason = Reason.NONE
    inbound.detail = ""
    inbound.ticket = outcome.ticket
    inbound.message = outcome.message
    if refused:
        # One email lists every refused file; queued in this transaction, sent once.
        inbound.notice = "\n".join(refused)
        sender_notice_send.enqueue(inbound.pk)


def _subject(parsed: ParsedEmail) -> str:
    """The mail's subject (its first line of text when it has none), cut to fit."""
    subject = single_line(parsed.subject) or single_line(parsed.reply.split("\n", 1)[0])
    limit = workflow.SUBJECT_MAX_LENGTH
    return subject if len(subject) <= limit else subject[: limit - 1].rstrip() + "…"


def _uploads_sorted(parsed: ParsedEmail, *, policy: Policy) -> tuple[list[UploadedFile], list[str]]:
    """The files the web form would accept, and a line for each refused one: the same checks
    (``uploads_check``, the policy's size and count), file by file."""
    accepted: list[UploadedFile] = []
    refused: list[str] = []
    for inbound_file in parsed.files:
        upload = SimpleUploadedFile(
            inbound_file.name, inbound_file.content, content_type=inbound_file.content_type
        )
        try:
            uploads_check([upload], policy=policy)
        except ApplicationError as error:
            refused += error.messages
            continue
        if len(accepted) >= policy.attachment_max_count:
            refused.append(
                _("“%(name)s” was left out: at most %(count)d files are kept from one email.")
                % {"name": inbound_file.name, "count": policy.attachment_max_count}
            )
            continue
        accepted.append(upload)
    return accepted, refused


# ---- Mail to review -----------------------------------------------------------------------------


def _agent_check(actor: Any) -> None:
    if not is_active_agent(actor):
        raise ApplicationError(_("Only agents may do this."))


def _pending(inbound: InboundMessage) -> InboundMessage:
    locked = InboundMessage.objects.select_for_update().get(pk=inbound.pk)
    if locked.outcome != InboundMessage.Outcome.REVIEW:
        raise ApplicationError(_("This email was already dealt with."))
    return locked


def _service_for(contact: User, label: str) -> Service | None:
    account_id = contact.account_id
    services = Service.objects.filter(account_id=account_id or 0)
    if label.strip():
        for service in services:
            if label.strip().lower() in {service.label.lower(), service.name.lower()}:
                return service
        raise ApplicationError(
            _("%(contact)s's account has no service called “%(label)s”.")
            % {"contact": contact, "label": label.strip()},
            field="service",
        )
    found = list(services[:2])
    return found[0] if len(found) == 1 else None


def inbound_convert(
    *,
    actor: Any,
    inbound: InboundMessage,
    contact_email: str,
    department: Department | None,
    subject: str,
    body: str,
    service_label: str = "",
) -> Outcome:
    """An agent turns a reviewed email into a ticket of the contact they chose: opened by the
    ticket action as that contact (its rules: permission, department, service), with the
    email's files under the upload rules. The outcome's notice names any refused file."""
    _agent_check(actor)
    contact = User.objects.filter(email__iexact=contact_email.strip()).first()
    if contact is None or not contact.may_use_tickets:
        raise ApplicationError(
            _("Choose the email address of a contact who may use tickets."), field="contact"
        )
    service = _service_for(contact, service_label)
    with transaction.atomic():
        locked = _pending(inbound)
        with locked.raw.open("rb") as handle:
            parsed = email_parse(handle.read())
        files, refused = _uploads_sorted(parsed, policy=Policy.current())
        outcome = ticket_open(
            actor=contact,
            department=department,
            service=service,
            subject=subject,
            priority=Ticket.Priority.MEDIUM,
            body=body,
            files=files,
            source=Message.Source.EMAIL,
            submission_key=locked.key,
        )
        locked.outcome = InboundMessage.Outcome.TICKET
        locked.ticket = outcome.ticket
        locked.message = outcome.message
        locked.resolved_by = actor
        locked.resolved_at = timezone.now()
        locked.save()
        audit_record(
            actor=actor,
            verb="inbox.convert",
            target=locked,
            before={"reason": locked.reason},
            after={"ticket": outcome.ticket.number, "contact": contact.pk},
        )
    notice = _("Ticket #%(number)s opened for %(contact)s.") % {
        "number": outcome.ticket.number,
        "contact": contact,
    }
    if refused:
        notice = " ".join([notice, _("Files left out:"), *refused])
    return Outcome(ticket=outcome.ticket, message=outcome.message, notice=notice)


def inbound_discard(*, actor: Any, inbound: InboundMessage) -> InboundMessage:
    """An agent decides a reviewed email needs nothing: it stays in the log, discarded."""
    _agent_check(actor)
    with transaction.atomic():
        locked = _pending(inbound)
        locked.outcome = InboundMessage.Outcome.DISCARDED
        locked.resolved_by = actor
        locked.resolved_at = timezone.now()
        locked.save(update_fields=["outcome", "resolved_by", "resolved_at"])
        audit_record(
            actor=actor,
            verb="inbox.discard",
            target=locked,
            before={"reason": locked.reason},
            after={"outcome": locked.outcome},
        )
    return locked
