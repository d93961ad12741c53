"""Turns ticket events into email deliveries, queued in the event's own transaction."""

from typing import Any

from django.conf import settings
from django.db import transaction
from django.dispatch import receiver

from chamado.accounts.models import User
from chamado.mail.models import Delivery
from chamado.mail.render import event_snapshot
from chamado.mail.tasks import delivery_send
from chamado.tickets import signals
from chamado.tickets.models import Message, Ticket
from chamado.tickets.selectors import agent_list_for_departments


def notice_message_id(
    *, kind: str, ticket: Ticket, message: Message | None, recipient: User
) -> str:
    """Derived from the notice (kind, ticket, message, recipient), so queueing the same notice
    again finds the one already queued.

    A notice without a message (a transfer without a note, an auto-close) may rightly happen
    again on the same ticket: the second and later ones also carry their place in that series.
    The action holds the ticket's row lock, so two events cannot take the same place.
    """
    key = f"{kind}.{ticket.number}.{message.pk if message else 0}.{recipient.pk}"
    if message is None:
        earlier = Delivery.objects.filter(
            kind=kind, ticket=ticket, message=None, recipient=recipient
        ).count()
        if earlier:
            key += f".{earlier + 1}"
    return f"<{key}@{settings.MESSAGE_ID_DOMAIN}>"


def delivery_queue(
    *, kind: str, ticket: Ticket, message: Message | None, recipients: list[User]
) -> list[Delivery]:
    """Create one delivery per recipient and enqueue its sending when the transaction commits.

    Enqueueing writes a task row in the same database transaction, so a rolled-back ticket
    leaves neither a delivery nor a task behind. Each delivery keeps the ticket as this event
    left it, which is what its email will say however late it is sent.
    """
    unique = list({user.pk: user for user in recipients if user.is_active}.values())
    context = event_snapshot(ticket) if unique else {}
    deliveries = []
    for recipient in unique:
        message_id = notice_message_id(
            kind=kind, ticket=ticket, message=message, recipient=recipient
        )
        delivery, created = Delivery.objects.get_or_create(
            email_message_id=message_id,
            defaults={
                "kind": kind,
                "ticket": ticket,
                "message": message,
                "recipient": recipient,
                "context": context,
            },
        )
        if created:
            delivery_send.enqueue(delivery.pk)
            deliveries.append(delivery)
    return deliveries


def department_agents(ticket: Ticket) -> list[User]:
    return list(agent_list_for_departments([ticket.department_id]))


def client_recipients(ticket: Ticket) -> list[User]:
    """The contact who opened the ticket, while they may still see it."""
    return [ticket.contact] if ticket.contact.may_use_tickets else []


@receiver(signals.ticket_event, dispatch_uid="chamado.mail.notify")
def on_ticket_event(
    sender: Any, *, event: str, ticket: Ticket, message: Message | None, actor: Any, **kwargs: Any
) -> None:
    assert transaction.get_connection().in_atomic_block, "ticket events come from actions"
    if event == signals.OPENED:
        delivery_queue(
            kind=Delivery.Kind.TICKET_CONFIRMATION,
            ticket=ticket,
            message=message,
            recipients=client_recipients(ticket),
        )
        delivery_queue(
            kind=Delivery.Kind.TICKET_NEW_NOTICE,
            ticket=ticket,
            message=message,
            recipients=department_agents(ticket),
        )
    elif event == signals.CLIENT_REPLIED:
        agents = [ticket.assignee] if ticket.assignee else department_agents(ticket)
        delivery_queue(
            kind=Delivery.Kind.CLIENT_REPLY_NOTICE,
            ticket=ticket,
            message=message,
            recipients=[agent for agent in agents if agent is not None],
        )
    elif event == signals.TRANSFERRED:
        delivery_queue(
            kind=Delivery.Kind.TRANSFER_NOTICE,
            ticket=ticket,
            message=message,
            recipients=client_recipients(ticket),
        )
    elif event == signals.AUTO_CLOSED:
        delivery_queue(
            kind=Delivery.Kind.AUTO_CLOSED,
            ticket=ticket,
            message=None,
            recipients=client_recipients(ticket),
        )
    elif event == signals.AGENT_REPLIED and message is not None and not message.is_internal:
        delivery_queue(
            kind=Delivery.Kind.AGENT_REPLY,
            ticket=ticket,
            message=message,
            recipients=client_recipients(ticket),
        )
