"""Every answer under /api/ is JSON in one shape (code, message, detail, fields), and bad input
is a 4xx, never a 500: forged cursors, unknown paths, wrong methods, oversized, malformed or
foreign bodies, text no database can store, booleans and decimals for whole numbers. A crash
inside an endpoint is a JSON 500 without the traceback."""

import json

import pytest

from chamado.tickets.models import Department, Message, Ticket
from tests import factories
from tests.api.conftest import API, NOT_FOUND

pytestmark = pytest.mark.django_db

MESSAGE = "The site answers 500 since this morning; I restarted PHP already."


@pytest.fixture
def owner_api(api_as, owner):
    api = api_as(owner)
    api.client.raise_request_exception = False  # see the 500 the server would send
    return api


@pytest.fixture
def agent_api(api_as, agent):
    api = api_as(agent)
    api.client.raise_request_exception = False
    return api


CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "server_error",
}


def assert_json_error(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response.content[:300]
    body = response.json()
    assert body["code"] == CODES[status]
    assert isinstance(body["message"], str) and body["message"]
    assert body["detail"] == body["message"]
    assert isinstance(body["fields"], dict)
    return body


def raw_post(api, path: str, body: str, **headers: str):
    return api.client.post(
        API + path, body, content_type="application/json", headers={**api.headers, **headers}
    )


# ---- Paging


@pytest.mark.parametrize(
    "cursor", ["x", "eyJ0IjoxfQ", "1:abc:def", "[1, 2]", "\u00e9" * 10, "a" * 501]
)
@pytest.mark.parametrize("path", ["/tickets", "/desk/queue"])
def test_forged_cursors_are_422_json(api_as, owner, agent, cursor, path) -> None:
    api = api_as(agent if path.startswith("/desk") else owner)
    api.client.raise_request_exception = False
    body = assert_json_error(api.get(path, {"cursor": cursor}), 422)
    assert list(body["fields"]) == ["cursor"]


def test_a_cursor_of_another_list_is_refused(api_as, owner, agent, service, support) -> None:
    """A queue cursor holds other keys than a ticket list's: refused, never misread."""
    for n in range(3):
        factories.open_ticket(owner, service=service, subject=f"Ticket {n}")
    cursor = api_as(agent).get("/desk/queue", {"page_size": 1}).json()["next_cursor"]
    assert cursor
    body = assert_json_error(api_as(owner).get("/tickets", {"cursor": cursor}), 422)
    assert list(body["fields"]) == ["cursor"]


@pytest.mark.parametrize("size", ["0", "101", "2.0", "-1", "x", "99999999999999999999"])
def test_bad_page_sizes_are_422_json(owner_api, size) -> None:
    body = assert_json_error(owner_api.get("/tickets", {"page_size": size}), 422)
    assert list(body["fields"]) == ["page_size"]


# ---- Paths and methods


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/nope"),
        ("get", "/api/nope"),
        ("get", "/api/"),
        ("get", "/api/v1/tickets/"),  # no trailing slashes in the API
        ("post", "/api/v1/nope"),
        ("get", "/api/v1/desk/tickets/1/nope"),
    ],
)
def test_unknown_paths_are_404_json(owner_api, method, path) -> None:
    response = getattr(owner_api.client, method)(path, headers=owner_api.headers)
    assert assert_json_error(response, 404) == NOT_FOUND


def test_unknown_paths_answer_json_without_a_token_too(client) -> None:
    assert_json_error(client.get("/api/v1/nope"), 404)


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("delete", "/tickets", {"GET", "POST"}),
        ("put", "/tickets/123456", {"GET"}),
        ("get", "/tickets/123456/close", {"POST"}),
        ("patch", "/desk/queue", {"GET"}),
    ],
)
def test_wrong_method_is_405_json_with_allow(owner_api, method, path, allowed) -> None:
    response = getattr(owner_api.client, method)(API + path, headers=owner_api.headers)
    assert_json_error(response, 405)
    assert {m.strip() for m in response["Allow"].split(",")} == allowed


def test_pages_outside_the_api_keep_their_html_404(client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


# ---- Bodies


def test_oversized_body_is_413_json(owner_api, ticket, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"message": "x" * 2000})
    response = raw_post(owner_api, f"/tickets/{ticket.number}/replies", body)
    assert_json_error(response, 413)
    assert ticket.messages.count() == 1


@pytest.mark.parametrize("body", ["{not json", '{"message": ', "\x00", "message=hello"])
def test_malformed_json_is_400_json(owner_api, ticket, body) -> None:
    assert_json_error(raw_post(owner_api, f"/tickets/{ticket.number}/replies", body), 400)
    assert ticket.messages.count() == 1


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "null", "42"])
def test_json_that_is_no_object_is_422(owner_api, ticket, body) -> None:
    assert_json_error(raw_post(owner_api, f"/tickets/{ticket.number}/replies", body), 422)


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/xml", "application/x-www-form-urlencoded"]
)
def test_a_body_neither_json_nor_a_form_with_files_is_415(owner_api, ticket, content_type):
    response = owner_api.client.post(
        f"{API}/tickets/{ticket.number}/replies",
        "message=One more detail, long enough.",
        content_type=content_type,
        headers=owner_api.headers,
    )
    assert_json_error(response, 415)
    assert ticket.messages.count() == 1


def test_a_broken_form_is_400(owner_api, ticket) -> None:
    response = owner_api.client.post(
        f"{API}/tickets/{ticket.number}/replies",
        b"--x\r\nContent-Disposition: form-data; name=message\r\n\r\nhello",
        content_type="multipart/form-data; boundary=",
        headers=owner_api.headers,
    )
    assert_json_error(response, 400)
    assert ticket.messages.count() == 1


# ---- Values


def open_body(service, /, **overrides) -> dict:
    payload = {
        "department": "support",
        "service": service.pk,
        "subject": "Site is down",
        "priority": 3,
        "message": MESSAGE,
    }
    payload.update(overrides)
    return payload


@pytest.mark.parametrize("priority", ["true", "false", "2.0", "1.5", '"2"', "[2]"])
def test_priority_is_a_whole_number_only(owner_api, service, support, priority) -> None:
    body = json.dumps(open_body(service)).replace('"priority": 3', f'"priority": {priority}')
    response = raw_post(owner_api, "/tickets", body)
    assert list(assert_json_error(response, 422)["fields"]) == ["priority"]
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("value", [True, 1.0, "1"])
def test_a_service_is_its_id_not_a_boolean_or_text(owner_api, service, support, value) -> None:
    response = owner_api.post("/tickets", open_body(service, service=value))
    assert list(assert_json_error(response, 422)["fields"]) == ["service"]
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [{"internal": "yes"}, {"internal": 1}, {"confirm_crossed": "true"}, {"seen_message_id": True}],
)
def test_desk_reply_flags_and_ids_are_strict(agent_api, ticket, overrides) -> None:
    response = agent_api.post(
        f"/desk/tickets/{ticket.number}/replies", {"message": "Checking now.", **overrides}
    )
    assert list(assert_json_error(response, 422)["fields"]) == list(overrides)
    assert ticket.messages.count() == 1


@pytest.mark.parametrize("priority", ["2.0", "true", "1e0", "4", "0"])
def test_queue_priority_filter_is_a_whole_number_from_1_to_3(agent_api, priority) -> None:
    response = agent_api.get("/desk/queue", {"priority": priority})
    assert list(assert_json_error(response, 422)["fields"]) == ["priority"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("department", "sup\x00port"),
        ("subject", "Site\x00 is down"),
        ("message", MESSAGE + "\x00"),
        ("department", "\ud800"),
        ("message", MESSAGE + "\ud800"),
    ],
)
def test_text_no_database_can_store_is_422(owner_api, service, support, field, value) -> None:
    """NUL (PostgreSQL refuses it; Django's forms too) and a lone surrogate (a JSON escape
    that is no character)."""
    body = json.dumps(open_body(service, **{field: value}))  # escapes them as \\u0000, \\ud800
    response = raw_post(owner_api, "/tickets", body)
    assert list(assert_json_error(response, 422)["fields"]) == [field]
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    ("path", "payload"),
    [
        ("/desk/queue", None),
        ("/desk/tickets/{number}/transfer", {"note": "Moving it.\ud800"}),
        ("/desk/tickets/{number}/replies", {"message": "Checking now.\ud800"}),
    ],
)
def test_desk_text_no_database_can_store_is_422(agent_api, ticket, path, payload) -> None:
    path = path.format(number=ticket.number)
    if payload is None:
        response = agent_api.get(path, {"department": "sup\x00port"})
    else:
        body = json.dumps({"department": "sales", **payload})
        response = raw_post(agent_api, path, body)
    assert_json_error(response, 422)
    assert Ticket.objects.get(pk=ticket.pk).department.slug == "support"
    assert ticket.messages.count() == 1


# ---- Refusals the API no longer decides itself


def test_transfer_to_a_hidden_department_is_refused(agent_api, ticket, billing) -> None:
    Department.objects.filter(pk=billing.pk).update(is_visible=False)
    response = agent_api.post(f"/desk/tickets/{ticket.number}/transfer", {"department": "billing"})
    body = assert_json_error(response, 422)
    assert body["fields"] == {"department": ["Choose a department."]}
    assert Ticket.objects.get(pk=ticket.pk).department.slug == "support"


def test_opening_in_a_hidden_department_is_refused(owner_api, service, billing) -> None:
    Department.objects.filter(pk=billing.pk).update(is_visible=False)
    response = owner_api.post("/tickets", open_body(service, department="billing"))
    assert list(assert_json_error(response, 422)["fields"]) == ["department"]
    assert not Ticket.objects.exists()


# ---- A crash


@pytest.mark.parametrize("debug", [False, True])
def test_a_server_error_in_an_endpoint_is_500_json_without_traceback(
    owner_api, ticket, settings, debug
) -> None:
    """A status no schema knows (a row edited by hand) makes the answer fail to build."""
    settings.DEBUG = debug
    Ticket.objects.filter(pk=ticket.pk).update(status="lost")
    response = owner_api.get(f"/tickets/{ticket.number}")
    body = assert_json_error(response, 500)
    assert body["fields"] == {}
    text = response.content.decode()
    assert "Traceback" not in text
    assert "lost" not in text
    assert "pydantic" not in text


def test_the_api_errors_speak_the_requests_language(api_as, owner) -> None:
    api = api_as(owner, **{"Accept-Language": "pt-br"})
    response = api.client.get("/api/v1/nope", headers=api.headers)
    assert response.status_code == 404
    assert response.json()["message"] == "Não encontrado."
    assert Message.objects.count() == 0
