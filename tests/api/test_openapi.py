"""The OpenAPI document is served to anyone, and says everything a generated client needs:
every path, the bearer token, every status each endpoint may answer in the one error shape,
both bodies (JSON, and a form with files) where files are taken, the limits the server
enforces, a summary, a description and examples for every endpoint."""

from typing import get_args

import pytest

from chamado.api import schemas
from chamado.tickets.models import Ticket
from tests.api.conftest import API

pytestmark = pytest.mark.django_db

PATHS = {
    "/api/v1/departments": {"get"},
    "/api/v1/services": {"get"},
    "/api/v1/tickets": {"get", "post"},
    "/api/v1/tickets/{number}": {"get"},
    "/api/v1/tickets/{number}/replies": {"post"},
    "/api/v1/tickets/{number}/close": {"post"},
    "/api/v1/tickets/{number}/followers": {"get", "post"},
    "/api/v1/tickets/{number}/followers/{user}": {"delete"},
    "/api/v1/attachments/{attachment_id}": {"get"},
    "/api/v1/desk/queue": {"get"},
    "/api/v1/desk/search": {"get"},
    "/api/v1/desk/tickets/{number}": {"get", "patch"},
    "/api/v1/desk/tickets/{number}/replies": {"post"},
    "/api/v1/desk/tickets/{number}/notes": {"post"},
    "/api/v1/desk/tickets/{number}/transfer": {"post"},
    "/api/v1/desk/tickets/{number}/merge": {"post"},
    "/api/v1/desk/bulk": {"post"},
    "/api/v1/desk/canned-replies": {"get"},
    "/api/v1/desk/attachments/{attachment_id}": {"get"},
}


def test_openapi_document_lists_every_path_with_bearer_auth(client) -> None:
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    document = response.json()
    assert document["openapi"].startswith("3.")
    paths = {path: set(ops) for path, ops in document["paths"].items()}
    assert {p: ops for p, ops in paths.items() if not p.startswith("/api/v1/provisioning")} == PATHS
    assert document["components"]["securitySchemes"] == {
        "ApiTokenAuth": {"type": "http", "scheme": "bearer"}
    }
    for operations in document["paths"].values():
        for operation in operations.values():
            assert operation["security"] == [{"ApiTokenAuth": []}]
            assert "404" in operation["responses"]


def test_document_names_the_idempotency_key_and_merged_from(client) -> None:
    document = client.get(f"{API}/openapi.json").json()
    with_key = {
        (path, method)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if any(p["name"] == "Idempotency-Key" for p in operation.get("parameters", []))
    }
    assert with_key == {
        ("/api/v1/tickets", "post"),
        ("/api/v1/tickets/{number}/replies", "post"),
        ("/api/v1/desk/tickets/{number}/replies", "post"),
        ("/api/v1/desk/tickets/{number}/notes", "post"),
    }
    for name in ["TicketSummaryOut", "TicketOut", "QueueItemOut", "DeskTicketOut"]:
        assert "merged_from" in document["components"]["schemas"][name]["properties"], name


def test_schema_literals_match_the_models() -> None:
    assert list(get_args(schemas.TicketStatus)) == Ticket.Status.values
    assert list(get_args(schemas.TicketPriority)) == Ticket.Priority.values
    assert set(get_args(schemas.ClientStatusFilter)) == {"active", *Ticket.Status.values}
    assert set(get_args(schemas.QueueStatusFilter)) == {
        "awaiting",
        "active",
        "all",
        *Ticket.Status.values,
    }
