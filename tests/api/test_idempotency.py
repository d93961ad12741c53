"""`Idempotency-Key` on the POSTs that store a ticket or a message: the same request again
with the same key answers the first result, with the same status, and stores nothing new
(no second message, no second email). The key belongs to one person and one endpoint."""

import uuid

import pytest

from chamado.mail.models import Delivery
from chamado.tickets.actions import ticket_merge
from chamado.tickets.models import Message, Ticket
from tests import factories

pytestmark = pytest.mark.django_db

MESSAGE = "The site answers 500 since this morning; I restarted PHP already."
REPLY = "One more detail: it only happens over HTTPS."


def key() -> str:
    return str(uuid.uuid4())


def open_payload(service) -> dict:
    return {"department": "support", "service": service.pk, "subject": "Down", "message": MESSAGE}


def stored() -> tuple[int, int, int]:
    return Ticket.objects.count(), Message.objects.count(), Delivery.objects.count()


def test_opening_twice_with_one_key_opens_one_ticket(api_as, owner, service, support) -> None:
    api = api_as(owner, **{"Idempotency-Key": key()})
    first = api.post("/tickets", open_payload(service))
    assert first.status_code == 201
    after_first = stored()
    again = api.post("/tickets", open_payload(service))
    assert again.status_code == 201
    assert again.json() == first.json()
    assert stored() == after_first == (1, 1, after_first[2])


def test_without_a_key_each_post_is_a_new_ticket(api_as, owner, service, support) -> None:
    api = api_as(owner)
    numbers = {api.post("/tickets", open_payload(service)).json()["number"] for _ in range(2)}
    assert len(numbers) == 2


def test_a_client_reply_sent_twice_is_stored_once(api_as, owner, agent, ticket) -> None:
    api = api_as(owner, **{"Idempotency-Key": key()})
    first = api.post(f"/tickets/{ticket.number}/replies", {"message": REPLY})
    assert first.status_code == 201
    after_first = stored()
    again = api.post(f"/tickets/{ticket.number}/replies", {"message": REPLY})
    assert again.status_code == 201
    assert again.json()["message"] == first.json()["message"]
    assert again.json()["ticket"]["number"] == ticket.number
    assert stored() == after_first
    assert ticket.messages.filter(body=REPLY).count() == 1


@pytest.mark.parametrize("internal", [False, True])
def test_an_agent_reply_sent_twice_is_stored_once(api_as, agent, ticket, internal) -> None:
    api = api_as(agent, **{"Idempotency-Key": key()})
    payload = {"message": "Fixed: the disk was full.", "internal": internal}
    first = api.post(f"/desk/tickets/{ticket.number}/replies", payload)
    assert first.status_code == 201
    after_first = stored()
    again = api.post(f"/desk/tickets/{ticket.number}/replies", payload)
    assert again.status_code == 201
    assert again.json()["message"] == first.json()["message"]
    assert stored() == after_first


def test_a_repeat_still_answers_after_the_ticket_was_merged(
    api_as, owner, agent, service, ticket
) -> None:
    api = api_as(owner, **{"Idempotency-Key": key()})
    first = api.post(f"/tickets/{ticket.number}/replies", {"message": REPLY})
    target = factories.open_ticket(owner, service=service, subject="Still down")
    ticket_merge(actor=agent, source=ticket, target=target)
    count = Message.objects.count()
    again = api.post(f"/tickets/{ticket.number}/replies", {"message": REPLY})
    assert again.status_code == 201
    assert again.json()["message"]["id"] == first.json()["message"]["id"]
    assert again.json()["ticket"]["number"] == target.number
    assert Message.objects.count() == count


def test_one_key_on_another_endpoint_or_ticket_is_another_request(
    api_as, owner, service, ticket
) -> None:
    shared = key()
    api = api_as(owner, **{"Idempotency-Key": shared})
    opened = api.post("/tickets", open_payload(service))
    assert opened.status_code == 201
    reply = api.post(f"/tickets/{ticket.number}/replies", {"message": REPLY})
    assert reply.status_code == 201
    assert reply.json()["ticket"]["number"] == ticket.number
    other = api.post(f"/tickets/{opened.json()['number']}/replies", {"message": REPLY})
    assert other.json()["message"]["id"] != reply.json()["message"]["id"]
    assert Message.objects.filter(body=REPLY).count() == 2


def test_one_key_of_two_people_is_two_requests(api_as, owner, contact, ticket) -> None:
    shared = key()
    for person in (owner, contact):
        api = api_as(person, **{"Idempotency-Key": shared})
        assert api.post(f"/tickets/{ticket.number}/replies", {"message": REPLY}).status_code == 201
    assert set(ticket.messages.filter(body=REPLY).values_list("author", flat=True)) == {
        owner.pk,
        contact.pk,
    }


def test_a_refused_request_stores_nothing_so_its_key_stays_free(
    api_as, owner, service, support
) -> None:
    api = api_as(owner, **{"Idempotency-Key": key()})
    refused = api.post("/tickets", {**open_payload(service), "message": "Help!"})
    assert refused.status_code == 422
    assert stored() == (0, 0, 0)
    assert api.post("/tickets", open_payload(service)).status_code == 201


@pytest.mark.parametrize("value", ["", "k" * 256])
def test_an_empty_or_overlong_key_is_422(api_as, owner, ticket, value) -> None:
    api = api_as(owner, **{"Idempotency-Key": value})
    response = api.post(f"/tickets/{ticket.number}/replies", {"message": REPLY})
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["Idempotency-Key"]
    assert ticket.messages.count() == 1
