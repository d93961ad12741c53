"""Builds the email for a delivery: text and HTML parts, in the recipient's saved language.

An email tells its event, not the ticket as it is when the worker gets to it (seconds or hours
later): `event_snapshot` is taken when the delivery is queued and stored on it, and `Notice`
is what the templates read. Header values are made one line here, whatever the rows hold.

Every notice carries the number in its subject (``[#592110]``), threading headers that put
all the emails of a ticket in one conversation, and a ``Reply-To`` with the signed tag of the
ticket and the recipient (``addresses.reply_address``), so an answer by email finds its way.
"""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from chamado.accounts.models import User
from chamado.core.text import single_line
from chamado.mail.addresses import reply_address
from chamado.mail.models import AGENT_KINDS, Delivery
from chamado.tickets.models import Department, Message, Ticket
from chamado.tickets.notes import message_text

# Header values are one line whatever a stored row holds (rows written before the actions
# made subjects single-line, names edited outside the admin): core.text's rule, applied again.
header_line = single_line


def thread_id(number: int) -> str:
    """The Message-ID every email about ticket ``number`` refers to, so mail clients thread them."""
    return f"<ticket-{number}@{settings.MESSAGE_ID_DOMAIN}>"


def department_snapshot(department: Department) -> dict[str, Any]:
    """Both names (the email is written later, in the recipient's language) and the address
    replies go to."""
    return {
        "id": department.pk,
        "name": department.name,
        "name_pt_br": department.name_pt_br,
        "email": department.email,
    }


def event_snapshot(ticket: Ticket, message: Message | None = None, **facts: Any) -> dict[str, Any]:
    """What the emails about an event say of the ticket, as JSON, taken in the event's
    transaction. ``facts`` are what only this event knows (the status before, the department
    it came from, the ticket a merged one continues in, who acted)."""
    snapshot = {
        "number": ticket.number,
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "department": department_snapshot(ticket.department),
        "account": ticket.account.name,
        "service": str(ticket.service) if ticket.service else "",
    }
    if message is not None and message.author is not None:
        snapshot["author"] = message.author.full_name or message.author.email
    return {**snapshot, **facts}


_SNAPSHOT_KEYS = frozenset(
    {"number", "subject", "status", "priority", "department", "account", "service"}
)


def _department(facts: dict[str, Any]) -> Department:
    """A Department to read (not saved): ``title`` picks the language."""
    return Department(
        pk=facts["id"],
        name=header_line(facts["name"]),
        name_pt_br=header_line(facts["name_pt_br"]),
        email=facts.get("email", ""),  # snapshots taken before it was stored lack it
    )


@dataclass(frozen=True)
class Notice:
    """The ticket as the event left it, for the templates (never the live row)."""

    number: int
    subject: str
    status: str
    priority: int
    department: Department
    account: str
    service: str
    author: str = ""  # who wrote the event's message, or who acted
    previous_status: str = ""  # a status change: the status before
    previous_department: Department | None = None  # a transfer: where it came from
    into: int | None = None  # a merge: the ticket this one continues in

    @classmethod
    def of(cls, delivery: Delivery) -> "Notice":
        facts = delivery.context or {}
        if not facts.keys() >= _SNAPSHOT_KEYS:
            # Queued before snapshots were stored (or before a key was added): the ticket now.
            facts = {**event_snapshot(delivery.ticket, delivery.message), **facts}
        previous = facts.get("previous_department")
        return cls(
            number=facts["number"],
            subject=header_line(facts["subject"]),
            status=facts["status"],
            priority=facts["priority"],
            department=_department(facts["department"]),
            account=facts["account"],
            service=facts["service"],
            author=header_line(facts.get("author", "")),
            previous_status=facts.get("previous_status", ""),
            previous_department=_department(previous) if previous else None,
            into=facts.get("into"),
        )

    @property
    def priority_label(self) -> str:
        return str(dict(Ticket.Priority.choices).get(self.priority, self.priority))

    @property
    def status_label(self) -> str:
        return str(dict(Ticket.Status.choices).get(self.status, self.status))

    @property
    def previous_status_label(self) -> str:
        return str(dict(Ticket.Status.choices).get(self.previous_status, self.previous_status))

    @property
    def reply_number(self) -> int:
        """The ticket an answer by email belongs to: a merged one's goes where it continues."""
        return self.into or self.number


def _subject(kind: str) -> str:
    # Spelled out so makemessages finds each subject line.
    return {
        Delivery.Kind.TICKET_CONFIRMATION: _("[#%(number)s] Ticket opened: %(subject)s"),
        Delivery.Kind.TICKET_NEW_NOTICE: _(
            "[#%(number)s] New ticket in %(department)s: %(subject)s"
        ),
        Delivery.Kind.CLIENT_REPLY_NOTICE: _("[#%(number)s] Client replied: %(subject)s"),
        Delivery.Kind.AGENT_REPLY: _("[#%(number)s] New reply: %(subject)s"),
        Delivery.Kind.TRANSFER_NOTICE: _("[#%(number)s] Moved to %(department)s: %(subject)s"),
        Delivery.Kind.AUTO_CLOSED: _("[#%(number)s] Closed for lack of reply: %(subject)s"),
        Delivery.Kind.STATUS_CHANGED: _("[#%(number)s] Now %(status)s: %(subject)s"),
        Delivery.Kind.MERGED: _("[#%(number)s] Continues in #%(into)s: %(subject)s"),
        Delivery.Kind.TRANSFER_AGENTS_NOTICE: _(
            "[#%(number)s] Transferred to %(department)s: %(subject)s"
        ),
    }[Delivery.Kind(kind)]


def html_lang(language: str) -> str:
    """The BCP 47 tag of a Django language code, for ``<html lang>``: pt-br → pt-BR."""
    return translation.to_locale(language).replace("_", "-")


def ticket_link(kind: str, number: int) -> str:
    """Agents' notices open the ticket in the desk, the client's in the client area."""
    name = "desk:ticket" if kind in AGENT_KINDS else "portal:ticket"
    return settings.SITE_URL.rstrip("/") + reverse(name, args=[number])


def delivery_email(delivery: Delivery) -> EmailMultiAlternatives:
    notice = Notice.of(delivery)
    recipient: User = delivery.recipient
    language = recipient.language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "notice": notice,
            "message": delivery.message,
            # What the message says, in the recipient's language when it is a system note.
            "message_text": message_text(delivery.message) if delivery.message else "",
            "recipient": recipient,
            "for_agent": delivery.kind in AGENT_KINDS,
            "ticket_url": ticket_link(delivery.kind, notice.reply_number),
            "html_lang": html_lang(translation.get_language() or language),
        }
        subject = _subject(delivery.kind) % {
            "number": notice.number,
            "subject": notice.subject,
            "department": notice.department.title,
            "status": notice.status_label,
            "into": notice.into,
        }
        text = render_to_string(f"mail/{delivery.kind}.txt", context)
        html = render_to_string(
            "mail/email.html", {**context, "body_template": f"mail/{delivery.kind}.html"}
        )
    references = [thread_id(notice.number)]
    if notice.into:
        references.append(thread_id(notice.into))
    headers = {
        "Message-ID": delivery.email_message_id,
        "In-Reply-To": thread_id(notice.number),
        "References": " ".join(references),
        "Reply-To": reply_address(
            number=notice.reply_number,
            recipient_id=recipient.pk,
            department_email=notice.department.email,
        ),
        "Auto-Submitted": "auto-generated",
        # Asks Exchange and Outlook not to answer with out-of-office and other auto-replies.
        "X-Auto-Response-Suppress": "All",
        "X-Chamado-Ticket": str(notice.number),
    }
    email = EmailMultiAlternatives(
        subject=header_line(subject),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers={name: header_line(value) for name, value in headers.items()},
    )
    email.attach_alternative(html, "text/html")
    return email
