"""The desk queue: priority first, then the moment the client started waiting;
filters; the menu's awaiting count per department."""

import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from chamado.tickets.actions import (
    ticket_close,
    ticket_reply_by_agent,
    ticket_reply_by_client,
    ticket_update,
)
from chamado.tickets.models import Ticket
from chamado.tickets.selectors import queue_for_agent
from tests import factories
from tests.clock import hours_ago

pytestmark = pytest.mark.django_db

High, Medium, Low = Ticket.Priority.HIGH, Ticket.Priority.MEDIUM, Ticket.Priority.LOW
QUEUE = reverse("desk:queue")


def waiting(owner: Any, subject: str, priority: int, hours: float, **fields: Any) -> Ticket:
    """A ticket opened through the real action, its client waiting for ``hours``."""
    ticket = factories.open_ticket(owner, subject=subject, priority=priority, **fields)
    return hours_ago(ticket, hours)


def shown(response: Any) -> list[str]:
    """The subjects of the queue's rows, in the order the page lists them."""
    assert response.status_code == 200
    numbers = [int(n) for n in re.findall(r'id="pick-(\d+)"', response.content.decode())]
    subjects = dict(Ticket.objects.filter(number__in=numbers).values_list("number", "subject"))
    return [subjects[n] for n in numbers]


def queued(agent: Any, **filters: Any) -> list[str]:
    return [t.subject for t in queue_for_agent(agent, now=timezone.now(), **filters)]


# Order ------------------------------------------------------------------------------------


def test_queue_is_ordered_by_priority_then_by_the_oldest_wait(agent_client, agent, owner):
    for subject, priority, hours in [
        ("low 10h", Low, 10),
        ("high 2h", High, 2),
        ("medium 8h", Medium, 8),
        ("high 5h", High, 5),
        ("medium 1h", Medium, 1),
        ("low 3h", Low, 3),
    ]:
        waiting(owner, subject, priority, hours)
    expected = ["high 5h", "high 2h", "medium 8h", "medium 1h", "low 10h", "low 3h"]

    assert queued(agent) == expected
    assert shown(agent_client.get(QUEUE)) == expected


def test_second_and_third_client_message_keep_queue_position(agent_client, agent, owner):
    oldest = waiting(owner, "oldest", Medium, 5)
    waiting(owner, "middle", Medium, 3)
    waiting(owner, "newest", Medium, 1)
    started = oldest.waiting_since
    assert queued(agent) == ["oldest", "middle", "newest"]

    for text in ["Any news? The site is still down.", "Still down, customers are calling."]:
        ticket_reply_by_client(actor=owner, ticket=oldest, body=text)

    oldest.refresh_from_db()
    assert oldest.messages.count() == 3
    assert oldest.waiting_since == started
    assert queued(agent) == ["oldest", "middle", "newest"]
    assert shown(agent_client.get(QUEUE)) == ["oldest", "middle", "newest"]


def test_answered_ticket_leaves_the_queue_and_returns_at_the_time_of_the_clients_reply(
    agent_client, agent, owner
):
    first = waiting(owner, "first", Medium, 5)
    waiting(owner, "second", Medium, 3)
    waiting(owner, "third", Medium, 1)

    ticket_reply_by_agent(actor=agent, ticket=first, body="Please clear the cache and retry.")
    assert shown(agent_client.get(QUEUE)) == ["second", "third"]

    reply = ticket_reply_by_client(
        actor=owner, ticket=first, body="Cleared it, still broken."
    ).message
    waiting(owner, "opened after the reply", Medium, 0)

    first.refresh_from_db()
    assert first.status == Ticket.Status.CUSTOMER_REPLY
    assert first.waiting_since == reply.created_at
    expected = ["second", "third", "first", "opened after the reply"]
    assert queued(agent) == expected
    assert shown(agent_client.get(QUEUE)) == expected


# Filters ----------------------------------------------------------------------------------


@pytest.fixture
def board(owner, service, support, sales, billing, agent, colleague) -> dict[str, Ticket]:
    """One ticket per situation; the agent works Support and Sales, not Billing."""
    sales.agents.add(agent)
    tickets = {
        "high, mine": waiting(owner, "high, mine", High, 1),
        "answered": waiting(owner, "answered", Medium, 2),
        "on hold": waiting(owner, "on hold", Low, 2),
        "sales": waiting(owner, "sales", Medium, 0, department=sales),
        "near breach": waiting(owner, "near breach", Medium, 20),
        "past breach": waiting(owner, "past breach", Medium, 30),
        "closed": waiting(owner, "closed", Medium, 4),
        "billing": waiting(owner, "billing", Medium, 40, department=billing),
    }
    ticket_update(actor=agent, ticket=tickets["high, mine"], assignee=agent)
    ticket_update(actor=agent, ticket=tickets["past breach"], assignee=colleague)
    ticket_reply_by_agent(actor=agent, ticket=tickets["answered"], body="Fixed, please check.")
    ticket_update(actor=agent, ticket=tickets["on hold"], status=Ticket.Status.ON_HOLD)
    ticket_close(actor=owner, ticket=tickets["closed"])
    return tickets


VISIBLE = {"high, mine", "answered", "on hold", "sales", "near breach", "past breach", "closed"}
AWAITING = ["high, mine", "past breach", "near breach", "sales"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, AWAITING),
        ({"status": "awaiting"}, AWAITING),
        ({"status": "answered"}, ["answered"]),
        ({"status": "on_hold"}, ["on hold"]),
        ({"status": "closed"}, ["closed"]),
        ({"status": "active"}, VISIBLE - {"closed"}),
        ({"status": "all"}, VISIBLE),
        ({"priority": High}, ["high, mine"]),
        ({"priority": Low, "status": "all"}, ["on hold"]),
        ({"assignee": "me"}, ["high, mine"]),
        ({"assignee": "nobody"}, ["near breach", "sales"]),
        ({"assignee": "anyone"}, AWAITING),
        ({"department": "sales"}, ["sales"]),
        ({"department": "support"}, ["high, mine", "past breach", "near breach"]),
        ({"breach": "near"}, ["near breach"]),
        ({"breach": "breached"}, ["past breach"]),
        ({"breach": "near_or_breached"}, ["past breach", "near breach"]),
        ({"breach": "breached", "assignee": "nobody"}, []),
    ],
    ids=lambda value: (
        ("&".join(f"{k}={v}" for k, v in value.items()) or "default")
        if isinstance(value, dict)
        else ""
    ),
)
def test_queue_filters(agent_client, board, sales, support, query, expected) -> None:
    departments = {"sales": sales.pk, "support": support.pk}
    if "department" in query:
        query = {**query, "department": departments[query["department"]]}

    rows = shown(agent_client.get(QUEUE, query))

    if isinstance(expected, set):
        assert set(rows) == expected and len(rows) == len(expected)
    else:
        assert rows == expected


def test_department_filter_of_another_department_reveals_nothing(agent_client, board, billing):
    rows = shown(agent_client.get(QUEUE, {"department": billing.pk, "status": "all"}))
    assert "billing" not in rows


def test_billing_agent_queue_holds_only_billing(client, board, billing_agent) -> None:
    client.force_login(billing_agent)
    assert shown(client.get(QUEUE, {"status": "all"})) == ["billing"]


def test_sla_column_says_time_left_and_time_over(agent_client, board) -> None:
    page = agent_client.get(QUEUE).content.decode()
    assert re.search(r'class="sla sla-breached">\s*6 h 0\d min over', page)
    assert re.search(r'class="sla sla-near">\s*[34] h \d\d min left', page)


# Menu counts ------------------------------------------------------------------------------


def menu(response: Any) -> dict[str, int]:
    return {q["department"].slug: q["count"] for q in response.context["desk_queues"]}


def test_menu_counts_awaiting_tickets_per_department(agent_client, board) -> None:
    response = agent_client.get(QUEUE, {"status": "closed"})  # filters do not change the menu
    assert menu(response) == {"support": 3, "sales": 1}
    assert response.context["desk_total"] == 4
    page = response.content.decode()
    assert 'aria-label="3 tickets awaiting">3</span>' in page
    assert 'aria-label="1 ticket awaiting">1</span>' in page


def test_menu_counts_follow_the_agents_departments(client, board, billing_agent, admin) -> None:
    client.force_login(billing_agent)
    assert menu(client.get(QUEUE)) == {"billing": 1}
    client.force_login(admin)
    assert menu(client.get(QUEUE)) == {"support": 3, "sales": 1, "billing": 1}


def test_menu_count_drops_when_a_ticket_is_answered(agent_client, agent, board) -> None:
    ticket_reply_by_agent(actor=agent, ticket=board["near breach"], body="On it, fixed now.")
    assert menu(agent_client.get(QUEUE)) == {"support": 2, "sales": 1}
