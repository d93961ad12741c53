"""A ticket's followers through the API, under the same rules as the client area's."""

from typing import Any

import pytest

from chamado.mail.models import Delivery
from chamado.tickets.actions import ticket_reply_by_agent
from chamado.tickets.models import TicketFollower
from tests import factories
from tests.api.conftest import ApiClient, token_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(owner: Any, support: Any) -> Any:
    return factories.open_ticket(owner, department=support)


def test_the_list_names_the_opener_and_who_could_follow(
    owner: Any, contact: Any, contact_without_tickets: Any, ticket: Any
) -> None:
    body = ApiClient(token_for(owner)).get(f"/tickets/{ticket.number}/followers").json()
    assert body["opened_by"]["email"] == owner.email
    assert body["followers"] == []
    assert [person["email"] for person in body["candidates"]] == [contact.email]


def test_a_follower_added_gets_the_emails_and_adding_again_changes_nothing(
    owner: Any, contact: Any, agent: Any, ticket: Any
) -> None:
    api = ApiClient(token_for(owner))
    first = api.post(f"/tickets/{ticket.number}/followers", {"user": contact.pk})
    again = api.post(f"/tickets/{ticket.number}/followers", {"user": contact.pk})
    assert (first.status_code, first.json()["changed"]) == (200, True)
    assert (again.status_code, again.json()["changed"]) == (200, False)
    ticket_reply_by_agent(actor=agent, ticket=ticket, body="Fixed on our side, please check.")
    assert Delivery.objects.filter(recipient=contact, kind=Delivery.Kind.AGENT_REPLY).exists()


def test_someone_of_another_account_cannot_be_added(
    owner: Any, other_owner: Any, ticket: Any
) -> None:
    response = ApiClient(token_for(owner)).post(
        f"/tickets/{ticket.number}/followers", {"user": other_owner.pk}
    )
    assert response.status_code == 422 and "user" in response.json()["fields"]
    assert not TicketFollower.objects.exists()


def test_a_follower_takes_themselves_off(owner: Any, contact: Any, ticket: Any) -> None:
    ApiClient(token_for(owner)).post(f"/tickets/{ticket.number}/followers", {"user": contact.pk})
    client = ApiClient(token_for(contact))
    response = client.client.delete(
        f"/api/v1/tickets/{ticket.number}/followers/{contact.pk}", headers=client.headers
    )
    assert response.status_code == 200 and response.json()["changed"]
    assert not TicketFollower.objects.exists()


@pytest.mark.parametrize("who", ["other_owner", "contact_without_tickets", "agent"])
def test_outsiders_get_404(who: str, request: Any, contact: Any, ticket: Any) -> None:
    api = ApiClient(token_for(request.getfixturevalue(who)))
    assert api.get(f"/tickets/{ticket.number}/followers").status_code == 404
    response = api.post(f"/tickets/{ticket.number}/followers", {"user": contact.pk})
    assert response.status_code == 404
    assert not TicketFollower.objects.exists()
