"""What schemathesis (tests/api/test_schemathesis.py) found, each pinned on its own."""

from typing import Any

import pytest
from ninja import Schema
from pydantic import BaseModel

from chamado.api.api import api
from tests.api.conftest import API

pytestmark = pytest.mark.django_db


def _models(annotation: Any) -> set[type[BaseModel]]:
    """The pydantic models an annotation names, nested ones included."""
    found: set[type[BaseModel]] = set()
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        found.add(annotation)
        for field in annotation.model_fields.values():
            found |= _models(field.annotation)
    for argument in getattr(annotation, "__args__", ()) or ():
        found |= _models(argument)
    return found


def test_no_two_schemas_share_a_name_in_the_document() -> None:
    """Found: the provisioning endpoints' `ServiceOut` and `AccountOut` took the names of the
    client's and the desk's, and the document, keyed by name, kept one of each: a ticket's
    `service` was described as a provisioned service (with `external_id` and `details`,
    required), so every ticket read failed the document's own schema. Provisioning's are
    `ProvisionedServiceOut` and `ProvisionedAccountOut` now."""
    by_name: dict[str, set[type[BaseModel]]] = {}
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in operation.response_models.values():
                    for found in _models(model):
                        # ninja wraps each answer in a NinjaResponseSchema of its own: not named
                        if issubclass(found, Schema) and found.__name__ != "NinjaResponseSchema":
                            by_name.setdefault(found.__name__, set()).add(found)
    clashes = {
        name: sorted(f"{m.__module__}.{m.__qualname__}" for m in models)
        for name, models in by_name.items()
        if len(models) > 1
    }
    assert not clashes


def test_a_ticket_read_matches_the_documented_schema(api_as, owner, service, ticket, client):
    """The same finding, end to end: the answer validates against the served document."""
    jsonschema = pytest.importorskip("jsonschema_rs")
    document = client.get(f"{API}/openapi.json").json()
    schema = {
        "$ref": "#/components/schemas/TicketOut",
        "components": document["components"],
    }
    body = api_as(owner).get(f"/tickets/{ticket.number}").json()
    assert body["service"]["label"] == service.label
    jsonschema.validator_for(schema).validate(body)
