"""Which ticket events become which webhook deliveries, with what payload; nothing leaves for
an internal note or a rolled-back action."""

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from chamado.hooks.events import events_of
from chamado.hooks.models import Delivery, Endpoint, Event
from chamado.tickets import signals
from chamado.tickets.actions import (
    ticket_close,
    ticket_merge,
    ticket_reply_by_agent,
    ticket_reply_by_client,
    ticket_transfer,
    ticket_update,
)
from chamado.tickets.models import Message, Ticket
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def everything(db: None) -> Endpoint:
    return Endpoint.objects.create(
        name="Everything", url="https://hooks.example.com/in", events=Event.values
    )


def events_sent(ticket: Ticket | None = None) -> list[str]:
    deliveries = Delivery.objects.order_by("pk")
    if ticket is not None:
        deliveries = deliveries.filter(ticket=ticket)
    return list(deliveries.values_list("event", flat=True))


def test_opening_a_ticket_queues_ticket_created_with_the_ticket_and_its_message(
    everything, owner, service, support
) -> None:
    ticket = factories.open_ticket(owner, service=service, department=support)
    delivery = Delivery.objects.get()
    assert delivery.event == Event.CREATED and delivery.endpoint == everything
    assert delivery.status == Delivery.Status.PENDING and delivery.next_attempt_at is not None
    payload = delivery.payload
    assert payload["id"] == str(delivery.event_id)
    assert payload["event"] == "ticket.created"
    assert payload["ticket"]["number"] == ticket.number
    assert payload["ticket"]["subject"] == "Site is down"
    assert payload["ticket"]["status"] == "open"
    assert payload["ticket"]["priority"] == 2
    assert payload["ticket"]["department"] == "support"
    assert payload["ticket"]["account"] == "Acme Hospedagem"
    assert payload["ticket"]["contact_email"] == owner.email
    assert payload["ticket"]["service"] == "acme.com.br"
    assert payload["ticket"]["urls"]["client"].endswith(f"/tickets/{ticket.number}/")
    assert payload["ticket"]["urls"]["desk"].endswith(f"/desk/tickets/{ticket.number}/")
    assert payload["message"]["body"].startswith("The site answers 500")
    assert payload["message"]["author"] == "Ana Souza"
    assert payload["message"]["from_agent"] is False
    # The worker's task for the first attempt is queued with it.
    (task,) = DBTaskResult.objects.filter(task_path="chamado.hooks.tasks.hook_delivery_send")
    assert task.args_kwargs["args"] == [delivery.pk, 1]


def test_an_internal_note_sends_nothing_and_a_reply_sends_ticket_replied(
    everything, ticket, agent
) -> None:
    ticket_reply_by_agent(
        actor=agent, ticket=ticket, body="Internal: the disk is full.", is_internal=True
    )
    assert events_sent(ticket) == ["ticket.created"]
    assert "the disk is full" not in str(list(Delivery.objects.values_list("payload", flat=True)))

    ticket_reply_by_agent(actor=agent, ticket=ticket, body="We freed some space, please check.")
    replied = Delivery.objects.get(event=Event.REPLIED)
    assert replied.payload["message"]["body"] == "We freed some space, please check."
    assert replied.payload["message"]["author"] == "Elisa Rocha"
    assert replied.payload["message"]["from_agent"] is True
    assert replied.payload["changes"] == {
        "before": {"status": "open"},
        "after": {"status": "answered"},
    }


def test_a_client_reply_is_ticket_replied(everything, ticket, owner) -> None:
    ticket_reply_by_client(actor=owner, ticket=ticket, body="It is down again since noon.")
    assert events_sent(ticket) == ["ticket.created", "ticket.replied"]


def test_an_agent_status_change_is_status_changed_and_closing_also_closed(
    everything, ticket, agent
) -> None:
    ticket_update(actor=agent, ticket=ticket, priority=Ticket.Priority.HIGH)
    assert events_sent(ticket) == ["ticket.created"], "priority alone is no status change"
    ticket_update(actor=agent, ticket=ticket, status=Ticket.Status.ON_HOLD)
    ticket_update(actor=agent, ticket=ticket, status=Ticket.Status.CLOSED)
    assert events_sent(ticket) == [
        "ticket.created",
        "ticket.status_changed",
        "ticket.status_changed",
        "ticket.closed",
    ]
    closed = Delivery.objects.get(event=Event.CLOSED)
    assert closed.payload["changes"]["after"] == {"status": "closed"}
    assert closed.payload["ticket"]["priority"] == 3
    changed = Delivery.objects.filter(event=Event.STATUS_CHANGED).order_by("pk").last()
    assert changed is not None and closed.event_id != changed.event_id, "one id per event"


def test_the_client_closing_is_status_changed_and_closed(everything, ticket, owner) -> None:
    ticket_close(actor=owner, ticket=ticket)
    assert events_sent(ticket) == ["ticket.created", "ticket.status_changed", "ticket.closed"]


def test_transfer_and_merge(everything, ticket, owner, agent, billing) -> None:
    ticket_transfer(actor=agent, ticket=ticket, department=billing, note="Billing handles this.")
    transferred = Delivery.objects.get(event=Event.TRANSFERRED)
    assert transferred.payload["changes"] == {
        "before": {"department": "support"},
        "after": {"department": "billing"},
    }
    assert transferred.payload["message"]["body"] == "Billing handles this."

    other = factories.open_ticket(owner, service=ticket.service, department=ticket.department)
    ticket_merge(actor=agent, source=other, target=ticket)
    merged = Delivery.objects.get(event=Event.MERGED)
    assert merged.ticket == ticket
    assert merged.payload["changes"] == {
        "before": {"source": other.number},
        "after": {"into": ticket.number},
    }
    assert "message" not in merged.payload, "the merge's system note is internal"


def test_each_endpoint_gets_only_its_events_while_active(owner, service, support, agent) -> None:
    created_only = Endpoint.objects.create(
        name="New tickets", url="https://a.example.com/", events=[Event.CREATED]
    )
    Endpoint.objects.create(
        name="Off", url="https://b.example.com/", events=Event.values, is_active=False
    )
    ticket = factories.open_ticket(owner, service=service, department=support)
    ticket_reply_by_agent(actor=agent, ticket=ticket, body="Looking at it now.")
    assert list(Delivery.objects.values_list("endpoint__name", "event")) == [
        (created_only.name, "ticket.created")
    ]


def test_two_endpoints_share_the_events_id_but_not_the_delivery(owner, service, support) -> None:
    for name in ("One", "Two"):
        Endpoint.objects.create(name=name, url=f"https://{name}.example.com/", events=Event.values)
    factories.open_ticket(owner, service=service, department=support)
    first, second = Delivery.objects.order_by("pk")
    assert first.event_id == second.event_id
    assert first.payload == second.payload
    assert first.pk != second.pk


def test_a_rolled_back_action_queues_no_delivery_and_no_task(everything, owner, service) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        factories.open_ticket(owner, service=service)
        assert Delivery.objects.count() == 1
        raise RuntimeError("something after the ticket failed")
    assert not Ticket.objects.exists()
    assert not Delivery.objects.exists()
    assert not DBTaskResult.objects.filter(task_path__startswith="chamado.hooks").exists()


@pytest.mark.parametrize(
    ("event", "internal", "before", "after", "expected"),
    [
        (signals.OPENED, None, {}, {"status": "open"}, ["ticket.created"]),
        (signals.AGENT_REPLIED, True, {"status": "open"}, {"status": "open"}, []),
        (
            signals.AGENT_REPLIED,
            False,
            {"status": "open"},
            {"status": "closed"},
            ["ticket.replied", "ticket.closed"],
        ),
        (
            signals.CLIENT_REPLIED,
            False,
            {"status": "closed"},
            {"status": "customer_reply"},
            ["ticket.replied"],
        ),
        (signals.UPDATED, None, {"priority": 1}, {"priority": 3}, []),
        (
            signals.UPDATED,
            None,
            {"status": "open"},
            {"status": "on_hold"},
            ["ticket.status_changed"],
        ),
        (
            signals.AUTO_CLOSED,
            None,
            {"status": "answered"},
            {"status": "closed"},
            ["ticket.status_changed", "ticket.closed"],
        ),
        (
            signals.TRANSFERRED,
            None,
            {"department": "a"},
            {"department": "b"},
            ["ticket.transferred"],
        ),
        (signals.MERGED, None, {"source": 1}, {"into": 2}, ["ticket.merged"]),
    ],
)
def test_events_of(event, internal, before, after, expected) -> None:
    message = None if internal is None else Message(is_internal=internal, body="x")
    assert events_of(event, message, before, after) == expected
