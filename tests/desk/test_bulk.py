"""Bulk changes and "Assign to me": every value starts at "keep", nothing changes unless it
was chosen, and a form that chose nothing (or not what its action needs) says so; the action
counts only the tickets it really changed."""

import html
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from chamado.core.models import AuditEvent
from chamado.tickets.actions import ticket_bulk_update, ticket_update
from chamado.tickets.models import Ticket
from tests import factories

pytestmark = pytest.mark.django_db

QUEUE = reverse("desk:queue")


@pytest.fixture
def three(owner, service) -> list[Ticket]:
    return [factories.open_ticket(owner, service=service, subject=f"Bulk {n}") for n in range(3)]


def bulk(client: Client, tickets: list[Ticket], **data: Any) -> str:
    """Post the bulk form as a browser leaves it untouched (every select at its first option)
    plus ``data``; the page it leads back to, as text."""
    form = {"action": "", "status": "", "assignee": "", "department": "", "next": QUEUE}
    form.update(data)
    response = client.post(reverse("desk:bulk"), {"tickets": [t.number for t in tickets], **form})
    assert response.status_code == 302
    return html.unescape(client.get(response["Location"]).content.decode())


def snapshot() -> list[tuple[Any, ...]]:
    return list(Ticket.objects.order_by("pk").values_list("status", "assignee_id", "department_id"))


def messages_of(page: str) -> list[str]:
    found = re.findall(r'<p class="msg msg-(?:error|info|success)"[^>]*>(.*?)</p>', page, re.S)
    return [re.sub(r"<[^>]+>", "", text).strip() for text in found]


# What the queue offers ------------------------------------------------------------------------


def selected(page: str, select_id: str) -> str:
    """The value of the option a select starts at."""
    select = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', page, re.S)
    assert select, select_id
    chosen = re.search(r'<option value="([^"]*)"[^>]*selected', select.group(1))
    return chosen.group(1) if chosen else re.findall(r'<option value="([^"]*)"', select.group(1))[0]


def test_every_bulk_value_starts_at_keep(agent_client, three) -> None:
    page = agent_client.get(QUEUE).content.decode()
    for select_id in ("id_bulk-action", "id_bulk-status", "id_bulk-assignee", "id_bulk-department"):
        assert selected(page, select_id) == "", select_id
    assert "— keep as is —" in page
    # "Nobody" is there, as a choice of its own.
    assert '<option value="nobody">Nobody</option>' in page


# Nothing chosen, nothing changed --------------------------------------------------------------


def test_bulk_with_nothing_chosen_changes_nothing_and_says_so(agent_client, three) -> None:
    before, events = snapshot(), AuditEvent.objects.count()
    page = bulk(agent_client, three)
    assert messages_of(page) == ["Choose what to do with the selected tickets."]
    assert snapshot() == before and AuditEvent.objects.count() == events


def test_bulk_assign_left_at_keep_unassigns_nobody(agent_client, colleague, three) -> None:
    """It used to default to "Nobody": applying "Assign" without a choice took every ticket
    away from whoever held it, and said "3 tickets updated."."""
    for ticket in three:
        ticket_update(actor=colleague, ticket=ticket, assignee=colleague)
    page = bulk(agent_client, three, action="assign")
    assert messages_of(page) == ["Choose who gets the tickets (or Nobody)."]
    assert "updated" not in page
    assert set(Ticket.objects.values_list("assignee", flat=True)) == {colleague.pk}


def test_bulk_unassigns_only_when_nobody_is_chosen(agent_client, colleague, three) -> None:
    for ticket in three:
        ticket_update(actor=colleague, ticket=ticket, assignee=colleague)
    page = bulk(agent_client, three[:2], action="assign", assignee="nobody")
    assert messages_of(page) == ["2 tickets updated."]
    assignees = [Ticket.objects.get(pk=t.pk).assignee for t in three]
    assert assignees == [None, None, colleague]


def test_bulk_transfer_without_a_department_changes_nothing_and_says_so(
    agent_client, three
) -> None:
    before = snapshot()
    page = bulk(agent_client, three, action="transfer")
    assert messages_of(page) == ["Choose a department to transfer to."]
    assert "updated" not in page
    assert snapshot() == before


def test_bulk_status_left_at_keep_changes_nothing(agent_client, three) -> None:
    before = snapshot()
    page = bulk(agent_client, three, action="status")
    assert messages_of(page) == ["Choose the status to set."]
    assert snapshot() == before


def test_bulk_without_tickets_says_so(agent_client, three) -> None:
    page = bulk(agent_client, [], action="status", status="on_hold")
    assert messages_of(page) == ["Choose at least one ticket."]
    assert not Ticket.objects.filter(status="on_hold").exists()


def test_bulk_counts_only_the_tickets_it_changed(agent_client, agent, three) -> None:
    ticket_update(actor=agent, ticket=three[0], status="on_hold")
    page = bulk(agent_client, three, action="status", status="on_hold")
    assert messages_of(page) == ["2 tickets updated."]


def test_bulk_that_changes_nothing_says_so(agent_client, agent, three) -> None:
    for ticket in three:
        ticket_update(actor=agent, ticket=ticket, status="on_hold")
    events = AuditEvent.objects.count()
    page = bulk(agent_client, three, action="status", status="on_hold")
    assert messages_of(page) == ["Nothing changed: the selected tickets already were so."]
    assert AuditEvent.objects.count() == events


# The action ----------------------------------------------------------------------------------


def test_bulk_action_reports_zero_changed_when_nothing_changes(agent, colleague, three) -> None:
    ticket_bulk_update(actor=agent, tickets=three, action="assign", assignee=colleague)
    events = AuditEvent.objects.count()
    again = ticket_bulk_update(actor=agent, tickets=three, action="assign", assignee=colleague)
    assert again.changed == 0
    assert again.notice == "Nothing changed: the selected tickets already were so."
    assert [t.number for t in again.tickets] == [t.number for t in three]
    assert AuditEvent.objects.count() == events


def test_bulk_action_counts_the_changed_ones(agent, colleague, three) -> None:
    ticket_update(actor=agent, ticket=three[1], assignee=colleague)
    outcome = ticket_bulk_update(actor=agent, tickets=three, action="assign", assignee=colleague)
    assert (outcome.changed, outcome.notice) == (2, "2 tickets updated.")


# Assign to me -------------------------------------------------------------------------------


def test_bulk_assign_to_me_takes_the_selected_tickets(agent_client, agent, colleague, three):
    ticket_update(actor=colleague, ticket=three[0], assignee=colleague)
    # The other selects are ignored: the button says what to do.
    page = bulk(agent_client, three[:2], assign_to_me="1", action="status", status="closed")
    assert messages_of(page) == ["2 tickets updated."]
    assignees = [Ticket.objects.get(pk=t.pk).assignee for t in three]
    assert assignees == [agent, agent, None]
    assert not Ticket.objects.filter(status="closed").exists()


def test_assign_to_me_from_a_row_takes_that_ticket_and_goes_back(agent_client, agent, three):
    back = QUEUE + "?status=all&sort=-number"
    response = agent_client.post(
        reverse("desk:assign_to_me", args=[three[1].number]),
        # The row's button posts the whole bulk form: its other values are not read.
        {"next": back, "tickets": [three[0].number], "action": "status", "status": "closed"},
    )
    assert response["Location"] == back
    page = html.unescape(agent_client.get(back).content.decode())
    assert messages_of(page) == [f"Ticket #{three[1].number} is assigned to you."]
    assert [Ticket.objects.get(pk=t.pk).assignee for t in three] == [None, agent, None]
    assert not Ticket.objects.filter(status="closed").exists()


def test_assign_to_me_twice_says_it_already_was(agent_client, agent, ticket) -> None:
    url = reverse("desk:assign_to_me", args=[ticket.number])
    agent_client.post(url)
    events = AuditEvent.objects.count()
    response = agent_client.post(url, {"next": reverse("desk:ticket", args=[ticket.number])})
    assert response["Location"] == reverse("desk:ticket", args=[ticket.number])
    page = html.unescape(agent_client.get(response["Location"]).content.decode())
    assert f"Ticket #{ticket.number} was already assigned to you." in page
    assert AuditEvent.objects.count() == events


def test_assign_to_me_needs_a_post(agent_client, ticket) -> None:
    response = agent_client.get(reverse("desk:assign_to_me", args=[ticket.number]))
    assert response.status_code == 405
    assert Ticket.objects.get(pk=ticket.pk).assignee is None


def test_rows_offer_assign_to_me_except_on_the_agents_own(agent_client, agent, three) -> None:
    ticket_update(actor=agent, ticket=three[0], assignee=agent)
    page = agent_client.get(QUEUE).content.decode()
    for ticket in three:
        offered = f'Assign to me<span class="visually-hidden"> (#{ticket.number})</span>' in page
        assert offered == (ticket != three[0])


def test_ticket_page_offers_assign_to_me_until_it_is_the_agents(agent_client, agent, ticket):
    url = reverse("desk:ticket", args=[ticket.number])
    assert "data-shortcut-assign" in agent_client.get(url).content.decode()
    agent_client.post(reverse("desk:assign_to_me", args=[ticket.number]), {"next": url})
    assert "data-shortcut-assign" not in agent_client.get(url).content.decode()
