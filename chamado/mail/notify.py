"""Turns ticket events into email deliveries, queued in the event's own transaction.

The request does only what must be durable with the event: it decides the recipients (as
they are at the event), writes every delivery in one INSERT and one task that hands them to
the sender (mail.tasks.deliveries_fanout): a constant number of queries whatever the number
of recipients. Sending, with its retries, is the worker's."""

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Min, Q
from django.dispatch import receiver

from chamado.accounts.models import Membership, User
from chamado.mail.models import Delivery
from chamado.mail.render import department_snapshot, event_snapshot
from chamado.mail.tasks import deliveries_fanout
from chamado.tickets import signals
from chamado.tickets.models import Department, Message, Ticket
from chamado.tickets.selectors import agent_list_for_departments


def _message_id_key(*, kind: str, number: int, message_id: int | None, recipient_id: int) -> str:
    return f"{kind}.{number}.{message_id or 0}.{recipient_id}"


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
    return _message_ids(kind=kind, ticket=ticket, message=message, recipients=[recipient])[
        recipient.pk
    ]


def _message_ids(
    *, kind: str, ticket: Ticket, message: Message | None, recipients: list[User]
) -> dict[int, str]:
    """Each recipient's Message-ID (see notice_message_id): one query for a notice without a
    message (the places in the series of every recipient at once), none otherwise."""
    earlier: dict[int, int] = {}
    if message is None and recipients:
        earlier = dict(
            Delivery.objects.filter(
                kind=kind, ticket=ticket, message=None, recipient__in=[r.pk for r in recipients]
            )
            .values_list("recipient")
            .annotate(count=Count("pk"))
            .values_list("recipient", "count")
        )
    found = {}
    for recipient in recipients:
        key = _message_id_key(
            kind=kind,
            number=ticket.number,
            message_id=message.pk if message else None,
            recipient_id=recipient.pk,
        )
        if earlier.get(recipient.pk):
            key += f".{earlier[recipient.pk] + 1}"
        found[recipient.pk] = f"<{key}@{settings.MESSAGE_ID_DOMAIN}>"
    return found


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


@dataclass(frozen=True)
class Notice:
    """One kind of email about one event, to the people it goes to (decided at the event)."""

    kind: str
    ticket: Ticket
    message: Message | None
    recipients: list[User]
    facts: dict[str, Any] = field(default_factory=dict)


def _wanting(notice: Notice) -> list[User]:
    choice = CHOICE_FOR_KIND.get(notice.kind)  # type: ignore[call-overload]
    return list(
        {
            user.pk: user
            for user in notice.recipients
            if user.is_active and (choice is None or getattr(user, choice))
        }.values()
    )


def notices_queue(notices: list[Notice], *, fresh: bool = False) -> list[Delivery]:
    """Create the deliveries of an event's notices (one row per recipient, in one INSERT) and
    one task that hands them to the sender (``mail.tasks.deliveries_fanout``), both in the
    caller's transaction: a rolled-back event leaves neither behind, a committed one cannot
    lose its mail (``deliveries_reclaim`` queues again any delivery whose task is gone).

    Each delivery keeps the ticket as this event left it (with the event's own facts), which
    is what its email will say however late it is sent. ``fresh``: the event's message was
    written by this very action, so no notice of it can exist yet (no look-up for them).
    Returns the deliveries created (a notice queued before is not queued again)."""
    rows: list[Delivery] = []
    for notice in notices:
        recipients = _wanting(notice)
        if not recipients:
            continue
        context = event_snapshot(notice.ticket, notice.message, **notice.facts)
        ids = _message_ids(
            kind=notice.kind, ticket=notice.ticket, message=notice.message, recipients=recipients
        )
        rows += [
            Delivery(
                kind=notice.kind,
                ticket=notice.ticket,
                message=notice.message,
                recipient=recipient,
                context=context,
                email_message_id=ids[recipient.pk],
            )
            for recipient in recipients
        ]
    if rows and not (fresh and all(row.message_id is not None for row in rows)):
        queued = set(
            Delivery.objects.filter(
                email_message_id__in=[row.email_message_id for row in rows]
            ).values_list("email_message_id", flat=True)
        )
        rows = [row for row in rows if row.email_message_id not in queued]
    if not rows:
        return []
    fanout = deliveries_fanout.enqueue([row.email_message_id for row in rows])
    for row in rows:
        row.task_id = fanout.id
    return Delivery.objects.bulk_create(rows)


def delivery_queue(
    *,
    kind: str,
    ticket: Ticket,
    message: Message | None,
    recipients: list[User],
    facts: dict[str, Any] | None = None,
) -> list[Delivery]:
    """One notice's deliveries (see notices_queue)."""
    return notices_queue([Notice(kind, ticket, message, recipients, facts or {})])


def department_agents(ticket: Ticket) -> list[User]:
    return list(agent_list_for_departments([ticket.department_id]))


def client_recipients(ticket: Ticket, *, opened: bool = False) -> list[User]:
    """The contact who opened the ticket and its followers, those who may still see it (asked
    now, at queue time: a follower whose `tickets` permission was removed gets nothing), the
    opener first, then the followers in the order they were added: one query.

    ``opened``: the ticket is being opened by its contact, in this transaction: nobody follows
    it yet, and the opener was just allowed to open it (``may_use_tickets`` in its account),
    which is what may see it means; no query."""
    contact = ticket.contact
    if opened and contact.account_id == ticket.account_id and contact.may_use_tickets:
        return [contact]
    memberships = (
        Membership.objects.filter(
            Membership.with_tickets(), account_id=ticket.account_id, user__is_active=True
        )
        .filter(Q(user_id=ticket.contact_id) | Q(user__ticket_follows__ticket=ticket))
        .select_related("user")
        .annotate(
            follow_id=Min("user__ticket_follows__pk", filter=Q(user__ticket_follows__ticket=ticket))
        )
    )
    found = sorted(memberships, key=lambda m: (m.user_id != ticket.contact_id, m.follow_id or 0))
    return [membership.user for membership in found]


def actor_name(actor: Any) -> str:
    return (getattr(actor, "full_name", "") or getattr(actor, "email", "")) if actor else ""


def _opened(ticket: Ticket, message: Message | None) -> list[Notice]:
    return [
        Notice(
            Delivery.Kind.TICKET_CONFIRMATION,
            ticket,
            message,
            client_recipients(ticket, opened=True),
        ),
        Notice(Delivery.Kind.TICKET_NEW_NOTICE, ticket, message, department_agents(ticket)),
    ]


def _client_replied(ticket: Ticket, message: Message | None) -> list[Notice]:
    if ticket.assignee:
        agents = [ticket.assignee]
    else:
        agents = [agent for agent in department_agents(ticket) if agent.notify_client_replies]
    return [Notice(Delivery.Kind.CLIENT_REPLY_NOTICE, ticket, message, agents)]


def _transferred(
    ticket: Ticket, message: Message | None, actor: Any, before: dict[str, Any]
) -> list[Notice]:
    # The receiving department's agents learn it arrived, and from where (not the agent who
    # moved it, who knows).
    facts: dict[str, Any] = {"author": actor_name(actor)}
    previous = Department.objects.filter(slug=before.get("department")).first()
    if previous is not None:
        facts["previous_department"] = department_snapshot(previous)
    agents = [
        agent for agent in department_agents(ticket) if agent.pk != getattr(actor, "pk", None)
    ]
    return [
        Notice(Delivery.Kind.TRANSFER_NOTICE, ticket, message, client_recipients(ticket)),
        Notice(Delivery.Kind.TRANSFER_AGENTS_NOTICE, ticket, message, agents, facts),
    ]


def _updated(ticket: Ticket, before: dict[str, Any], after: dict[str, Any]) -> list[Notice]:
    # The client sees the status; priority and assignee are the desk's business.
    if "status" not in before or before["status"] == after.get("status"):
        return []
    return [
        Notice(
            Delivery.Kind.STATUS_CHANGED,
            ticket,
            None,
            client_recipients(ticket),
            {"previous_status": before["status"]},
        )
    ]


def _merged(target: Ticket, before: dict[str, Any]) -> list[Notice]:
    source = (
        Ticket.objects.select_related("contact", "department", "account", "service")
        .filter(number=before.get("source", 0), merged_into=target)
        .first()
    )
    if source is None:
        return []
    return [
        Notice(
            Delivery.Kind.MERGED,
            source,
            None,
            client_recipients(source),
            {"into": target.number},
        )
    ]


def event_notices(
    *,
    event: str,
    ticket: Ticket,
    message: Message | None,
    actor: Any,
    before: dict[str, Any],
    after: dict[str, Any],
) -> list[Notice]:
    """The emails one ticket event makes, each with its recipients as they are now."""
    if event == signals.OPENED:
        return _opened(ticket, message)
    if event == signals.CLIENT_REPLIED:
        return _client_replied(ticket, message)
    if event == signals.TRANSFERRED:
        return _transferred(ticket, message, actor, before)
    if event == signals.UPDATED:
        return _updated(ticket, before, after)
    if event == signals.MERGED:
        return _merged(ticket, before)
    if event == signals.AUTO_CLOSED:
        return [Notice(Delivery.Kind.AUTO_CLOSED, ticket, None, client_recipients(ticket))]
    if event == signals.AGENT_REPLIED and message is not None and not message.is_internal:
        return [Notice(Delivery.Kind.AGENT_REPLY, ticket, message, client_recipients(ticket))]
    return []


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
    notices = event_notices(
        event=event,
        ticket=ticket,
        message=message,
        actor=actor,
        before=before or {},
        after=after or {},
    )
    # Every event that carries a message wrote it in this action: nothing was queued for it.
    notices_queue(notices, fresh=message is not None)
