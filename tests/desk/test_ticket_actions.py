"""What an agent does from the desk: reply, change, transfer, merge, bulk actions,
each through the desk's forms and checked from the client's side too."""

import html
import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from chamado.core.models import AuditEvent
from chamado.mail.models import Delivery
from chamado.tickets.actions import ticket_reply_by_client
from chamado.tickets.models import Attachment, Message, Ticket
from tests import factories

pytestmark = pytest.mark.django_db

ANSWER = "We restarted PHP-FPM and the site answers again; the log is attached."
TRANSFER_NOTE = "Our billing team handles refunds; they will answer you here."


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def desk(name: str, ticket: Ticket) -> str:
    return reverse(f"desk:{name}", args=[ticket.number])


def portal_page(client: Client, ticket: Ticket) -> str:
    response = client.get(reverse("portal:ticket", args=[ticket.number]))
    assert response.status_code == 200
    return text(response)


# Reply ------------------------------------------------------------------------------------


def test_reply_with_an_attachment_answers_the_client(agent_client, owner_client, owner, ticket):
    assert ticket.first_response_at is None
    response = agent_client.post(
        desk("reply", ticket),
        {
            "message": ANSWER,
            "attachments": [factories.upload("fpm.log.png", factories.png_bytes(), "image/png")],
        },
    )
    assert response.status_code == 302
    assert "Reply sent to the client." in text(agent_client.get(response["Location"]))

    ticket.refresh_from_db()
    reply = Message.objects.get(ticket=ticket, from_agent=True)
    assert ticket.status == Ticket.Status.ANSWERED
    assert ticket.first_response_at == reply.created_at
    assert ticket.waiting_since is None and ticket.response_due_at is None
    delivery = Delivery.objects.get(kind=Delivery.Kind.AGENT_REPLY)
    assert (delivery.recipient, delivery.message) == (owner, reply)

    page = portal_page(owner_client, ticket)
    assert ANSWER in page and "Answered" in page
    file = Attachment.objects.get(message=reply)
    assert "fpm.log.png" in page
    url = reverse("portal:attachment", args=[file.pk, file.original_name])
    assert owner_client.get(url).status_code == 200


@pytest.mark.parametrize("status", [Ticket.Status.ON_HOLD, Ticket.Status.CLOSED])
def test_reply_can_set_another_status(agent_client, ticket, status) -> None:
    agent_client.post(desk("reply", ticket), {"message": ANSWER, "status": status})
    ticket.refresh_from_db()
    assert ticket.status == status
    assert ticket.first_response_at is not None
    assert (ticket.closed_at is not None) == (status == Ticket.Status.CLOSED)


def test_second_reply_keeps_the_first_response_time(agent_client, owner, ticket) -> None:
    agent_client.post(desk("reply", ticket), {"message": ANSWER})
    ticket.refresh_from_db()
    first = ticket.first_response_at
    ticket_reply_by_client(actor=owner, ticket=ticket, body="Thanks, but the mail is down too.")
    agent_client.post(desk("reply", ticket), {"message": "Mail fixed as well."})
    ticket.refresh_from_db()
    assert ticket.first_response_at == first
    assert Delivery.objects.filter(kind=Delivery.Kind.AGENT_REPLY).count() == 2


def test_empty_reply_is_refused_and_sends_nothing(agent_client, ticket) -> None:
    response = agent_client.post(desk("reply", ticket), {"message": "   "})
    assert response.status_code == 400
    assert "Write a message." in text(response)
    assert not Delivery.objects.filter(kind=Delivery.Kind.AGENT_REPLY).exists()
    assert Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.OPEN


# Change status, priority, assignee --------------------------------------------------------


def test_change_sets_status_priority_and_assignee(agent_client, colleague, ticket) -> None:
    response = agent_client.post(
        desk("change", ticket),
        {"status": Ticket.Status.IN_PROGRESS, "priority": 3, "assignee": colleague.pk},
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.IN_PROGRESS
    assert ticket.priority == Ticket.Priority.HIGH
    assert ticket.assignee == colleague
    event = AuditEvent.objects.get(verb="ticket.update", object_id=str(ticket.pk))
    assert event.after == {"status": "in_progress", "priority": 3, "assignee": colleague.pk}


def test_change_to_an_agent_of_another_department_is_refused(
    agent_client, billing_agent, ticket
) -> None:
    response = agent_client.post(
        desk("change", ticket),
        {"status": ticket.status, "priority": ticket.priority, "assignee": billing_agent.pk},
    )
    assert response.status_code == 400
    assert "Select a valid choice" in text(response)
    assert Ticket.objects.get(pk=ticket.pk).assignee is None


def test_assignee_list_offers_only_agents_of_the_department(
    agent_client, agent, colleague, billing_agent, ticket
) -> None:
    form = agent_client.get(desk("ticket", ticket)).context["update_form"]
    assert set(form.fields["assignee"].objects.values()) == {agent, colleague}


# Transfer ---------------------------------------------------------------------------------


def test_transfer_with_a_note_moves_the_ticket_and_tells_the_client(
    agent_client, owner_client, owner, agent, billing, billing_agent, ticket
) -> None:
    agent_client.post(
        desk("change", ticket), {"status": "open", "priority": 2, "assignee": agent.pk}
    )

    response = agent_client.post(
        desk("transfer", ticket), {"department": billing.pk, "note": TRANSFER_NOTE}
    )

    assert response.status_code == 302  # to the queue: the agent is not in Billing
    assert response["Location"] == reverse("desk:queue")
    ticket.refresh_from_db()
    assert ticket.department == billing
    assert ticket.assignee is None  # not an agent of Billing
    assert ticket.status == Ticket.Status.OPEN

    page = portal_page(owner_client, ticket)
    assert "Billing" in page and TRANSFER_NOTE in page
    notice = Delivery.objects.get(kind=Delivery.Kind.TRANSFER_NOTICE)
    assert notice.recipient == owner
    assert notice.message is not None and notice.message.body == TRANSFER_NOTE

    assert agent_client.get(desk("ticket", ticket)).status_code == 404
    agent_client.force_login(billing_agent)
    assert TRANSFER_NOTE in text(agent_client.get(desk("ticket", ticket)))


def test_transfer_without_a_note_still_tells_the_client(
    agent_client, agent, owner, sales, ticket
) -> None:
    sales.agents.add(agent)
    response = agent_client.post(desk("transfer", ticket), {"department": sales.pk, "note": ""})
    assert response["Location"] == desk("ticket", ticket)  # still one of the agent's
    notice = Delivery.objects.get(kind=Delivery.Kind.TRANSFER_NOTICE)
    assert notice.recipient == owner and notice.message is None
    assert Message.objects.filter(ticket=ticket).count() == 1


# Merge ------------------------------------------------------------------------------------


def at(message: Message, hours_ago: float) -> None:
    Message.objects.filter(pk=message.pk).update(
        created_at=timezone.now() - timedelta(hours=hours_ago)
    )


@pytest.fixture
def pair(owner, service) -> tuple[Ticket, Ticket]:
    """Two tickets of the same account whose messages interleave in time."""
    target = factories.open_ticket(owner, service=service, subject="Site down", body="T1 " * 10)
    source = factories.open_ticket(owner, service=service, subject="Site down?", body="S1 " * 10)
    t2 = ticket_reply_by_client(actor=owner, ticket=target, body="T2 " * 10).message
    s2 = ticket_reply_by_client(actor=owner, ticket=source, body="S2 " * 10).message
    at(target.messages.order_by("pk").first(), 5)
    at(source.messages.order_by("pk").first(), 4)
    at(t2, 3)
    at(s2, 2)
    return source, target


def conversation(page: str) -> list[str]:
    return re.findall(r"\b([TS][12])(?: [TS][12]){9}\b", page)


def test_merge_puts_both_conversations_in_time_order_on_the_target(
    agent_client, owner_client, pair
) -> None:
    source, target = pair
    response = agent_client.post(desk("merge", source), {"target": target.number, "confirm": "yes"})
    assert response.status_code == 302
    assert response["Location"] == desk("ticket", target)

    expected = ["T1", "S1", "T2", "S2"]
    assert conversation(text(agent_client.get(desk("ticket", target)))) == expected
    assert conversation(portal_page(owner_client, target)) == expected
    merged_note = f"Ticket #{source.number} was merged into this ticket."
    assert merged_note in text(agent_client.get(desk("ticket", target)))
    assert merged_note not in portal_page(owner_client, target)  # an internal note

    source.refresh_from_db()
    assert source.merged_into == target and source.status == Ticket.Status.CLOSED


def test_merged_number_leads_to_the_target_on_desk_and_portal(
    agent_client, owner_client, pair
) -> None:
    source, target = pair
    agent_client.post(desk("merge", source), {"target": target.number, "confirm": "yes"})

    response = agent_client.get(desk("ticket", source))
    assert (response.status_code, response["Location"]) == (302, desk("ticket", target))
    response = owner_client.get(reverse("portal:ticket", args=[source.number]))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:ticket", args=[target.number])


def test_merge_of_tickets_of_different_accounts_is_refused(
    agent_client, ticket, other_owner
) -> None:
    foreign = factories.open_ticket(other_owner, subject="Another client's ticket")
    response = agent_client.post(desk("merge", ticket), {"target": foreign.number})
    assert response.status_code == 400
    assert "Only tickets of the same client account can be merged." in text(response)
    assert Ticket.objects.filter(merged_into__isnull=False).count() == 0
    assert ticket.messages.count() == 1 and foreign.messages.count() == 1


def test_merge_into_itself_is_refused(agent_client, ticket) -> None:
    response = agent_client.post(desk("merge", ticket), {"target": ticket.number})
    assert response.status_code == 400
    assert "cannot be merged into itself" in text(response)


# Bulk -------------------------------------------------------------------------------------


@pytest.fixture
def three(owner, service) -> list[Ticket]:
    return [factories.open_ticket(owner, service=service, subject=f"Bulk {n}") for n in range(3)]


def bulk(client: Client, tickets: list[Ticket], **data: Any) -> Any:
    return client.post(
        reverse("desk:bulk"), {"tickets": [t.number for t in tickets], "next": "/desk/", **data}
    )


def test_bulk_sets_the_status_of_the_chosen_tickets(agent_client, three) -> None:
    response = bulk(agent_client, three[:2], action="status", status="on_hold")
    assert response["Location"] == "/desk/"
    assert "2 tickets updated." in text(agent_client.get("/desk/"))
    statuses = [Ticket.objects.get(pk=t.pk).status for t in three]
    assert statuses == ["on_hold", "on_hold", "open"]


def test_bulk_assigns_and_unassigns(agent_client, colleague, three) -> None:
    bulk(agent_client, three, action="assign", assignee=colleague.pk)
    assert {t.assignee for t in Ticket.objects.all()} == {colleague}
    bulk(agent_client, three[:1], action="assign", assignee="nobody")
    assert Ticket.objects.get(pk=three[0].pk).assignee is None


def test_bulk_transfers_to_another_of_the_agents_departments(
    agent_client, agent, sales, three
) -> None:
    sales.agents.add(agent)
    bulk(agent_client, three[1:], action="transfer", department=sales.pk)
    departments = [Ticket.objects.get(pk=t.pk).department.slug for t in three]
    assert departments == ["support", "sales", "sales"]
    assert Delivery.objects.filter(kind=Delivery.Kind.TRANSFER_NOTICE).count() == 2


def test_bulk_assign_to_an_agent_of_another_department_changes_nothing(
    agent_client, agent, sales, three
) -> None:
    """The Sales-only agent is offered (the agent works Sales too) but may not take Support
    tickets: the whole batch is refused, in one transaction."""
    sales.agents.add(agent)
    seller = factories.AgentFactory(full_name="Sales Only")
    sales.agents.add(seller)
    response = bulk(agent_client, three, action="assign", assignee=seller.pk)
    assert "Assign the ticket to an agent of its department." in text(
        agent_client.get(response["Location"])
    )
    assert not Ticket.objects.filter(assignee__isnull=False).exists()


def test_bulk_without_tickets_says_what_is_missing(agent_client, three) -> None:
    response = bulk(agent_client, [], action="status", status="closed")
    assert "Choose at least one ticket" in text(agent_client.get(response["Location"]))
    assert not Ticket.objects.filter(status="closed").exists()


def test_client_reply_posted_to_a_merged_number_lands_on_the_target(
    agent_client, owner_client, pair
) -> None:
    source, target = pair
    agent_client.post(desk("merge", source), {"target": target.number, "confirm": "yes"})

    response = owner_client.post(
        reverse("portal:ticket", args=[source.number]),
        {"message": "Replying from an old tab of the first ticket."},
        follow=True,
    )

    # The access function led the POST to the target: stored there, then the usual redirect.
    assert response.redirect_chain[0] == (reverse("portal:ticket", args=[target.number]), 302)
    assert target.messages.filter(body__startswith="Replying from an old tab").exists()
    assert not source.messages.exists()
