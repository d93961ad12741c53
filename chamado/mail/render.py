"""Builds the email for a delivery: text and HTML parts, in the recipient's language."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from chamado.mail.models import Delivery
from chamado.tickets.models import Ticket


def thread_id(ticket: Ticket) -> str:
    """The Message-ID every email about this ticket refers to, so mail clients thread them."""
    return f"<ticket-{ticket.number}@{settings.MESSAGE_ID_DOMAIN}>"


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
    ticket = delivery.ticket
    recipient = delivery.recipient
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        if recipient.is_agent and not recipient.is_client:
            path = reverse("portal:home")  # the desk links here until it has its own pages
        else:
            path = reverse("portal:ticket", args=[ticket.number])
        context = {
            "delivery": delivery,
            "ticket": ticket,
            "message": delivery.message,
            "recipient": recipient,
            "ticket_url": settings.SITE_URL.rstrip("/") + path,
        }
        subject = _subject(delivery.kind) % {
            "number": ticket.number,
            "subject": ticket.subject,
            "department": ticket.department.title,
        }
        text = render_to_string(f"mail/{delivery.kind}.txt", context)
        html = render_to_string(
            "mail/email.html", {**context, "body_template": f"mail/{delivery.kind}.html"}
        )
    email = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers={
            "Message-ID": delivery.email_message_id,
            "In-Reply-To": thread_id(ticket),
            "References": thread_id(ticket),
            "Auto-Submitted": "auto-generated",
            "X-Chamado-Ticket": str(ticket.number),
        },
    )
    email.attach_alternative(html, "text/html")
    return email
