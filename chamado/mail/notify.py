"""Turns ticket events into email deliveries, queued in the event's own transaction."""

from typing import Any

from django.conf import settings
from django.db import transaction
from django.dispatch import receiver

from chamado.accounts.models import User
from chamado.mail.models import Delivery
from chamado.mail.render import department_snapshot, event_snapshot
from chamado.mail.tasks import delivery_enqueue
from chamado.tickets import signals
from chamado.tickets.access import clients_who_may_see
from chamado.tickets.models import Department, Message, Ticket
from chamado.tickets.selectors import agent_list_for_departments, ticket_follower_list


def notice_message_id(
    *, kind: str, ticket: Ticket, message: Message | None, recipient: User
) -> str:
    """Derived from the notice (kind, ticket, message, recipient), so queueing the same notice
    again finds the one already queued.

    A notice without a message (a transfer without a note, an auto-close, a status change) may
    rightly happen again on the same ticket: the second and later ones also carry their place
    in that series. The action holds the ticket's row lock, so two events cannot take the
    same place.
    """
    key = f"{kind}.{ticket.number}.{message.pk if message else 0}.{recipient.pk}"
    if message is None:
        earlier = Delivery.objects.filter(
            kind=kind, ticket=ticket, message=None, recipient=recipient
        ).count()
        if earlier:
            key += f".{earlier + 1}"
    return f"<{key}@{settings.MESSAGE_ID_DOMAIN}>"


# The notification choice (accounts.User.notify_*, on the profile) that lets a kind of notice
# through. The conversation itself (an agent's reply to the client; a client's reply to the
# assigned agent) and the confirmation of a ticket just opened always go.
CHOICE_FOR_KIND = {
    Delivery.Kind.TICKET_NEW_NOTICE: "notify_new_tickets",
    Delivery.Kind.TRANSFER_AGENTS_NOTICE: "notify_new_tickets",
    Delivery.Kind.TRANSFER_NOTICE: "notify_ticket_changes",
    Delivery.Kind.STATUS_CHANGED: "notify_ticket_changes",
    Delivery.Kind.MERGED: "notify_ticket_changes",
    Delivery.Kind.AUTO_CLOSED: "notify_ticket_changes",
}


def delivery_queue(
    *,
    kind: str,
    ticket: Ticket,
    message: Message | None,
    recipients: list[User],
    facts: dict[str, Any] | None = None,
) -> list[Delivery]:
    """Create one delivery per recipient and enqueue its sending when the transaction commits.

    Enqueueing writes a task row in the same database transaction, so a rolled-back ticket
    leaves neither a delivery nor a task behind. Each delivery keeps the ticket as this event
    left it (with the event's own ``facts``), which is what its email will say however late
    it is sent.
    """
    choice = CHOICE_FOR_KIND.get(kind)  # type: ignore[call-overload]
    unique = list(
        {
            user.pk: user
            for user in recipients
            if user.is_active and (choice is None or getattr(user, choice))
        }.values()
    )
    context = event_snapshot(ticket, message, **(facts or {})) if unique else {}
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
            delivery_enqueue(delivery)
            deliveries.append(delivery)
    return deliveries


def department_agents(ticket: Ticket) -> list[User]:
    return list(agent_list_for_departments([ticket.department_id]))


def client_recipients(ticket: Ticket) -> list[User]:
    """The contact who opened the ticket and its followers, those who may still see it (asked
    now, at queue time: a follower whose `tickets` permission was removed gets nothing)."""
    return clients_who_may_see(ticket, [ticket.contact, *ticket_follower_list(ticket)])


def actor_name(actor: Any) -> str:
    return (getattr(actor, "full_name", "") or getattr(actor, "email", "")) if actor else ""


def _opened(ticket: Ticket, message: Message | None) -> None:
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


def _client_replied(ticket: Ticket, message: Message | None) -> None:
    if ticket.assignee:
        agents = [ticket.assignee]
    else:
        agents = [agent for agent in department_agents(ticket) if agent.notify_client_replies]
    delivery_queue(
        kind=Delivery.Kind.CLIENT_REPLY_NOTICE,
        ticket=ticket,
        message=message,
        recipients=[agent for agent in agents if agent is not None],
    )


def _transferred(
    ticket: Ticket, message: Message | None, actor: Any, before: dict[str, Any]
) -> None:
    delivery_queue(
        kind=Delivery.Kind.TRANSFER_NOTICE,
        ticket=ticket,
        message=message,
        recipients=client_recipients(ticket),
    )
    # The receiving department's agents learn it arrived, and from where (not the agent who
    # moved it, who knows).
    facts: dict[str, Any] = {"author": actor_name(actor)}
    previous = Department.objects.filter(slug=before.get("department")).first()
    if previous is not None:
        facts["previous_department"] = department_snapshot(previous)
    delivery_queue(
        kind=Delivery.Kind.TRANSFER_AGENTS_NOTICE,
        ticket=ticket,
        message=message,
        recipients=[
            agent for agent in department_agents(ticket) if agent.pk != getattr(actor, "pk", None)
        ],
        facts=facts,
    )


def _updated(ticket: Ticket, before: dict[str, Any], after: dict[str, Any]) -> None:
    # The client sees the status; priority and assignee are the desk's business.
    if "status" not in before or before["status"] == after.get("status"):
        return
    delivery_queue(
        kind=Delivery.Kind.STATUS_CHANGED,
        ticket=ticket,
        message=None,
        recipients=client_recipients(ticket),
        facts={"previous_status": before["status"]},
    )


def _merged(target: Ticket, before: dict[str, Any]) -> None:
    source = (
        Ticket.objects.select_related("contact", "department", "account", "service")
        .filter(number=before.get("source", 0), merged_into=target)
        .first()
    )
    if source is None:
        return
    delivery_queue(
        kind=Delivery.Kind.MERGED,
        ticket=source,
        message=None,
        recipients=client_recipients(source),
        facts={"into": target.number},
    )


@receiver(signals.ticket_event, dispatch_uid="chamado.mail.notify")
def on_ticket_event(
    sender: Any,
    *,
    event: str,
    ticket: Ticket,
    message: Message | None,
    actor: Any,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    **kwargs: Any,
) -> None:
    assert transaction.get_connection().in_atomic_block, "ticket events come from actions"
    before, after = before or {}, after or {}
    if event == signals.OPENED:
        _opened(ticket, message)
    elif event == signals.CLIENT_REPLIED:
        _client_replied(ticket, message)
    elif event == signals.TRANSFERRED:
        _transferred(ticket, message, actor, before)
    elif event == signals.UPDATED:
        _updated(ticket, before, after)
    elif event == signals.MERGED:
        _merged(ticket, before)
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
