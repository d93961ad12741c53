"""The client endpoints: open, list, read, reply and close, through the same actions as the
client area."""

import re

import pytest

from chamado.mail.models import Delivery
from chamado.tickets.actions import ticket_reply_by_agent
from chamado.tickets.models import Message, Ticket
from tests import factories

pytestmark = pytest.mark.django_db

MESSAGE = "The site answers 500 since this morning; I restarted PHP already."
NOTE = "Internal: the client's card was declined twice, do not mention it."


@pytest.fixture
def owner_api(api_as, owner):
    return api_as(owner)


def open_payload(**overrides):
    payload = {
        "department": "support",
        "subject": "Site is down",
        "priority": 3,
        "message": MESSAGE,
    }
    payload.update(overrides)
    return payload


def test_client_opens_a_ticket_with_a_number_and_a_confirmation_queued(
    owner_api, owner, service, support, agent
) -> None:
    response = owner_api.post("/tickets", open_payload(service=service.pk))
    assert response.status_code == 201, response.content
    body = response.json()
    assert re.fullmatch(r"\d{6}", str(body["number"]))
    ticket = Ticket.objects.get(number=body["number"])
    assert ticket.contact == owner
    assert ticket.service == service
    assert ticket.priority == Ticket.Priority.HIGH
    assert body["status"] == "open"
    assert body["department"] == {"slug": "support", "name": "Support"}
    assert body["service"]["label"] == service.label
    assert body["url"].endswith(f"/tickets/{ticket.number}/")
    assert body["expected_wait"]["seconds"] > 0
    assert [m["body"] for m in body["messages"]] == [MESSAGE]
    assert ticket.messages.get().source == Message.Source.API
    confirmation = Delivery.objects.get(ticket=ticket, kind=Delivery.Kind.TICKET_CONFIRMATION)
    assert confirmation.recipient == owner
    assert confirmation.state == Delivery.State.PENDING
    assert Delivery.objects.filter(
        ticket=ticket, kind=Delivery.Kind.TICKET_NEW_NOTICE, recipient=agent
    ).exists()


def test_sales_takes_a_ticket_without_a_service(owner_api, service, sales) -> None:
    response = owner_api.post("/tickets", open_payload(department="sales", service=None))
    assert response.status_code == 201
    assert response.json()["service"] is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"department": "nowhere"}, "department"),
        ({"service": None}, "service"),
        ({"subject": "   "}, "subject"),
        ({"subject": "x" * 121}, "subject"),
        ({"message": "Help!"}, "message"),
    ],
)
def test_refused_ticket_names_the_field_and_creates_nothing(
    owner_api, service, support, overrides, field
) -> None:
    payload = open_payload(service=service.pk)
    payload.update(overrides)
    response = owner_api.post("/tickets", payload)
    assert response.status_code == 422
    assert list(response.json()["fields"]) == [field]
    assert response.json()["message"]
    assert not Ticket.objects.exists()
    assert not Delivery.objects.exists()


def test_another_accounts_service_is_refused(owner_api, support, other_owner) -> None:
    theirs = factories.ServiceFactory(account=other_owner.account)
    response = owner_api.post("/tickets", open_payload(service=theirs.pk))
    assert response.status_code == 422
    assert response.json()["fields"] == {"service": ["Choose one of your services."]}


def test_malformed_input_is_422(owner_api, support) -> None:
    response = owner_api.post("/tickets", {"department": "support", "priority": 7})
    assert response.status_code == 422
    assert response.json()["message"] == "The request is not valid."
    assert response.json()["fields"] == {
        "subject": ["This field is required."],
        "priority": ["Select a valid choice. 7 is not one of the available choices."],
        "message": ["This field is required."],
    }


def test_refusals_speak_the_requests_language(api_as, owner, service, support) -> None:
    api = api_as(owner, **{"Accept-Language": "pt-br"})
    response = api.post("/tickets", open_payload(service=service.pk, message="Socorro!"))
    assert response.status_code == 422
    assert "curta" in response.json()["fields"]["message"][0]
    assert response.json()["message"] == response.json()["fields"]["message"][0]


def test_list_is_paginated_and_filtered_by_status(owner_api, owner, contact, service) -> None:
    first = factories.open_ticket(owner, service=service, subject="First")
    second = factories.open_ticket(contact, service=service, subject="Second")
    factories.open_ticket(factories.OwnerFactory(), subject="Not ours")
    owner_api.post(f"/tickets/{first.number}/close")

    everything = owner_api.get("/tickets").json()
    assert everything["count"] == 2
    assert everything["next"] is None and everything["next_cursor"] is None
    assert [t["subject"] for t in everything["items"]] == ["First", "Second"]

    page = owner_api.get("/tickets", {"page_size": 1}).json()
    assert page["count"] == 2
    assert [t["number"] for t in page["items"]] == [first.number]
    assert "page_size=1" in page["next"] and "cursor=" in page["next"]
    following = owner_api.client.get(page["next"], headers=owner_api.headers).json()
    assert [t["number"] for t in following["items"]] == [second.number]
    assert following["next"] is None
    same = owner_api.get("/tickets", {"page_size": 1, "cursor": page["next_cursor"]}).json()
    assert same == following

    active = owner_api.get("/tickets", {"status": "active"}).json()
    assert [t["number"] for t in active["items"]] == [second.number]
    closed = owner_api.get("/tickets", {"status": "closed"}).json()
    assert [t["number"] for t in closed["items"]] == [first.number]
    assert closed["items"][0]["status_label"] == "Closed"

    assert owner_api.get("/tickets", {"status": "lost"}).status_code == 422


def test_client_detail_never_contains_an_internal_note(owner_api, agent, ticket) -> None:
    ticket_reply_by_agent(actor=agent, ticket=ticket, body=NOTE, is_internal=True)
    ticket_reply_by_agent(actor=agent, ticket=ticket, body="We are looking into it now.")
    response = owner_api.get(f"/tickets/{ticket.number}")
    assert response.status_code == 200
    assert NOTE not in response.content.decode()
    assert "declined" not in response.content.decode()
    messages = response.json()["messages"]
    assert [m["from_agent"] for m in messages] == [False, True]
    assert messages[1]["author"] == "Elisa"  # agents by first name, as on the web
    assert "internal" not in messages[1]


def test_attachments_are_listed_as_download_urls(owner_api, owner, service) -> None:
    ticket = factories.open_ticket(
        owner, service=service, files=[factories.upload("screen.png", factories.png_bytes())]
    )
    attachment = owner_api.get(f"/tickets/{ticket.number}").json()["messages"][0]["attachments"][0]
    assert attachment["name"] == "screen.png"
    assert attachment["content_type"] == "image/png"
    assert re.search(rf"/attachments/{attachment['id']}/screen\.png$", attachment["url"])
    download = owner_api.client.get(attachment["api_url"], headers=owner_api.headers)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == factories.png_bytes()
    assert download["Cache-Control"] == "private, no-store"


def test_reply_keeps_the_queue_place_and_says_so(owner_api, ticket) -> None:
    response = owner_api.post(
        f"/tickets/{ticket.number}/replies", {"message": "One more detail: it is only HTTPS."}
    )
    assert response.status_code == 201
    body = response.json()
    assert "keeps its place" in body["notice"]
    assert body["ticket"]["status"] == "open"
    assert body["message"]["body"] == "One more detail: it is only HTTPS."
    assert ticket.messages.latest("pk").source == Message.Source.API


def test_reply_to_an_answered_ticket_waits_for_us_again(owner_api, agent, ticket) -> None:
    ticket_reply_by_agent(actor=agent, ticket=ticket, body="Try clearing the cache.")
    response = owner_api.post(
        f"/tickets/{ticket.number}/replies", {"message": "Still broken after clearing it."}
    )
    assert response.status_code == 201
    assert response.json()["notice"] == "Your reply was sent."
    assert response.json()["ticket"]["status"] == "customer_reply"


def test_blank_reply_is_refused(owner_api, ticket) -> None:
    response = owner_api.post(f"/tickets/{ticket.number}/replies", {"message": "  "})
    assert response.status_code == 422
    assert response.json() == {
        "code": "validation_error",
        "message": "Write a message.",
        "detail": "Write a message.",
        "fields": {"message": ["Write a message."]},
    }


def test_close_then_reply_reopens(owner_api, ticket) -> None:
    closed = owner_api.post(f"/tickets/{ticket.number}/close")
    assert closed.status_code == 200
    assert closed.json()["ticket"]["status"] == "closed"
    assert "Reply to it" in closed.json()["notice"]
    assert owner_api.post(f"/tickets/{ticket.number}/close").status_code == 200
    reopened = owner_api.post(
        f"/tickets/{ticket.number}/replies", {"message": "Back again: the error returned."}
    )
    assert reopened.json()["ticket"]["status"] == "customer_reply"


@pytest.mark.parametrize("actor", ["contact_without_tickets", "agent"])
def test_who_may_not_use_tickets_is_told_why_on_list_and_open(
    api_as, request_fixture, support, actor
) -> None:
    api = api_as(request_fixture(actor))
    for response in (api.get("/tickets"), api.post("/tickets", open_payload())):
        assert response.status_code == 403
        assert response.json()["code"] == "forbidden"
        assert "“tickets” permission" in response.json()["message"]
    assert not Ticket.objects.exists()
