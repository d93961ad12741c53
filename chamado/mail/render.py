"""Builds the email for a delivery: text and HTML parts, in the recipient's language.

An email tells its event, not the ticket as it is when the worker gets to it (seconds or hours
later): `event_snapshot` is taken when the delivery is queued and stored on it, and `Notice`
is what the templates read. Header values are made one line here, whatever the rows hold.
"""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from chamado.core.text import single_line
from chamado.mail.models import Delivery
from chamado.tickets.models import Department, Ticket

# Header values are one line whatever a stored row holds (rows written before the actions
# made subjects single-line, names edited outside the admin): core.text's rule, applied again.
header_line = single_line


def thread_id(number: int) -> str:
    """The Message-ID every email about ticket ``number`` refers to, so mail clients thread them."""
    return f"<ticket-{number}@{settings.MESSAGE_ID_DOMAIN}>"


def event_snapshot(ticket: Ticket) -> dict[str, Any]:
    """What the emails about an event say of the ticket, as JSON, taken in the event's
    transaction. The department keeps both names: the email is written later, in the
    recipient's language."""
    department = ticket.department
    return {
        "number": ticket.number,
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "department": {
            "id": department.pk,
            "name": department.name,
            "name_pt_br": department.name_pt_br,
        },
        "account": ticket.account.name,
        "service": str(ticket.service) if ticket.service else "",
    }


_SNAPSHOT_KEYS = frozenset(
    {"number", "subject", "status", "priority", "department", "account", "service"}
)


@dataclass(frozen=True)
class Notice:
    """The ticket as the event left it, for the templates (never the live row)."""

    number: int
    subject: str
    status: str
    priority: int
    department: Department  # not saved: built from the snapshot, `title` picks the language
    account: str
    service: str

    @classmethod
    def of(cls, delivery: Delivery) -> "Notice":
        facts = delivery.context or {}
        if not facts.keys() >= _SNAPSHOT_KEYS:
            # Queued before snapshots were stored (or before a key was added): the ticket now.
            facts = {**event_snapshot(delivery.ticket), **facts}
        department = facts["department"]
        return cls(
            number=facts["number"],
            subject=header_line(facts["subject"]),
            status=facts["status"],
            priority=facts["priority"],
            department=Department(
                pk=department["id"],
                name=header_line(department["name"]),
                name_pt_br=header_line(department["name_pt_br"]),
            ),
            account=facts["account"],
            service=facts["service"],
        )

    @property
    def priority_label(self) -> str:
        return str(dict(Ticket.Priority.choices).get(self.priority, self.priority))


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
    }[Delivery.Kind(kind)]


def delivery_email(delivery: Delivery) -> EmailMultiAlternatives:
    notice = Notice.of(delivery)
    recipient = delivery.recipient
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        if recipient.is_agent and not recipient.is_client:
            path = reverse("portal:home")  # the desk links here until it has its own pages
        else:
            path = reverse("portal:ticket", args=[notice.number])
        context = {
            "notice": notice,
            "message": delivery.message,
            "recipient": recipient,
            "ticket_url": settings.SITE_URL.rstrip("/") + path,
        }
        subject = _subject(delivery.kind) % {
            "number": notice.number,
            "subject": notice.subject,
            "department": notice.department.title,
        }
        text = render_to_string(f"mail/{delivery.kind}.txt", context)
        html = render_to_string(
            "mail/email.html", {**context, "body_template": f"mail/{delivery.kind}.html"}
        )
    headers = {
        "Message-ID": delivery.email_message_id,
        "In-Reply-To": thread_id(notice.number),
        "References": thread_id(notice.number),
        "Auto-Submitted": "auto-generated",
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
