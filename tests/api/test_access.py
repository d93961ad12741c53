"""Who may reach a ticket through the API (SPEC §3 "Only the account"), as a table: actor by
endpoint. Everyone not allowed gets the same 404 as for a ticket that does not exist, and the
ticket is left as it was."""

import pytest

from chamado.tickets.models import Attachment, Ticket
from tests import factories
from tests.api.conftest import NOT_FOUND

pytestmark = pytest.mark.django_db

REPLY = {"message": "Somebody else writing into this ticket, long enough."}


@pytest.fixture
def opened(owner, service, support) -> Ticket:
    return factories.open_ticket(
        owner,
        service=service,
        department=support,
        files=[factories.upload("invoice.pdf", factories.PDF_BYTES)],
    )


def attachment_id(ticket: Ticket) -> str:
    return str(Attachment.objects.filter(message__ticket=ticket).values_list("pk", flat=True)[0])


# endpoint → (method, path for a ticket, JSON body)
CLIENT_ENDPOINTS = {
    "detail": ("get", lambda t: f"/tickets/{t.number}", None),
    "reply": ("post", lambda t: f"/tickets/{t.number}/replies", REPLY),
    "close": ("post", lambda t: f"/tickets/{t.number}/close", None),
    "attachment": ("get", lambda t: f"/attachments/{attachment_id(t)}", None),
}
DESK_ENDPOINTS = {
    "desk detail": ("get", lambda t: f"/desk/tickets/{t.number}", None),
    "desk reply": ("post", lambda t: f"/desk/tickets/{t.number}/replies", REPLY),
    "desk note": (
        "post",
        lambda t: f"/desk/tickets/{t.number}/replies",
        {**REPLY, "internal": True},
    ),
    "transfer": ("post", lambda t: f"/desk/tickets/{t.number}/transfer", {"department": "sales"}),
    "desk attachment": ("get", lambda t: f"/desk/attachments/{attachment_id(t)}", None),
}
# Agents see tickets in the desk, never through the client's endpoints.
CLIENT_OUTSIDERS = ["other_owner", "contact_without_tickets", "agent", "billing_agent"]
DESK_OUTSIDERS = ["billing_agent", "owner", "contact", "other_owner", "contact_without_tickets"]


def call(api, endpoints, name, ticket):
    method, build, data = endpoints[name]
    path = build(ticket)
    return api.post(path, data) if method == "post" else api.get(path)


def assert_not_found(response, ticket: Ticket) -> None:
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.status == Ticket.Status.OPEN
    assert fresh.department.slug == "support"
    assert fresh.messages.count() == 1


@pytest.mark.parametrize("name", CLIENT_ENDPOINTS)
@pytest.mark.parametrize("actor", CLIENT_OUTSIDERS)
def test_client_endpoints_answer_404_to_outsiders(
    api_as, request_fixture, opened, sales, actor, name
) -> None:
    assert_not_found(call(api_as(request_fixture(actor)), CLIENT_ENDPOINTS, name, opened), opened)


@pytest.mark.parametrize("name", DESK_ENDPOINTS)
@pytest.mark.parametrize("actor", DESK_OUTSIDERS)
def test_desk_endpoints_answer_404_to_outsiders(
    api_as, request_fixture, opened, sales, actor, name
) -> None:
    assert_not_found(call(api_as(request_fixture(actor)), DESK_ENDPOINTS, name, opened), opened)


@pytest.mark.parametrize("actor", ["owner", "contact", "contact_without_tickets"])
def test_the_queue_answers_404_to_clients(api_as, request_fixture, opened, actor) -> None:
    response = api_as(request_fixture(actor)).get("/desk/queue")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


@pytest.mark.parametrize(
    ("actor", "endpoints"),
    [("owner", CLIENT_ENDPOINTS), ("agent", DESK_ENDPOINTS)],
)
def test_a_missing_ticket_looks_the_same_as_a_forbidden_one(
    api_as, request_fixture, opened, sales, actor, endpoints
) -> None:
    api = api_as(request_fixture(actor))
    missing = Ticket(number=100_000 if opened.number != 100_000 else 100_001)
    for name, (method, build, data) in endpoints.items():
        if "attachment" in name:
            path = build(opened).rsplit("/", 1)[0] + "/7f1c9c6e-0000-4000-8000-000000000000"
        else:
            path = build(missing)
        response = api.post(path, data) if method == "post" else api.get(path)
        assert response.status_code == 404, name
        assert response.json() == NOT_FOUND


@pytest.mark.parametrize("actor", ["owner", "contact"])
def test_owner_and_contact_with_tickets_reach_every_client_endpoint(
    api_as, request_fixture, opened, actor
) -> None:
    api = api_as(request_fixture(actor))
    for name in CLIENT_ENDPOINTS:
        assert call(api, CLIENT_ENDPOINTS, name, opened).status_code in (200, 201), name


@pytest.mark.parametrize("actor", ["agent", "admin"])
def test_agent_of_the_department_and_administrator_reach_every_desk_endpoint(
    api_as, request_fixture, opened, sales, actor
) -> None:
    api = api_as(request_fixture(actor))
    for name in ["desk detail", "desk reply", "desk note", "desk attachment", "transfer"]:
        assert call(api, DESK_ENDPOINTS, name, opened).status_code in (200, 201), name
