"""The one email inbound mail answers with: the files of a landed email that were refused,
listed to its sender. Never sent for mail that did not land (unknown senders, machines)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chamado.core.text import single_line
from chamado.inbox.models import InboundMessage
from chamado.mail.addresses import reply_address


def sender_notice_email(inbound: InboundMessage) -> EmailMultiAlternatives:
    user = inbound.sender_user
    ticket = inbound.ticket
    assert user is not None and ticket is not None, "notices go to landed mail only"
    with translation.override(user.language or settings.LANGUAGE_CODE):
        if ticket.contact_id == user.pk or not user.is_agent:
            path = reverse("portal:ticket", args=[ticket.number])
        else:
            path = reverse("desk:ticket", args=[ticket.number])
        context = {
            "recipient": user,
            "number": ticket.number,
            "lines": inbound.notice.splitlines(),
            "ticket_url": settings.SITE_URL.rstrip("/") + path,
            "html_lang": translation.get_language(),
        }
        subject = _("[#%(number)s] Some files of your email were not accepted") % {
            "number": ticket.number
        }
        text = render_to_string("inbox/sender_notice.txt", context)
        html = render_to_string("inbox/sender_notice.html", context)
    headers = {
        "Message-ID": f"<inbound-notice.{inbound.pk}@{settings.MESSAGE_ID_DOMAIN}>",
        # An automatic answer: mail clients and servers must not answer it in turn.
        "Auto-Submitted": "auto-replied",
        "X-Chamado-Ticket": str(ticket.number),
        "Reply-To": reply_address(
            number=ticket.number, recipient_id=user.pk, department_email=ticket.department.email
        ),
    }
    if inbound.email_message_id:
        headers["In-Reply-To"] = headers["References"] = f"<{inbound.email_message_id}>"
    email = EmailMultiAlternatives(
        subject=single_line(subject),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[inbound.sender or user.email],
        headers={name: single_line(value) for name, value in headers.items()},
    )
    email.attach_alternative(html, "text/html")
    return email


@task()
def sender_notice_send(inbound_id: int) -> str:
    """Send the notice once: the row is locked while it is sent and marked in the same
    transaction, so a second run finds it sent."""
    with transaction.atomic():
        inbound = (
            InboundMessage.objects.select_for_update(of=("self",))
            .select_related("sender_user", "ticket__department")
            .filter(pk=inbound_id)
            .first()
        )
        if (
            inbound is None
            or inbound.notice_sent_at is not None
            or not inbound.notice
            or inbound.sender_user is None
            or inbound.ticket is None
        ):
            return "skipped"
        sender_notice_email(inbound).send()
        inbound.notice_sent_at = timezone.now()
        inbound.save(update_fields=["notice_sent_at"])
    return "sent"
