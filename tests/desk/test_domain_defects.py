"""Defects found when the rules lived in the surfaces, each through the desk."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chamado.core.errors import ApplicationError
from chamado.tickets.actions import ticket_reply_by_agent, ticket_transfer
from chamado.tickets.models import Department, Policy, Ticket

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:alert(1)"],
)
def test_bulk_goes_back_only_to_a_local_path(agent_client, ticket, next_url) -> None:
    data = {"tickets": [ticket.number], "action": "status", "status": "on_hold"}
    response = agent_client.post(reverse("desk:bulk"), {**data, "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == reverse("desk:queue")


def test_bulk_goes_back_to_the_filtered_queue(agent_client, ticket) -> None:
    back = reverse("desk:queue") + "?status=all&priority=3"
    data = {"tickets": [ticket.number], "action": "status", "status": "on_hold", "next": back}
    assert agent_client.post(reverse("desk:bulk"), data)["Location"] == back


@pytest.fixture
def hidden(db: None) -> Any:
    return Department.objects.create(name="Abuse", slug="abuse", is_visible=False, position=9)


def test_a_hidden_department_takes_no_transfer(agent, agent_client, ticket, hidden) -> None:
    response = agent_client.post(
        reverse("desk:transfer", args=[ticket.number]), {"department": hidden.pk, "note": ""}
    )
    assert response.status_code == 400
    with pytest.raises(ApplicationError):
        ticket_transfer(actor=agent, ticket=ticket, department=hidden)
    bulk = {"tickets": [ticket.number], "action": "transfer", "department": hidden.pk}
    agent_client.post(reverse("desk:bulk"), bulk)
    assert Ticket.objects.get(pk=ticket.pk).department_id != hidden.pk


def test_an_agent_cannot_set_a_status_only_a_client_makes(agent_client, ticket) -> None:
    page = agent_client.get(reverse("desk:ticket", args=[ticket.number])).content.decode()
    assert 'value="customer_reply"' not in page.split('id="id_status"')[1].split("</select>")[0]
    response = agent_client.post(
        reverse("desk:change", args=[ticket.number]),
        {"status": "customer_reply", "priority": "2", "assignee": ""},
    )
    assert response.status_code == 400
    assert Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.OPEN


def test_an_internal_note_with_a_status_is_refused_by_the_action(agent, ticket) -> None:
    with pytest.raises(ApplicationError, match="internal note does not change the status"):
        ticket_reply_by_agent(
            actor=agent, ticket=ticket, body="note", is_internal=True, status="closed"
        )


def test_reading_the_policy_never_writes(agent_client, ticket) -> None:
    assert Policy.objects.filter(pk=1).exists()  # the migration made the row
    Policy.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        policy = Policy.current()
        agent_client.get(reverse("desk:ticket", args=[ticket.number]))
    assert policy.attachment_max_mb == 10  # the defaults, until an administrator saves
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("INSERT")]
    assert not [sql for sql in writes if "tickets_policy" in sql]
    assert not Policy.objects.exists()
