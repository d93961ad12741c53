"""A ticket's timeline: its changes (status, priority, assignee, department, merges,
followers) from the audit events, between its messages by time, each in words in the
reader's language; built with a constant number of queries."""

import html
import re
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from chamado.core.models import AuditEvent
from chamado.tickets.actions import (
    ticket_merge,
    ticket_reply_by_agent,
    ticket_reply_by_client,
    ticket_transfer,
    ticket_update,
)
from chamado.tickets.followers import ticket_follower_add
from chamado.tickets.models import Message, Ticket
from chamado.tickets.selectors import ticket_timeline
from tests import factories

pytestmark = pytest.mark.django_db

TIMELINE_QUERIES = 3  # messages with authors, their attachments, the events with their actors


def page_of(client: Any, ticket: Ticket) -> str:
    response = client.get(reverse("desk:ticket", args=[ticket.number]))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def timeline(page: str) -> list[str]:
    """The timeline's entries in order, as text: messages by their first words, changes by
    their lines."""
    section = page.split('<ol class="conversation desk-timeline">')[1].split("</ol>\n")[0]
    entries = []
    for item in re.findall(
        r'<li class="(message[^"]*|desk-change)"[^>]*>(.*?)\n    </li>', section, re.S
    ):
        kind, body = item
        if kind == "desk-change":
            who_what = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", body.split("·")[0])).strip()
            lines = re.findall(r"<li>(.*?)</li>", body)
            entries.append(" | ".join([who_what, *lines]))
        else:
            text = re.search(r'<div class="body"><p>(.*?)</p>', body, re.S)
            entries.append("message: " + (text.group(1)[:20] if text else ""))
    return entries


def spread(ticket: Ticket) -> None:
    """One minute between each message and event, in the order they were made."""
    start = timezone.now() - timedelta(hours=2)
    rows: list[Any] = [*Message.objects.filter(ticket=ticket), *events_of(ticket)]
    rows.sort(key=lambda row: (row.created_at, isinstance(row, AuditEvent), row.pk))
    for n, row in enumerate(rows):
        type(row).objects.filter(pk=row.pk).update(created_at=start + timedelta(minutes=n))


def events_of(ticket: Ticket) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type="tickets.ticket", object_id=str(ticket.pk)))


@pytest.fixture
def story(owner, agent, colleague, sales, ticket) -> Ticket:
    sales.agents.add(agent)
    ticket_update(actor=agent, ticket=ticket, priority=Ticket.Priority.HIGH)
    ticket_update(actor=agent, ticket=ticket, assignee=colleague)
    ticket_reply_by_agent(actor=agent, ticket=ticket, body="Restarted PHP, please check it.")
    ticket_reply_by_client(actor=owner, ticket=ticket, body="Still down, sorry to say.")
    ticket_update(actor=agent, ticket=ticket, status="on_hold", assignee=agent)
    ticket_reply_by_agent(
        actor=agent, ticket=ticket, body="Internal: waiting for the DC.", is_internal=True
    )
    ticket_transfer(actor=agent, ticket=ticket, department=sales)
    ticket_update(actor=agent, ticket=ticket, assignee=None, priority=Ticket.Priority.LOW)
    spread(ticket)
    return ticket


def test_changes_are_interleaved_with_messages_by_time(agent_client, story) -> None:
    assert timeline(page_of(agent_client, story)) == [
        "message: The site answers 500",
        "Elisa Rocha changed the ticket | Priority: Medium → High",
        "Elisa Rocha changed the ticket | Assigned to Marcos Pereira",
        "message: Restarted PHP, pleas",
        "message: Still down, sorry to",
        "Elisa Rocha changed the ticket | Status: Customer-Reply → On Hold"
        " | Assignee: Marcos Pereira → Elisa Rocha",
        "message: Internal: waiting fo",
        "Elisa Rocha transferred the ticket | Transferred from Support to Sales",
        "Elisa Rocha changed the ticket | Priority: High → Low | Assignee: Elisa Rocha → Nobody",
    ]


def test_a_message_shows_the_status_it_moved_the_ticket_to(agent_client, story) -> None:
    page = page_of(agent_client, story)
    reply = page.split("Restarted PHP")[0].rsplit('<li class="message', 1)[1]
    assert '<span class="desk-moved">Status: Open → Answered</span>' in reply
    client_reply = page.split("Still down")[0].rsplit('<li class="message', 1)[1]
    assert "Status: Answered → Customer-Reply" in client_reply
    note = page.split("Internal: waiting")[0].rsplit('<li class="message', 1)[1]
    assert "desk-moved" not in note  # a note leaves the status as it is


def test_the_timeline_reads_in_the_readers_language(agent_client, agent, story) -> None:
    agent_client.cookies["django_language"] = "pt-br"
    page = page_of(agent_client, story)
    assert "Prioridade: Média → Alta" in page
    assert "Suporte" in page and "Comercial" in page
    assert "Status: Resposta do Cliente → Em Espera" in page


def test_follows_and_merges_are_in_the_timeline(agent_client, agent, owner, contact, ticket):
    other = factories.open_ticket(owner, subject="Same problem, second ticket")
    ticket_follower_add(actor=owner, ticket=ticket, user=contact)
    ticket_merge(actor=agent, source=other, target=ticket)
    text = " / ".join(timeline(page_of(agent_client, ticket)))
    assert "Ana Souza added a follower | Bruno Lima now follows the ticket" in text
    assert (
        f"Elisa Rocha merged tickets | Ticket #{other.number} merged into #{ticket.number}" in text
    )


def test_no_ids_nor_raw_values_in_the_timeline(agent_client, story) -> None:
    page = page_of(agent_client, story)
    section = page.split('<ol class="conversation desk-timeline">')[1].split("</ol>\n")[0]
    for raw in ("{", "}", "'status'", '"assignee"', "on_hold", "customer_reply", "sales"):
        assert raw not in section, raw


def test_a_former_agent_is_still_named(agent_client, agent, support, ticket) -> None:
    gone = factories.AgentFactory(full_name="Gone Agent")
    support.agents.add(gone)
    ticket_update(actor=agent, ticket=ticket, assignee=gone)
    ticket_update(actor=agent, ticket=ticket, assignee=agent)
    support.agents.remove(gone)
    page = page_of(agent_client, ticket)
    assert "Assignee: Gone Agent → Elisa Rocha" in page
    assert ">Gone Agent</option>" not in page  # named, no longer offered


def test_the_selector_reads_three_queries_however_long_the_story(
    story, agent, django_assert_num_queries
) -> None:
    for _ in range(5):
        ticket_update(actor=agent, ticket=story, priority=Ticket.Priority.HIGH)
        ticket_update(actor=agent, ticket=story, priority=Ticket.Priority.LOW)
    with django_assert_num_queries(TIMELINE_QUERIES):
        found = ticket_timeline(story)
    assert len([e for e in found.entries if e.event]) == 5 + 10
    assert len(found.messages) == 4
    assert found.department_slugs == {"support", "sales"}


def test_the_timeline_holds_only_this_tickets_events(agent_client, agent, owner, ticket):
    other = factories.open_ticket(owner, subject="Another ticket")
    ticket_update(actor=agent, ticket=other, priority=Ticket.Priority.HIGH)
    assert "Priority: Medium → High" not in page_of(agent_client, ticket)
