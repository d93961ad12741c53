"""Ticket events → webhook deliveries, queued in the event's own transaction (a rolled-back
action sends nothing). Internal notes and attachments never leave."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from chamado.core.cache import cache_delete, cache_get, cache_set
from chamado.hooks.models import Delivery, Endpoint, Event
from chamado.hooks.tasks import delivery_enqueue
from chamado.tickets import signals
from chamado.tickets.models import Message, Ticket

# The keys of an action's before / after that a payload tells (never ids of people).
CHANGE_KEYS = ("status", "department", "source", "into")


def events_of(
    event: str, message: Message | None, before: dict[str, Any], after: dict[str, Any]
) -> list[str]:
    """The webhook events one ticket event makes (a pure rule).

    ticket.status_changed: a status change without a message (an agent's change, the client
    closing, the auto-close); a reply's status change travels in ticket.replied. ticket.closed
    comes besides whenever the ticket became closed, whoever closed it.
    """
    found: list[str] = []
    if event == signals.OPENED:
        found.append(Event.CREATED.value)
    elif event in (signals.CLIENT_REPLIED, signals.AGENT_REPLIED):
        if message is not None and not message.is_internal:
            found.append(Event.REPLIED.value)
    elif event == signals.UPDATED:
        if "status" in before and before["status"] != after.get("status"):
            found.append(Event.STATUS_CHANGED.value)
    elif event in (signals.CLOSED, signals.AUTO_CLOSED):
        found.append(Event.STATUS_CHANGED.value)
    elif event == signals.TRANSFERRED:
        found.append(Event.TRANSFERRED.value)
    elif event == signals.MERGED:
        found.append(Event.MERGED.value)
    became_closed = (
        after.get("status") == Ticket.Status.CLOSED and before.get("status") != Ticket.Status.CLOSED
    )
    if found and event != signals.MERGED and became_closed:
        found.append(Event.CLOSED.value)
    return found


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _site_url(name: str, number: int) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=[number])


def ticket_part(ticket: Ticket) -> dict[str, Any]:
    return {
        "number": ticket.number,
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "department": ticket.department.slug,
        "account": ticket.account.name,
        "contact_email": ticket.contact.email,
        "service": ticket.service.label if ticket.service else None,
        "created_at": _iso(ticket.created_at),
        "last_activity_at": _iso(ticket.last_activity_at),
        "urls": {
            "client": _site_url("portal:ticket", ticket.number),
            "desk": _site_url("desk:ticket", ticket.number),
        },
    }


def message_part(message: Message) -> dict[str, Any]:
    author = message.author
    return {
        "body": message.body,
        "author": (author.full_name or author.email) if author else "",
        "from_agent": message.from_agent,
        "created_at": _iso(message.created_at),
    }


def payload_build(
    *,
    event: str,
    event_id: uuid.UUID,
    at: datetime,
    ticket: Ticket,
    message: Message | None,
    before: dict[str, Any],
    after: dict[str, Any],
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": str(event_id),
        "event": event,
        "created_at": _iso(at),
        "ticket": ticket_part(ticket),
    }
    if message is not None and not message.is_internal:
        payload["message"] = message_part(message)
    changes = {
        side: {key: values[key] for key in CHANGE_KEYS if key in values}
        for side, values in (("before", before), ("after", after))
    }
    if any(changes.values()):
        payload["changes"] = changes
    return payload


# The active endpoints and their events, kept in the cache (every ticket event asks, and most
# sites have none); cleared when an endpoint is saved or deleted, and short-lived besides.
ENDPOINTS_KEY = "chamado:hook-endpoints"
ENDPOINTS_SECONDS = 60


@dataclass(frozen=True)
class Subscription:
    """What a ticket event needs of an active endpoint (never its URL or secret)."""

    pk: int
    events: tuple[str, ...]

    def wants(self, event: str) -> bool:
        return event in self.events


def endpoints_active() -> list[Subscription]:
    cached = cache_get(ENDPOINTS_KEY)
    if isinstance(cached, list):
        return [Subscription(pk, tuple(events)) for pk, events in cached]
    found = [
        Subscription(pk, tuple(events or []))
        for pk, events in Endpoint.objects.filter(is_active=True).values_list("pk", "events")
    ]
    cache_set(ENDPOINTS_KEY, [(e.pk, list(e.events)) for e in found], ENDPOINTS_SECONDS)
    return found


@receiver(post_save, sender=Endpoint, dispatch_uid="chamado.hooks.endpoints_forget.save")
@receiver(post_delete, sender=Endpoint, dispatch_uid="chamado.hooks.endpoints_forget.delete")
def endpoints_forget(**kwargs: Any) -> None:
    """Now, and again once the change is committed (a request may have read the rows before)."""
    cache_delete(ENDPOINTS_KEY)
    transaction.on_commit(lambda: cache_delete(ENDPOINTS_KEY))


def deliveries_queue(
    *,
    event: str,
    ticket: Ticket,
    message: Message | None,
    before: dict[str, Any],
    after: dict[str, Any],
    endpoints: Sequence[Endpoint | Subscription],
) -> list[Delivery]:
    """One delivery per endpoint that wants ``event`` (one INSERT), each with its task, queued
    in this transaction."""
    wanting = [endpoint for endpoint in endpoints if endpoint.wants(event)]
    if not wanting:
        return []
    event_id, now = uuid.uuid4(), timezone.now()
    payload = payload_build(
        event=event,
        event_id=event_id,
        at=now,
        ticket=ticket,
        message=message,
        before=before,
        after=after,
    )
    deliveries = Delivery.objects.bulk_create(
        [
            Delivery(
                endpoint_id=endpoint.pk,
                event=event,
                event_id=event_id,
                ticket=ticket,
                payload=payload,
                next_attempt_at=now,
            )
            for endpoint in wanting
        ]
    )
    for delivery in deliveries:
        delivery_enqueue(delivery)
    return deliveries


@receiver(signals.ticket_event, dispatch_uid="chamado.hooks.events")
def on_ticket_event(
    sender: Any,
    *,
    event: str,
    ticket: Ticket,
    message: Message | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    **kwargs: Any,
) -> None:
    assert transaction.get_connection().in_atomic_block, "ticket events come from actions"
    before, after = before or {}, after or {}
    hook_events = events_of(event, message, before, after)
    if not hook_events:
        return
    endpoints = endpoints_active()
    if not endpoints:
        return
    for hook_event in hook_events:
        deliveries_queue(
            event=hook_event,
            ticket=ticket,
            message=message,
            before=before,
            after=after,
            endpoints=endpoints,
        )
