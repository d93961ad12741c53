"""A merged ticket's number leads to the ticket it was merged into, through the API as on the
web: reading answers the target with `merged_from`, and every write lands on the target while
the merged ticket stays as the merge left it."""

import pytest

from chamado.tickets.actions import ticket_merge
from chamado.tickets.models import Message, Ticket
from tests import factories
from tests.api.conftest import NOT_FOUND

pytestmark = pytest.mark.django_db

REPLY = "One more thing: the error shows on the checkout page only."


@pytest.fixture
def merged(owner, agent, service, support) -> tuple[Ticket, Ticket]:
    """(source, target): the source merged into the target by an agent."""
    source = factories.open_ticket(owner, service=service, subject="Checkout fails")
    target = factories.open_ticket(owner, service=service, subject="Site is down")
    ticket_merge(actor=agent, source=source, target=target)
    return Ticket.objects.get(pk=source.pk), Ticket.objects.get(pk=target.pk)


def assert_left_as_merged(source: Ticket) -> None:
    """The merged ticket is exactly as the merge left it: closed, empty, not touched since."""
    fresh = Ticket.objects.get(pk=source.pk)
    assert fresh.merged_into_id is not None
    assert fresh.status == Ticket.Status.CLOSED
    assert fresh.closed_at == source.closed_at
    assert fresh.last_activity_at == source.last_activity_at
    assert fresh.department_id == source.department_id
    assert not Message.objects.filter(ticket=fresh).exists()


@pytest.mark.parametrize("path", ["/tickets/{number}", "/desk/tickets/{number}"])
def test_reading_a_merged_number_answers_the_target(api_as, owner, agent, merged, path) -> None:
    source, target = merged
    api = api_as(agent if path.startswith("/desk") else owner)
    response = api.get(path.format(number=source.number))
    assert response.status_code == 200
    body = response.json()
    assert body["number"] == target.number
    assert body["merged_from"] == source.number
    assert body["merged_into"] is None
    assert body["subject"] == "Site is down"
    bodies = [m["body"] for m in body["messages"]]
    assert sum("500 since this morning" in b for b in bodies) == 2  # both first messages
    # The target's own number says nothing was asked for in its place.
    assert api.get(path.format(number=target.number)).json()["merged_from"] is None


def test_a_client_reply_to_a_merged_number_lands_on_the_target(api_as, owner, merged) -> None:
    source, target = merged
    before = target.messages.count()
    response = api_as(owner).post(f"/tickets/{source.number}/replies", {"message": REPLY})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["ticket"]["number"] == target.number
    assert body["ticket"]["merged_from"] == source.number
    message = Message.objects.get(pk=body["message"]["id"])
    assert message.ticket_id == target.pk
    assert message.body == REPLY
    assert target.messages.count() == before + 1
    assert_left_as_merged(source)


@pytest.mark.parametrize("internal", [False, True])
def test_an_agent_reply_to_a_merged_number_lands_on_the_target(
    api_as, agent, merged, internal
) -> None:
    source, target = merged
    response = api_as(agent).post(
        f"/desk/tickets/{source.number}/replies", {"message": REPLY, "internal": internal}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["ticket"]["number"] == target.number
    assert body["ticket"]["merged_from"] == source.number
    assert Message.objects.get(pk=body["message"]["id"]).ticket_id == target.pk
    if not internal:
        assert Ticket.objects.get(pk=target.pk).status == Ticket.Status.ANSWERED
    assert_left_as_merged(source)


def test_a_transfer_of_a_merged_number_moves_the_target(api_as, agent, merged, sales) -> None:
    source, target = merged
    sales.agents.add(agent)
    response = api_as(agent).post(
        f"/desk/tickets/{source.number}/transfer", {"department": "sales"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["ticket"]["number"] == target.number
    assert body["ticket"]["merged_from"] == source.number
    assert body["ticket"]["department"]["slug"] == "sales"
    assert Ticket.objects.get(pk=target.pk).department == sales
    assert_left_as_merged(source)


def test_closing_a_merged_number_closes_the_target(api_as, owner, merged) -> None:
    source, target = merged
    response = api_as(owner).post(f"/tickets/{source.number}/close")
    assert response.status_code == 200
    assert response.json()["ticket"]["number"] == target.number
    assert response.json()["ticket"]["merged_from"] == source.number
    assert Ticket.objects.get(pk=target.pk).status == Ticket.Status.CLOSED
    assert_left_as_merged(source)


def test_a_chain_of_merges_is_followed_to_the_end(api_as, owner, agent, service, merged) -> None:
    source, middle = merged
    last = factories.open_ticket(owner, service=service, subject="Still down")
    ticket_merge(actor=agent, source=middle, target=last)
    body = api_as(owner).get(f"/tickets/{source.number}").json()
    assert (body["number"], body["merged_from"]) == (last.number, source.number)


def test_a_merged_number_never_leads_an_agent_out_of_their_departments(
    api_as, owner, agent, admin, service, billing
) -> None:
    """Merged into a Billing ticket: for a Support agent the old number leads nowhere."""
    source = factories.open_ticket(owner, service=service)
    target = factories.open_ticket(owner, service=service, department=billing)
    ticket_merge(actor=admin, source=source, target=target)
    api = api_as(agent)
    assert api.get(f"/desk/tickets/{source.number}").status_code == 404
    reply = api.post(f"/desk/tickets/{source.number}/replies", {"message": REPLY})
    assert reply.status_code == 404
    assert reply.json() == NOT_FOUND
    assert not Message.objects.filter(author=agent).exists()
