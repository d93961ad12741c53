"""Schemathesis over the OpenAPI document, in process (Django's WSGI application, no server):
a client's, an agent's and an administrator's token, each at least 1,000 generated requests
(valid and invalid ones, to every endpoint, half of them aimed at tickets and files that
exist), and every answer must be no server error, a status the document lists for that
endpoint, the content type it says, and a body its schema accepts.

What it found is pinned by regression tests in tests/api/test_schemathesis_findings.py."""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from chamado.tickets.actions import ticket_reply_by_agent
from chamado.tickets.models import Attachment, CannedReply, Policy
from tests import factories
from tests.api.conftest import API, token_for

pytestmark = pytest.mark.django_db

EXAMPLES = 1100  # per token; the test asserts at least 1,000 requests were made
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def in_process() -> Iterator[Any]:
    """Django's WSGI application inside the test's transaction: as Django's test client does,
    no connection is closed at the end of each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def scene(owner, contact, agent, admin, service, support, sales, billing) -> dict[str, Any]:
    """Tickets with files and notes, canned replies, and no rate limit in the way."""
    policy = Policy.current()
    policy.api_requests_per_minute = 0
    policy.tickets_per_hour = 0
    policy.uploads_per_hour = 0
    policy.flood_max_messages = 10_000
    policy.save()
    tickets = []
    for n in range(3):
        ticket = factories.open_ticket(
            owner,
            service=service,
            subject=f"Ticket {n}",
            files=[factories.upload("screen.png", factories.png_bytes(), "image/png")],
        )
        ticket_reply_by_agent(
            actor=agent,
            ticket=ticket,
            body="Internal: see the log.",
            is_internal=True,
            files=[factories.upload("log.pdf", factories.PDF_BYTES)],
        )
        tickets.append(ticket)
    tickets.append(factories.open_ticket(owner, department=sales, subject="Upgrade"))
    tickets.append(factories.open_ticket(owner, department=billing, subject="Invoice"))
    CannedReply.objects.create(title="Hello", body="Hi {client_name}, about #{ticket_number}.")
    CannedReply.objects.create(title="Reset", body="Done.", department=support)
    return {
        "tokens": {
            "client": token_for(owner),
            "agent": token_for(agent),
            "admin": token_for(admin),
        },
        "numbers": [t.number for t in tickets],
        "files": [str(pk) for pk in Attachment.objects.values_list("pk", flat=True)],
        "agents": [agent.pk, admin.pk, owner.pk],
    }


def _aimed(data: Any, case: Any, scene: dict[str, Any]) -> None:
    """Half the time, a real ticket number, file or agent instead of a random one."""
    if "number" in case.path_parameters and data.draw(st.booleans()):
        case.path_parameters["number"] = data.draw(st.sampled_from(scene["numbers"]))
    if "attachment_id" in case.path_parameters and data.draw(st.booleans()):
        case.path_parameters["attachment_id"] = data.draw(st.sampled_from(scene["files"]))
    body = case.body
    if isinstance(body, dict) and data.draw(st.booleans()):
        if "target" in body:
            body["target"] = data.draw(st.sampled_from(scene["numbers"]))
        if isinstance(body.get("tickets"), list):
            body["tickets"] = data.draw(st.lists(st.sampled_from(scene["numbers"]), min_size=1))
        if "assignee" in body:
            body["assignee"] = data.draw(st.sampled_from(scene["agents"]))


@pytest.mark.parametrize("who", ["client", "agent", "admin"])
def test_generated_requests_get_documented_answers(in_process, scene, who) -> None:
    schema = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", in_process)
    # Provisioning (the billing system's endpoints) has its own tests and tokens.
    schema = schema.exclude(path_regex="^/api/v1/provisioning")
    positive = schema.as_strategy(schemathesis.GenerationMode.POSITIVE)
    negative = schema.as_strategy(schemathesis.GenerationMode.NEGATIVE)
    headers = {"Authorization": f"Bearer {scene['tokens'][who]}"}
    sent: list[int] = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def run(data: Any) -> None:
        mode = data.draw(st.sampled_from(["positive", "negative"]))
        case = data.draw(positive if mode == "positive" else negative)
        if mode == "positive":  # an invalid case stays as generated
            _aimed(data, case, scene)
        case.headers = {**(case.headers or {}), **headers}
        response = case.call()
        sent.append(response.status_code)
        checks = [*CHECKS, negative_data_rejection] if mode == "negative" else CHECKS
        case.validate_response(response, checks=checks, headers=headers)

    run()
    assert len(sent) >= 1000, len(sent)
    assert any(200 <= status < 300 for status in sent)
