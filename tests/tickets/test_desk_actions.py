"""The actions behind the desk: update, transfer, merge, auto-close, and the
flood guard that keeps a waiting client's extra messages in check."""

import html
import re
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from chamado.core.errors import ApplicationError
from chamado.core.models import AuditEvent
from chamado.mail.models import Delivery
from chamado.tickets.actions import (
    ticket_autoclose_due,
    ticket_close,
    ticket_merge,
    ticket_reply_by_agent,
    ticket_reply_by_client,
    ticket_transfer,
    ticket_update,
)
from chamado.tickets.models import Message, Policy, Ticket
from tests import factories
from tests.clock import hours_ago

pytestmark = pytest.mark.django_db

Status = Ticket.Status
H = timedelta(hours=1)


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def audits(verb: str) -> int:
    return AuditEvent.objects.filter(verb=verb).count()


# Update -----------------------------------------------------------------------------------


def test_update_refuses_an_assignee_outside_the_department(ticket, agent) -> None:
    billing_agent = factories.AgentFactory()
    factories.department("billing").agents.add(billing_agent)
    client_user = ticket.contact
    for wrong in (billing_agent, client_user):
        with pytest.raises(ApplicationError) as refused:
            ticket_update(actor=agent, ticket=ticket, assignee=wrong, priority=3)
        assert refused.value.field == "assignee"
    assert (fresh(ticket).assignee, fresh(ticket).priority) == (None, Ticket.Priority.MEDIUM)
    assert audits("ticket.update") == 0


def test_update_that_changes_nothing_writes_nothing(ticket, agent) -> None:
    before = fresh(ticket).last_activity_at
    ticket_update(actor=agent, ticket=ticket, status=Status.OPEN, priority=ticket.priority)
    assert fresh(ticket).last_activity_at == before
    assert audits("ticket.update") == 0


def test_putting_an_answered_ticket_back_in_progress_starts_the_clock(ticket, agent) -> None:
    ticket_reply_by_agent(actor=agent, ticket=ticket, body="We will look into it.")
    assert fresh(ticket).waiting_since is None
    ticket_update(actor=agent, ticket=ticket, status=Status.IN_PROGRESS)
    updated = fresh(ticket)
    assert updated.waiting_since is not None and updated.response_due_at is not None
    ticket_update(actor=agent, ticket=ticket, status=Status.ON_HOLD)
    assert (fresh(ticket).waiting_since, fresh(ticket).response_due_at) == (None, None)


# Transfer ---------------------------------------------------------------------------------


def test_transfer_to_the_same_department_does_nothing(ticket, agent, support) -> None:
    ticket_transfer(actor=agent, ticket=ticket, department=support, note="Staying here.")
    assert ticket.messages.count() == 1
    assert not Delivery.objects.filter(kind=Delivery.Kind.TRANSFER_NOTICE).exists()
    assert audits("ticket.transfer") == 0


def test_transfer_note_is_a_message_to_the_client(ticket, agent, owner) -> None:
    billing = factories.department("billing")
    ticket_transfer(actor=agent, ticket=ticket, department=billing, note="Billing will help.")
    note = Message.objects.get(ticket=ticket, from_agent=True)
    assert not note.is_internal and note.body == "Billing will help."
    assert fresh(ticket).first_response_at is None  # a hand-over is not an answer
    notice = Delivery.objects.get(kind=Delivery.Kind.TRANSFER_NOTICE)
    assert (notice.recipient, notice.message) == (owner, note)


# Merge ------------------------------------------------------------------------------------


def test_merge_of_different_accounts_is_refused(ticket, agent, other_owner) -> None:
    foreign = factories.open_ticket(other_owner)
    with pytest.raises(ApplicationError, match="same client account"):
        ticket_merge(actor=agent, source=foreign, target=ticket)
    assert foreign.messages.count() == 1 and fresh(foreign).merged_into is None


def test_a_merged_ticket_cannot_be_merged_again(ticket, agent, owner, service) -> None:
    second = factories.open_ticket(owner, service=service)
    third = factories.open_ticket(owner, service=service)
    ticket_merge(actor=agent, source=second, target=ticket)
    with pytest.raises(ApplicationError, match="already merged"):
        ticket_merge(actor=agent, source=second, target=third)
    with pytest.raises(ApplicationError, match="already merged"):
        ticket_merge(actor=agent, source=third, target=second)


def test_merge_keeps_the_longest_wait_and_the_earliest_first_response(
    ticket, agent, owner, service
) -> None:
    """The target was answered; the source still waits, since earlier: the merged ticket
    waits again, from the source's start."""
    ticket_reply_by_agent(actor=agent, ticket=ticket, body="Answered this one.")
    source = hours_ago(factories.open_ticket(owner, service=service, subject="Older"), 5)
    answered_at = fresh(ticket).first_response_at

    target = ticket_merge(actor=agent, source=source, target=ticket).ticket

    assert target.status == Status.CUSTOMER_REPLY
    assert target.waiting_since == source.waiting_since
    assert target.first_response_at == answered_at
    assert target.response_due_at == source.waiting_since + 24 * H
    assert fresh(source).status == Status.CLOSED and fresh(source).waiting_since is None
    assert audits("ticket.merge") == 1


# Auto-close -------------------------------------------------------------------------------


@pytest.fixture
def answered(ticket, agent) -> Ticket:
    ticket_reply_by_agent(actor=agent, ticket=ticket, body="Fixed; tell us if it fails again.")
    return fresh(ticket)


def auto_closed_mail() -> list[Any]:
    return list(Delivery.objects.filter(kind=Delivery.Kind.AUTO_CLOSED))


def test_answered_ticket_closes_after_72_hours_without_client_reply(answered, owner) -> None:
    since = answered.last_activity_at
    assert ticket_autoclose_due(now=since + 71 * H) == 0
    assert fresh(answered).status == Status.ANSWERED

    now = since + 72 * H + timedelta(minutes=1)
    assert ticket_autoclose_due(now=now) == 1

    closed = fresh(answered)
    assert (closed.status, closed.closed_at) == (Status.CLOSED, now)
    (mail,) = auto_closed_mail()
    assert mail.recipient == owner
    event = AuditEvent.objects.get(verb="ticket.autoclose")
    assert event.actor is None and event.after == {"status": "closed"}


def test_autoclose_hours_come_from_the_policy(answered) -> None:
    policy = Policy.current()
    policy.autoclose_hours = 24
    policy.save()
    since = answered.last_activity_at
    assert ticket_autoclose_due(now=since + 23 * H) == 0
    assert ticket_autoclose_due(now=since + 25 * H) == 1


def test_autoclose_twice_closes_nothing_more(answered) -> None:
    now = answered.last_activity_at + 100 * H
    assert ticket_autoclose_due(now=now) == 1
    assert ticket_autoclose_due(now=now) == 0
    assert ticket_autoclose_due(now=now + 100 * H) == 0
    assert len(auto_closed_mail()) == 1
    assert audits("ticket.autoclose") == 1


def test_autoclose_leaves_every_other_status_alone(owner, agent, service) -> None:
    def opened(subject: str) -> Ticket:
        return factories.open_ticket(owner, service=service, subject=subject)

    tickets = {status: opened(status) for status in Status.values}
    ticket_reply_by_agent(actor=agent, ticket=tickets[Status.ANSWERED], body="Try now, please.")
    reply_to = tickets[Status.CUSTOMER_REPLY]
    ticket_reply_by_agent(actor=agent, ticket=reply_to, body="Which page?")
    ticket_reply_by_client(actor=owner, ticket=reply_to, body="The checkout page, always.")
    for status in (Status.ON_HOLD, Status.IN_PROGRESS):
        ticket_update(actor=agent, ticket=tickets[status], status=status)
    ticket_close(actor=owner, ticket=tickets[Status.CLOSED])
    assert {fresh(t).status for t in tickets.values()} == set(Status.values)

    assert ticket_autoclose_due(now=timezone.now() + 1000 * H) == 1

    assert fresh(tickets[Status.ANSWERED]).status == Status.CLOSED
    for status in (Status.OPEN, Status.CUSTOMER_REPLY, Status.ON_HOLD, Status.IN_PROGRESS):
        assert fresh(tickets[status]).status == status
    assert len(auto_closed_mail()) == 1


def test_client_reply_stops_the_autoclose(answered, owner) -> None:
    ticket_reply_by_client(actor=owner, ticket=answered, body="It failed again this morning.")
    assert ticket_autoclose_due(now=timezone.now() + 100 * H) == 0
    assert fresh(answered).status == Status.CUSTOMER_REPLY


def test_internal_note_does_not_postpone_the_autoclose(answered, agent) -> None:
    hours_ago(answered, 50)
    ticket_reply_by_agent(
        actor=agent, ticket=answered, body="Client is on holiday.", is_internal=True
    )
    assert ticket_autoclose_due(now=timezone.now() + 23 * H) == 1


# Flood guard ------------------------------------------------------------------------------

FLOOD_TEXT = "Sorry to insist, but is anybody looking at this? It is urgent."


def messages_in_a_row(ticket: Ticket, owner: Any, count: int) -> None:
    for n in range(count):
        ticket_reply_by_client(actor=owner, ticket=ticket, body=f"Detail number {n} about it.")


def test_more_than_five_client_messages_in_ten_minutes_are_refused(ticket, owner) -> None:
    messages_in_a_row(ticket, owner, 4)  # with the opening message: five

    with pytest.raises(ApplicationError) as refused:
        ticket_reply_by_client(actor=owner, ticket=ticket, body=FLOOD_TEXT)

    assert refused.value.message == (
        "You have sent 5 messages in the last 10 minutes. Your ticket keeps its place in the "
        "queue; please wait for our answer before writing again."
    )
    assert ticket.messages.count() == 5


def test_flood_refusal_on_the_portal_keeps_the_text(client, ticket, owner) -> None:
    messages_in_a_row(ticket, owner, 4)
    client.force_login(owner)

    response = client.post(reverse("portal:ticket", args=[ticket.number]), {"message": FLOOD_TEXT})

    assert response.status_code == 429  # a rate limit: the text is kept
    page = html.unescape(response.content.decode())
    assert "You have sent 5 messages in the last 10 minutes." in page
    assert re.search(rf">\s*{re.escape(FLOOD_TEXT)}</textarea>", page)
    assert ticket.messages.count() == 5
