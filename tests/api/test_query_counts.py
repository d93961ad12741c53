"""Pinned query counts of the API's lists and tickets: the same for N items as for 3N
(SPEC §8). A changed number is a decision, not noise."""

from typing import Any

import pytest

from chamado.tickets.actions import ticket_reply_by_agent, ticket_reply_by_client, ticket_update
from tests import factories

pytestmark = pytest.mark.django_db

SIZES = [3, 9]  # N and 3N

# token with its user, COUNT, the page of tickets with their departments
TICKET_LIST_QUERIES = 3
# token with its user, COUNT, the page with departments, accounts, contacts and assignees
QUEUE_QUERIES = 3
# token with its user, ticket, messages with authors, their attachments; the expected wait
# (the department's recent median first answer, computed at most once a minute) and the SLA
# targets come from the cache. Was 5 with the median read on every request.
TICKET_QUERIES = 4
# token with its user, ticket, messages with authors, their attachments
DESK_TICKET_QUERIES = 4


def png() -> Any:
    return factories.upload("screen.png", factories.png_bytes(), "image/png")


def tickets(owner: Any, agent: Any, service: Any, count: int) -> None:
    for n in range(count):
        ticket = factories.open_ticket(owner, service=service, subject=f"Ticket {n}", files=[png()])
        ticket_reply_by_agent(actor=agent, ticket=ticket, body="Answer", files=[png()])
        ticket_reply_by_client(actor=owner, ticket=ticket, body="Still happening, see this.")
        ticket_update(actor=agent, ticket=ticket, assignee=agent)


def conversation(owner: Any, agent: Any, service: Any, exchanges: int) -> Any:
    ticket = factories.open_ticket(owner, service=service, files=[png(), png()])
    for n in range(exchanges):
        ticket_reply_by_agent(actor=agent, ticket=ticket, body=f"Answer {n}", files=[png()])
        ticket_reply_by_agent(actor=agent, ticket=ticket, body=f"Note {n}", is_internal=True)
        ticket_reply_by_client(
            actor=owner, ticket=ticket, body=f"Follow-up number {n} with details.", files=[png()]
        )
    return ticket


def measured(api: Any, path: str, queries: int, django_assert_num_queries: Any) -> Any:
    api.get(path)  # the first use of a token also notes when it was used
    with django_assert_num_queries(queries):
        response = api.get(path)
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize("count", SIZES)
def test_ticket_list_query_count_does_not_grow_with_tickets(
    api_as, owner, agent, service, django_assert_num_queries, count
) -> None:
    tickets(owner, agent, service, count)
    body = measured(api_as(owner), "/tickets", TICKET_LIST_QUERIES, django_assert_num_queries)
    assert len(body["items"]) == body["count"] == count


@pytest.mark.parametrize("count", SIZES)
def test_queue_query_count_does_not_grow_with_tickets(
    api_as, owner, agent, service, django_assert_num_queries, count
) -> None:
    tickets(owner, agent, service, count)
    body = measured(api_as(agent), "/desk/queue", QUEUE_QUERIES, django_assert_num_queries)
    assert len(body["items"]) == count
    assert all(item["assignee"]["id"] == agent.pk for item in body["items"])


@pytest.mark.parametrize("count", SIZES)
def test_ticket_query_count_does_not_grow_with_messages(
    api_as, owner, agent, service, django_assert_num_queries, count
) -> None:
    ticket = conversation(owner, agent, service, count)
    path = f"/tickets/{ticket.number}"
    body = measured(api_as(owner), path, TICKET_QUERIES, django_assert_num_queries)
    assert len(body["messages"]) == 1 + 2 * count
    assert sum(len(m["attachments"]) for m in body["messages"]) == 2 + 2 * count


@pytest.mark.parametrize("count", SIZES)
def test_desk_ticket_query_count_does_not_grow_with_messages(
    api_as, owner, agent, service, django_assert_num_queries, count
) -> None:
    ticket = conversation(owner, agent, service, count)
    path = f"/desk/tickets/{ticket.number}"
    body = measured(api_as(agent), path, DESK_TICKET_QUERIES, django_assert_num_queries)
    assert len(body["messages"]) == 1 + 3 * count
