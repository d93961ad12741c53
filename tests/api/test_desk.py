"""The agent endpoints: the queue, the ticket with its internal notes, replies, notes and
transfers, through the same selectors and actions as the desk."""

import pytest

from chamado.mail.models import Delivery
from chamado.tickets.actions import ticket_reply_by_agent
from chamado.tickets.models import Message, Ticket
from tests import factories
from tests.clock import hours_ago

pytestmark = pytest.mark.django_db

NOTE = "Internal: the client's card was declined twice, do not mention it."


@pytest.fixture
def agent_api(api_as, agent):
    return api_as(agent)


def test_queue_is_in_the_desks_order_with_its_filters(
    agent_api, agent, owner, service, support, sales
) -> None:
    sales.agents.add(agent)
    old = hours_ago(factories.open_ticket(owner, service=service, subject="Old"), 5)
    hours_ago(factories.open_ticket(owner, service=service, subject="New"), 1)
    urgent = factories.open_ticket(
        owner, service=service, subject="Urgent", priority=Ticket.Priority.HIGH
    )
    factories.open_ticket(owner, department=sales, subject="Upgrade")
    answered = factories.open_ticket(owner, service=service, subject="Answered")
    ticket_reply_by_agent(actor=agent, ticket=answered, body="Done, please check.")

    queue = agent_api.get("/desk/queue").json()
    assert [t["subject"] for t in queue["items"]] == ["Urgent", "Old", "New", "Upgrade"]
    assert queue["count"] == 4
    item = queue["items"][0]
    assert item["number"] == urgent.number
    assert item["account"]["name"] == "Acme Hospedagem"
    assert item["contact"]["email"] == owner.email
    assert item["assignee"] is None
    assert item["response_due_at"]

    support_only = agent_api.get("/desk/queue", {"department": "support"}).json()
    assert [t["subject"] for t in support_only["items"]] == ["Urgent", "Old", "New"]
    high = agent_api.get("/desk/queue", {"priority": 3}).json()
    assert [t["subject"] for t in high["items"]] == ["Urgent"]
    first = agent_api.get("/desk/queue", {"status": "all", "page_size": 2}).json()
    second = agent_api.client.get(first["next"], headers=agent_api.headers).json()
    third = agent_api.client.get(second["next"], headers=agent_api.headers).json()
    assert first["count"] == second["count"] == third["count"] == 5
    assert [len(p["items"]) for p in (first, second, third)] == [2, 2, 1]
    assert third["next"] is None
    paged = [t["number"] for p in (first, second, third) for t in p["items"]]
    whole = agent_api.get("/desk/queue", {"status": "all"}).json()["items"]
    assert paged == [t["number"] for t in whole]
    answered_only = agent_api.get("/desk/queue", {"status": "answered"}).json()
    assert [t["number"] for t in answered_only["items"]] == [answered.number]
    assert old.number in [t["number"] for t in agent_api.get("/desk/queue").json()["items"]]


def test_queue_refuses_a_department_that_is_not_the_agents(agent_api, billing) -> None:
    response = agent_api.get("/desk/queue", {"department": "billing"})
    assert response.status_code == 422
    assert response.json()["fields"] == {"department": ["Choose one of your departments."]}


def test_agent_detail_includes_internal_notes_flagged(agent_api, agent, ticket) -> None:
    ticket_reply_by_agent(actor=agent, ticket=ticket, body=NOTE, is_internal=True)
    response = agent_api.get(f"/desk/tickets/{ticket.number}")
    assert response.status_code == 200
    body = response.json()
    assert [(m["body"], m["internal"]) for m in body["messages"][1:]] == [(NOTE, True)]
    assert body["messages"][0]["internal"] is False
    assert body["messages"][1]["author"] == "Elisa Rocha"
    assert body["service"]["details"] == ticket.service.details
    assert body["contact"]["email"] == ticket.contact.email


def test_agent_reply_answers_the_client(agent_api, ticket) -> None:
    response = agent_api.post(
        f"/desk/tickets/{ticket.number}/replies", {"message": "Fixed: the disk was full."}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["notice"] == "Reply sent to the client."
    assert body["ticket"]["status"] == "answered"
    assert body["message"]["internal"] is False
    message = Message.objects.get(pk=body["message"]["id"])
    assert message.source == Message.Source.API
    assert Delivery.objects.filter(message=message, kind=Delivery.Kind.AGENT_REPLY).exists()


def test_agent_reply_may_set_the_status(agent_api, ticket) -> None:
    response = agent_api.post(
        f"/desk/tickets/{ticket.number}/replies",
        {"message": "Waiting for the datacenter.", "status": "on_hold"},
    )
    assert response.json()["ticket"]["status"] == "on_hold"


def test_internal_note_changes_nothing_for_the_client(agent_api, api_as, owner, ticket) -> None:
    response = agent_api.post(
        f"/desk/tickets/{ticket.number}/replies", {"message": NOTE, "internal": True}
    )
    assert response.status_code == 201
    assert response.json()["notice"] == "Internal note added."
    assert response.json()["ticket"]["status"] == "open"
    assert response.json()["message"]["internal"] is True
    assert not Delivery.objects.filter(message_id=response.json()["message"]["id"]).exists()
    assert NOTE not in api_as(owner).get(f"/tickets/{ticket.number}").content.decode()


def test_internal_note_with_a_status_is_refused(agent_api, ticket) -> None:
    response = agent_api.post(
        f"/desk/tickets/{ticket.number}/replies",
        {"message": NOTE, "internal": True, "status": "closed"},
    )
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["status"]
    assert ticket.messages.count() == 1


def test_crossed_reply_is_409_until_confirmed(agent_api, support, ticket) -> None:
    colleague = factories.AgentFactory(full_name="Marcos Pereira")
    support.agents.add(colleague)
    seen = ticket.messages.get().pk
    ticket_reply_by_agent(actor=colleague, ticket=ticket, body="I am on it.")
    payload = {"message": "Restarted the server.", "seen_message_id": seen}
    crossed = agent_api.post(f"/desk/tickets/{ticket.number}/replies", payload)
    assert crossed.status_code == 409
    assert crossed.json()["newer_message_id"] == ticket.messages.latest("pk").pk
    assert crossed.json()["code"] == "conflict"
    assert "Marcos Pereira" in crossed.json()["message"]
    confirmed = agent_api.post(
        f"/desk/tickets/{ticket.number}/replies", {**payload, "confirm_crossed": True}
    )
    assert confirmed.status_code == 201


def test_transfer_moves_the_ticket_and_tells_the_client(agent_api, ticket, billing) -> None:
    response = agent_api.post(
        f"/desk/tickets/{ticket.number}/transfer",
        {"department": "billing", "note": "Billing will check your invoice."},
    )
    assert response.status_code == 200
    assert response.json()["ticket"]["department"]["slug"] == "billing"
    assert "Billing" in response.json()["notice"]
    ticket.refresh_from_db()
    assert ticket.department == billing
    assert Delivery.objects.filter(ticket=ticket, kind=Delivery.Kind.TRANSFER_NOTICE).exists()
    # Billing is not the agent's department: the ticket is out of their reach now.
    assert agent_api.get(f"/desk/tickets/{ticket.number}").status_code == 404


def test_transfer_to_an_unknown_department_is_refused(agent_api, ticket) -> None:
    response = agent_api.post(f"/desk/tickets/{ticket.number}/transfer", {"department": "x"})
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["department"]


def test_agents_download_a_notes_attachment(agent_api, agent, ticket) -> None:
    note = ticket_reply_by_agent(
        actor=agent,
        ticket=ticket,
        body=NOTE,
        is_internal=True,
        files=[factories.upload("proof.pdf", factories.PDF_BYTES)],
    )
    listed = agent_api.get(f"/desk/tickets/{ticket.number}").json()["messages"][-1]
    assert listed["id"] == note.message.pk
    attachment = listed["attachments"][0]
    assert "/desk/attachments/" in attachment["url"]
    download = agent_api.client.get(attachment["api_url"], headers=agent_api.headers)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == factories.PDF_BYTES
