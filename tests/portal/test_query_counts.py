"""Pinned query counts: a client page runs the same queries for 3 items as for 9.

A changed number here is a decision, not noise: update it only when a page truly needs one
more query, and never let it grow with the data.
"""

import re
from typing import Any

import pytest
from django.urls import reverse

from chamado.tickets.actions import ticket_reply_by_agent, ticket_reply_by_client
from chamado.tickets.models import Ticket
from tests import factories

pytestmark = pytest.mark.django_db

SIZES = [3, 9]  # N and 3N

# user, COUNT for the pager (stopped a few pages past this one: portal.paging), the page of
# tickets with their departments; the session comes from the cache (cached_db). Was 4.
TICKET_LIST_QUERIES = 3
# user, ticket, expected wait (recent first responses, SLA target), messages with
# authors, their attachments, the account's contacts who follow or could follow it (the
# policy of the reply form comes from the cache)
TICKET_PAGE_QUERIES = 6  # was 8: the session from the cache, and one query fewer since
# user (with the account), the active tickets with their last answer (annotated:
# awaiting the client, awaiting us and recent replies come from it), services
HOME_QUERIES = 3  # was 4 with the session read from the database


def png() -> Any:
    return factories.upload("screen.png", factories.png_bytes(), "image/png")


def tickets_with_history(owner: Any, agent: Any, service: Any, count: int) -> list[Ticket]:
    tickets = []
    for n in range(count):
        ticket = factories.open_ticket(owner, service=service, subject=f"Ticket {n}", files=[png()])
        ticket_reply_by_agent(actor=agent, ticket=ticket, body="Answer", files=[png()])
        tickets.append(ticket)
    return tickets


def conversation(owner: Any, agent: Any, service: Any, exchanges: int) -> Ticket:
    ticket = factories.open_ticket(owner, service=service, files=[png(), png()])
    for n in range(exchanges):
        ticket_reply_by_agent(actor=agent, ticket=ticket, body=f"Answer {n}", files=[png()])
        ticket_reply_by_client(
            actor=owner, ticket=ticket, body=f"Follow-up number {n} with details.", files=[png()]
        )
    return ticket


@pytest.mark.parametrize("count", SIZES)
def test_ticket_list_query_count_does_not_grow_with_tickets(
    client, owner, agent, service, django_assert_num_queries, count
) -> None:
    tickets_with_history(owner, agent, service, count)
    client.force_login(owner)
    with django_assert_num_queries(TICKET_LIST_QUERIES):
        response = client.get(reverse("portal:tickets"))
    assert response.content.decode().count('class="status status-') == count


@pytest.mark.parametrize("count", SIZES)
def test_ticket_page_query_count_does_not_grow_with_messages_and_attachments(
    client, owner, agent, service, django_assert_num_queries, count
) -> None:
    ticket = conversation(owner, agent, service, count)
    client.force_login(owner)
    with django_assert_num_queries(TICKET_PAGE_QUERIES):
        response = client.get(reverse("portal:ticket", args=[ticket.number]))
    page = response.content.decode()
    assert page.count("screen.png</a>") == 2 + 2 * count
    assert page.count('class="message ') == 1 + 2 * count


@pytest.mark.parametrize("count", SIZES)
def test_home_query_count_does_not_grow_with_tickets_and_services(
    client, owner, agent, service, django_assert_num_queries, count
) -> None:
    tickets_with_history(owner, agent, service, count)
    for n in range(count):
        factories.ServiceFactory(account=owner.account, name=f"Plan {n}")
    client.force_login(owner)
    with django_assert_num_queries(HOME_QUERIES):
        response = client.get(reverse("portal:home"))
    assert response.status_code == 200


# user, the departments open to clients (the address's department and the choices), the
# account's services (the choices), the knowledge base's suggestions for the subject are
# not asked without one; the policy (attachment limits) comes from the cache. Was 7 before
# the form read each list once (a department by slug, services EXISTS, services, the two
# lists of choices again).
TICKET_FORM_QUERIES = 3


@pytest.mark.parametrize("count", SIZES)
def test_open_ticket_form_reads_each_list_once(
    client, owner, support, sales, django_assert_num_queries, count
) -> None:
    for n in range(count):
        factories.ServiceFactory(account=owner.account, name=f"Site {n}", label=f"s{n}.com.br")
    client.force_login(owner)
    client.get(reverse("portal:ticket_new", args=["support"]))  # the policy into the cache

    with django_assert_num_queries(TICKET_FORM_QUERIES):
        response = client.get(reverse("portal:ticket_new", args=["support"]))

    page = response.content.decode()
    assert page.count("s0.com.br") == 1 and f"s{count - 1}.com.br" in page
    assert re.search(rf'<option value="{support.pk}"[^>]*selected', page)
