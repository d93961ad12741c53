"""Pinned query counts: a desk page runs the same queries for N items as for 3N.

A changed number here is a decision, not noise: update it only when a page truly needs one
more query, and never let it grow with the data.
"""

import re
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from chamado.tickets.actions import (
    ticket_reply_by_agent,
    ticket_reply_by_client,
    ticket_transfer,
    ticket_update,
)
from chamado.tickets.followers import ticket_follower_add, ticket_follower_remove
from chamado.tickets.models import CannedReply, Ticket
from tests import factories

pytestmark = pytest.mark.django_db

SIZES = [3, 9]  # N and 3N

# user, the page of tickets (chosen among the tickets alone by its keyset, then read with
# account and assignee: one query), every department with whether it is the agent's (the menu,
# the filter, the rows' department names and the bulk form share it), the bulk form's agents,
# the menu's awaiting counts. Was 9 before issue 11, 7 before issue 13 (the session, now read
# from the cache, and the pager's COUNT: pages are keyset, Previous/Next, no count).
QUEUE_QUERIES = 5
# the same: the chosen department is checked against that list, not the database (was 10)
FILTERED_QUEUE_QUERIES = 5
# sorted by a column: the same queries, ordered otherwise
SORTED_QUEUE_QUERIES = 5
# desk.js's refresh of the rows: user, the departments (to check the filter and name the rows'
# departments), the page of tickets; no menu (was 5: the session and the COUNT)
QUEUE_ROWS_QUERIES = 3
# user, ticket (with department, service, contact, account, assignee), messages with
# authors, their attachments, the ticket's audit events with who made them (the timeline),
# the agents who may take it and whoever else the timeline names, every department (the
# transfer form, the timeline's names and the menu), canned replies, the account's other
# tickets, contacts, services, the menu's awaiting counts. 13 before issue 11 too: the
# timeline's one query is paid by the departments read once instead of twice; 12 with the
# session read from the cache.
TICKET_PAGE_QUERIES = 12
# the same page again: the canned replies come from the cache (kept since every desk ticket
# page offers them; cleared when one is saved or deleted)
TICKET_PAGE_WARM_QUERIES = 11
# user, the matches' pks up to the page (no COUNT: was 6 with it), the page's rows with their
# snippets, the menu's departments and counts; on PostgreSQL the pks are read in a transaction
# that sets the planner (BEGIN, set_config, COMMIT), and each window of recent tickets it
# widens to adds one (one here: fewer tickets than the first window). Where the window starts
# is cached; reading it is one more query every few minutes.
SEARCH_QUERIES = 8 if connection.vendor == "postgresql" else 5


def png() -> Any:
    return factories.upload("screen.png", factories.png_bytes(), "image/png")


@pytest.fixture
def sales_too(agent: Any, support: Any) -> Any:
    sales = factories.department("sales")
    sales.agents.add(agent)
    return sales


def queue_of(count: int, agent: Any, colleague: Any, sales: Any) -> None:
    """``count`` awaiting tickets from as many accounts, half assigned, in two departments."""
    for n in range(count):
        client = factories.OwnerFactory()
        department = sales if n % 2 else factories.department("support")
        ticket = factories.open_ticket(
            client, department=department, subject=f"Queue {n}", files=[png()]
        )
        if department.slug == "support":
            ticket_update(actor=agent, ticket=ticket, assignee=[agent, colleague][n % 4 // 2])


def conversation(owner: Any, agent: Any, service: Any, exchanges: int) -> Ticket:
    ticket = factories.open_ticket(owner, service=service, files=[png(), png()])
    for n in range(exchanges):
        ticket_reply_by_agent(actor=agent, ticket=ticket, body=f"Answer {n}", files=[png()])
        ticket_reply_by_agent(
            actor=agent, ticket=ticket, body=f"Note {n}", files=[png()], is_internal=True
        )
        ticket_reply_by_client(
            actor=owner, ticket=ticket, body=f"Follow-up number {n} with details.", files=[png()]
        )
    ticket_update(actor=agent, ticket=ticket, assignee=agent)
    return ticket


def account_extras(owner: Any, service: Any, support: Any, count: int) -> None:
    """More of everything the ticket page's side panel lists."""
    for n in range(count):
        factories.ServiceFactory(account=owner.account, name=f"Plan {n}")
        factories.ContactFactory(account=owner.account, can_tickets=True)
        factories.open_ticket(owner, service=service, subject=f"Other {n}")
        CannedReply.objects.create(
            title=f"Canned {n}", body="Hello {client_name}", department=support
        )
        factories.department("support").agents.add(factories.AgentFactory())


@pytest.mark.parametrize("count", SIZES)
def test_queue_query_count_does_not_grow_with_tickets(
    client, agent, colleague, sales_too, django_assert_num_queries, count
) -> None:
    queue_of(count, agent, colleague, sales_too)
    client.force_login(agent)
    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(reverse("desk:queue"))
    assert response.content.decode().count('class="queue-row"') == count


@pytest.mark.parametrize("count", SIZES)
def test_filtered_queue_query_count_is_the_same(
    client, agent, colleague, sales_too, django_assert_num_queries, count
) -> None:
    queue_of(count, agent, colleague, sales_too)
    client.force_login(agent)
    query = {"department": sales_too.pk, "assignee": "nobody", "breach": "", "status": "all"}
    with django_assert_num_queries(FILTERED_QUEUE_QUERIES):
        response = client.get(reverse("desk:queue"), query)
    assert response.content.decode().count('class="queue-row"') == count // 2  # the Sales ones


@pytest.mark.parametrize("count", SIZES)
def test_ticket_page_query_count_does_not_grow_with_messages_and_attachments(
    client, owner, agent, service, support, django_assert_num_queries, count
) -> None:
    ticket = conversation(owner, agent, service, count)
    account_extras(owner, service, support, count)
    client.force_login(agent)
    with django_assert_num_queries(TICKET_PAGE_QUERIES):
        response = client.get(reverse("desk:ticket", args=[ticket.number]))
    page = response.content.decode()
    assert page.count("screen.png</a>") == 2 + 3 * count
    assert page.count('<li class="message ') == 1 + 3 * count
    assert len(re.findall(r">Canned \d+</option>", page)) == count

    with django_assert_num_queries(TICKET_PAGE_WARM_QUERIES):
        again = client.get(reverse("desk:ticket", args=[ticket.number])).content.decode()
    assert len(re.findall(r">Canned \d+</option>", again)) == count


def test_a_changed_canned_reply_is_offered_at_once(client, owner, agent, support) -> None:
    ticket = factories.open_ticket(owner, department=support)
    kept = CannedReply.objects.create(title="Kept", body="Hi {client_name}", department=None)
    renamed = CannedReply.objects.create(title="Old name", body="Hello", department=support)
    gone = CannedReply.objects.create(title="Removed", body="Bye", department=support)
    client.force_login(agent)
    url = reverse("desk:ticket", args=[ticket.number])
    page = client.get(url).content.decode()
    assert all(f">{title}<" in page for title in ("Kept", "Old name", "Removed"))

    renamed.title = "New name"
    renamed.save()
    gone.delete()
    CannedReply.objects.create(
        title="Sales only", body="Offer", department=factories.department("sales")
    )
    page = client.get(url).content.decode()
    assert ">New name<" in page and ">Kept<" in page
    assert ">Old name<" not in page and ">Removed<" not in page and ">Sales only<" not in page
    assert kept.pk


@pytest.mark.parametrize("count", SIZES)
def test_search_query_count_does_not_grow_with_results(
    client, owner, agent, service, django_assert_num_queries, count
) -> None:
    for n in range(count):
        factories.open_ticket(owner, service=service, subject=f"Invoice {n}")
    client.force_login(agent)
    client.get(reverse("desk:search"), {"q": "invoice"})  # the window's start cached
    with django_assert_num_queries(SEARCH_QUERIES):
        response = client.get(reverse("desk:search"), {"q": "invoice"})
    assert response.content.decode().count('<p class="snippet">') == count


@pytest.mark.parametrize("count", SIZES)
@pytest.mark.parametrize("sort", ["subject", "-client", "status", "-sla", "waiting", "priority"])
def test_sorted_queue_query_count_is_the_same(
    client, agent, colleague, sales_too, django_assert_num_queries, count, sort
) -> None:
    queue_of(count, agent, colleague, sales_too)
    client.force_login(agent)
    with django_assert_num_queries(SORTED_QUEUE_QUERIES):
        response = client.get(reverse("desk:queue"), {"sort": sort})
    assert response.content.decode().count('class="queue-row"') == count


@pytest.mark.parametrize("count", SIZES)
def test_queue_rows_refresh_query_count(
    client, agent, colleague, sales_too, django_assert_num_queries, count
) -> None:
    queue_of(count, agent, colleague, sales_too)
    client.force_login(agent)
    with django_assert_num_queries(QUEUE_ROWS_QUERIES):
        response = client.get(reverse("desk:queue"), {"fragment": "rows", "sort": "number"})
    assert response.content.decode().count('class="queue-row"') == count


@pytest.mark.parametrize("count", SIZES)
def test_ticket_page_query_count_does_not_grow_with_its_changes(
    client, owner, agent, colleague, service, support, sales, django_assert_num_queries, count
) -> None:
    """Every kind of change in the timeline (status, priority, assignees, a transfer there and
    back, followers), ``count`` times over: the same queries."""
    ticket = conversation(owner, agent, service, 1)
    sales.agents.add(agent)
    follower = factories.ContactFactory(account=owner.account, can_tickets=True)
    former = factories.AgentFactory(full_name="Former Agent")
    support.agents.add(former)
    for n in range(count):
        ticket_update(actor=agent, ticket=ticket, priority=[1, 3][n % 2], assignee=former)
        ticket_update(actor=agent, ticket=ticket, status="on_hold", assignee=colleague)
        ticket_update(actor=agent, ticket=ticket, status="in_progress")
        ticket_transfer(actor=agent, ticket=ticket, department=sales)
        ticket_transfer(actor=agent, ticket=ticket, department=support)
        ticket_follower_add(actor=owner, ticket=ticket, user=follower)
        ticket_follower_remove(actor=owner, ticket=ticket, user=follower)
    support.agents.remove(former)  # no longer offered, still named in the timeline
    client.force_login(agent)
    with django_assert_num_queries(TICKET_PAGE_QUERIES):
        response = client.get(reverse("desk:ticket", args=[ticket.number]))
    page = response.content.decode()
    assert page.count('<li class="desk-change"') == 1 + 7 * count
    assert page.count("Former Agent") >= count


@pytest.mark.parametrize("count", SIZES)
def test_a_deep_queue_page_costs_what_the_first_does(
    client, agent, colleague, sales_too, django_assert_num_queries, monkeypatch, count
) -> None:
    """Keyset pages: the last page of N or 3N tickets, reached by Next, runs the first page's
    queries (no COUNT, no OFFSET)."""
    from chamado.desk import views

    monkeypatch.setattr(views, "QUEUE_PAGE_SIZE", 2)
    queue_of(count, agent, colleague, sales_too)
    client.force_login(agent)
    url, seen = reverse("desk:queue"), 0
    while url:
        with django_assert_num_queries(QUEUE_QUERIES):
            response = client.get(url)
        page = response.content.decode()
        seen += page.count('class="queue-row"')
        link = re.search(r'<a href="([^"]*)" rel="next">', page)
        url = reverse("desk:queue") + link.group(1).replace("&amp;", "&") if link else ""
    assert seen == count
