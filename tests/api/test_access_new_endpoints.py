"""Who may reach a ticket through the endpoints of issue 10, as a table: each endpoint that
names a ticket or a file (in its path, its query or its body), tried by the owner, a contact
without the `tickets` permission, a contact of another account, an agent of another
department and the anonymous. Anyone not allowed gets exactly the answer a ticket that does
not exist gets (404, or 401 without a token; an empty list where a list is asked for), and the
ticket is left as it was: nothing hints that it exists."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from chamado.tickets.actions import ticket_reply_by_agent
from chamado.tickets.models import Attachment, CannedReply, Message, Ticket
from tests import factories
from tests.api.conftest import NOT_FOUND, ApiClient, token_for

pytestmark = pytest.mark.django_db

REPLY = "Somebody writing into this ticket, long enough to pass."
MISSING = 999_999_999  # no ticket has this number (nine digits are never given here)


@dataclass(frozen=True)
class Call:
    method: str  # get, post, patch, multipart
    path: Callable[[int], str]
    body: Callable[[int], dict[str, Any]] | None = None


def png() -> Any:
    return factories.upload("screen.png", factories.png_bytes(), "image/png")


# Endpoints naming one ticket (a number) in the path or the query: 404 for outsiders.
CLIENT_CALLS = {
    "reply with a file": Call(
        "multipart",
        lambda n: f"/tickets/{n}/replies",
        lambda n: {"message": REPLY, "attachments": [png()]},
    ),
}
DESK_CALLS = {
    "change": Call("patch", lambda n: f"/desk/tickets/{n}", lambda n: {"priority": 3}),
    "note": Call("post", lambda n: f"/desk/tickets/{n}/notes", lambda n: {"message": REPLY}),
    "note with a file": Call(
        "multipart",
        lambda n: f"/desk/tickets/{n}/notes",
        lambda n: {"message": REPLY, "attachments": [png()]},
    ),
    "reply with a file": Call(
        "multipart",
        lambda n: f"/desk/tickets/{n}/replies",
        lambda n: {"message": REPLY, "attachments": [png()]},
    ),
    "merge": Call(
        "post", lambda n: f"/desk/tickets/{n}/merge", None
    ),  # body: the scene's other ticket
    "canned replies": Call("get", lambda n: f"/desk/canned-replies?ticket={n}"),
}
CLIENT_OUTSIDERS = ["no_tickets", "other_account", "billing_agent", "support_agent"]
DESK_OUTSIDERS = ["owner", "no_tickets", "other_account", "billing_agent"]


@pytest.fixture
def scene(owner, contact_without_tickets, other_owner, agent, billing_agent, service, support):
    ticket = factories.open_ticket(owner, service=service, department=support, files=[png()])
    second = factories.open_ticket(owner, service=service, department=support, subject="Second")
    ticket_reply_by_agent(actor=agent, ticket=ticket, body="Internal: the log.", is_internal=True)
    CannedReply.objects.create(title="Hello", body="Hi {client_name}.", department=support)
    return {
        "ticket": ticket,
        "second": second,
        "people": {
            "owner": owner,
            "no_tickets": contact_without_tickets,
            "other_account": other_owner,
            "billing_agent": billing_agent,
            "support_agent": agent,
            "anonymous": None,
        },
    }


def snapshot(ticket: Ticket) -> tuple[Any, ...]:
    fresh = Ticket.objects.get(pk=ticket.pk)
    return (
        fresh.status,
        fresh.priority,
        fresh.assignee_id,
        fresh.department_id,
        fresh.merged_into_id,
        fresh.last_activity_at,
        Message.objects.filter(ticket=fresh).count(),
        Attachment.objects.filter(message__ticket=fresh).count(),
    )


def send(person: Any, call: Call, number: int, scene: dict[str, Any]) -> Any:
    api = ApiClient(token_for(person) if person else None)
    path = call.path(number)
    body = call.body(number) if call.body else {"target": scene["second"].number}
    if call.method == "get":
        return api.client.get("/api/v1" + path, headers=api.headers)
    return getattr(api, call.method)(path, body)


def assert_same_as_missing(person, call, scene, *, anonymous_status: int = 401) -> None:
    before = snapshot(scene["ticket"])
    refused = send(person, call, scene["ticket"].number, scene)
    missing = send(person, call, MISSING, scene)
    expected = anonymous_status if person is None else 404
    assert (refused.status_code, missing.status_code) == (expected, expected)
    assert refused.json() == missing.json()
    if person is not None:
        assert refused.json() == NOT_FOUND
    assert snapshot(scene["ticket"]) == before, "a refused request changed the ticket"
    assert (
        not Attachment.objects.filter(original_name="screen.png")
        .exclude(message__ticket=scene["ticket"], message__is_internal=False)
        .exists()
    ), "a refused file was stored"


@pytest.mark.parametrize("name", CLIENT_CALLS)
@pytest.mark.parametrize("actor", [*CLIENT_OUTSIDERS, "anonymous"])
def test_client_endpoints_look_missing_to_outsiders(scene, actor, name) -> None:
    assert_same_as_missing(scene["people"][actor], CLIENT_CALLS[name], scene)


@pytest.mark.parametrize("name", DESK_CALLS)
@pytest.mark.parametrize("actor", [*DESK_OUTSIDERS, "anonymous"])
def test_desk_endpoints_look_missing_to_outsiders(scene, actor, name) -> None:
    assert_same_as_missing(scene["people"][actor], DESK_CALLS[name], scene)


@pytest.mark.parametrize("name", CLIENT_CALLS)
def test_the_owner_reaches_the_client_endpoints(scene, name) -> None:
    response = send(scene["people"]["owner"], CLIENT_CALLS[name], scene["ticket"].number, scene)
    assert response.status_code in (200, 201), response.content


@pytest.mark.parametrize("name", DESK_CALLS)
def test_an_agent_of_the_department_reaches_the_desk_endpoints(scene, name) -> None:
    agent = scene["people"]["support_agent"]
    response = send(agent, DESK_CALLS[name], scene["ticket"].number, scene)
    assert response.status_code in (200, 201), response.content


# ---- Tickets named in a query or a body: left out, as if they did not exist


@pytest.mark.parametrize("actor", ["no_tickets", "other_account", "billing_agent", "support_agent"])
def test_a_client_search_by_number_finds_only_your_tickets(scene, actor) -> None:
    person = scene["people"][actor]
    api = ApiClient(token_for(person))
    response = api.get("/tickets", {"q": str(scene["ticket"].number)})
    missing = api.get("/tickets", {"q": str(MISSING)})
    assert response.status_code == missing.status_code
    assert response.json() == missing.json()


@pytest.mark.parametrize("actor", ["billing_agent"])
def test_a_desk_search_by_number_finds_only_your_departments(scene, actor) -> None:
    api = ApiClient(token_for(scene["people"][actor]))
    found = api.get("/desk/search", {"q": str(scene["ticket"].number)}).json()
    assert found["items"] == [] and found["count"] == 0


@pytest.mark.parametrize("actor", ["owner", "no_tickets", "other_account"])
def test_the_desk_search_and_bulk_look_missing_to_clients(scene, actor) -> None:
    api = ApiClient(token_for(scene["people"][actor]))
    before = snapshot(scene["ticket"])
    search = api.get("/desk/search", {"q": "down"})
    bulk = api.post(
        "/desk/bulk", {"tickets": [scene["ticket"].number], "action": "status", "status": "closed"}
    )
    assert (search.status_code, search.json()) == (404, NOT_FOUND)
    assert (bulk.status_code, bulk.json()) == (404, NOT_FOUND)
    assert snapshot(scene["ticket"]) == before


def test_bulk_leaves_out_a_ticket_of_another_department(scene) -> None:
    """The billing agent names a Support ticket: it is left out, as a number that does not
    exist is; the answer is the same refusal as for no ticket at all."""
    api = ApiClient(token_for(scene["people"]["billing_agent"]))
    before = snapshot(scene["ticket"])
    theirs = api.post(
        "/desk/bulk", {"tickets": [scene["ticket"].number], "action": "status", "status": "closed"}
    )
    missing = api.post("/desk/bulk", {"tickets": [MISSING], "action": "status", "status": "closed"})
    assert theirs.status_code == missing.status_code == 422
    assert theirs.json() == missing.json()
    assert snapshot(scene["ticket"]) == before


def test_merge_into_a_ticket_out_of_reach_is_told_as_missing(scene, billing) -> None:
    """A Support agent merging into a Billing ticket of the same account hears what a number
    that does not exist gets."""
    agent = scene["people"]["support_agent"]
    elsewhere = factories.open_ticket(scene["people"]["owner"], department=billing)
    api = ApiClient(token_for(agent))
    path = f"/desk/tickets/{scene['ticket'].number}/merge"
    before = snapshot(scene["ticket"])
    theirs = api.post(path, {"target": elsewhere.number})
    missing = api.post(path, {"target": MISSING})
    assert theirs.status_code == missing.status_code == 422
    assert theirs.json() == missing.json()
    assert snapshot(scene["ticket"]) == before


def test_assigning_someone_out_of_the_department_is_told_as_nobody(scene) -> None:
    """An assignee id of a client, of an agent of another department, or of nobody: one
    answer, so ids of people are not probed through the desk."""
    agent = scene["people"]["support_agent"]
    api = ApiClient(token_for(agent))
    path = f"/desk/tickets/{scene['ticket'].number}"
    answers = [
        api.patch(path, {"assignee": person.pk}).json()
        for person in (scene["people"]["owner"], scene["people"]["billing_agent"])
    ]
    answers.append(api.patch(path, {"assignee": 987_654_321}).json())
    assert answers[0] == answers[1] == answers[2]
    assert Ticket.objects.get(pk=scene["ticket"].pk).assignee_id is None
