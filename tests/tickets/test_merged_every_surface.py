"""One road to a ticket: on every surface, an action on a merged number lands on the ticket it
was merged into, and the merged ticket never changes again (API: tests/api/test_merged.py)."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from chamado.core.errors import ApplicationError
from chamado.tickets.access import access_ticket_by_number, access_ticket_for_agent
from chamado.tickets.actions import (
    ticket_close,
    ticket_merge,
    ticket_reply_by_agent,
    ticket_reply_by_client,
    ticket_transfer,
    ticket_update,
)
from chamado.tickets.models import Message, Ticket
from tests import factories

pytestmark = pytest.mark.django_db

BODY = "Writing from an old tab of the first ticket, with details."
FROZEN = ("status", "closed_at", "last_activity_at", "department_id", "assignee_id", "priority")


@pytest.fixture
def merged(owner: Any, service: Any, agent: Any) -> tuple[Ticket, Ticket, dict[str, Any]]:
    target = factories.open_ticket(owner, service=service, subject="Site down")
    source = factories.open_ticket(owner, service=service, subject="Site down again")
    ticket_merge(actor=agent, source=source, target=target)
    source.refresh_from_db()
    return source, target, {name: getattr(source, name) for name in FROZEN}


def unchanged(source: Ticket, before: dict[str, Any]) -> bool:
    source.refresh_from_db()
    return {name: getattr(source, name) for name in FROZEN} == before and (
        not Message.objects.filter(ticket=source).exists()
    )


def test_the_access_functions_lead_to_the_target_and_say_so(owner, agent, merged) -> None:
    source, target, _before = merged
    for reached in (
        access_ticket_by_number(owner, source.number),
        access_ticket_for_agent(agent, source.number),
    ):
        assert reached.pk == target.pk and reached.merged_from == source.number
    assert access_ticket_by_number(owner, target.number).merged_from is None


def test_the_actions_refuse_to_write_to_a_merged_ticket(owner, agent, merged) -> None:
    source, _target, before = merged
    writes = [
        lambda: ticket_reply_by_client(actor=owner, ticket=source, body=BODY),
        lambda: ticket_reply_by_agent(actor=agent, ticket=source, body=BODY),
        lambda: ticket_reply_by_agent(actor=agent, ticket=source, body=BODY, is_internal=True),
        lambda: ticket_close(actor=owner, ticket=source),
        lambda: ticket_update(actor=agent, ticket=source, status=Ticket.Status.ON_HOLD),
        lambda: ticket_transfer(
            actor=agent, ticket=source, department=factories.department("sales")
        ),
    ]
    for write in writes:
        with pytest.raises(ApplicationError, match="merged"):
            write()
    assert unchanged(source, before)


def test_client_area_reply_and_close_land_on_the_target(owner, merged) -> None:
    source, target, before = merged
    client = Client()
    client.force_login(owner)

    reply = client.post(reverse("portal:ticket", args=[source.number]), {"message": BODY})
    assert reply.status_code == 302
    assert reply["Location"] == reverse("portal:ticket", args=[target.number])
    assert target.messages.filter(body=BODY).exists()

    close = client.post(reverse("portal:ticket_close", args=[source.number]))
    assert close["Location"] == reverse("portal:ticket", args=[target.number])
    assert Ticket.objects.get(pk=target.pk).status == Ticket.Status.CLOSED
    assert unchanged(source, before)


@pytest.mark.parametrize(
    ("view", "data"),
    [
        ("desk:reply", {"message": BODY, "status": ""}),
        ("desk:note", {"message": BODY}),
        ("desk:change", {"status": "on_hold", "priority": "3", "assignee": ""}),
        ("desk:transfer", {"department": "sales", "note": ""}),
    ],
)
def test_desk_actions_land_on_the_target(agent, merged, sales, view, data) -> None:
    source, target, before = merged
    if "department" in data:
        data = {**data, "department": sales.pk}
        sales.agents.add(agent)
    client = Client()
    client.force_login(agent)

    response = client.post(reverse(view, args=[source.number]), data)

    assert response.status_code == 302, response.content.decode()[:2000]
    target.refresh_from_db()
    landed = {
        "desk:reply": lambda: target.messages.filter(body=BODY, is_internal=False).exists(),
        "desk:note": lambda: target.messages.filter(body=BODY, is_internal=True).exists(),
        "desk:change": lambda: target.status == Ticket.Status.ON_HOLD,
        "desk:transfer": lambda: target.department_id == sales.pk,
    }[view]
    assert landed()
    assert unchanged(source, before)


def test_desk_bulk_set_status_acts_on_the_target_not_the_merged_ticket(agent, merged) -> None:
    source, target, before = merged
    client = Client()
    client.force_login(agent)

    response = client.post(
        reverse("desk:bulk"),
        {"tickets": [source.number, target.number], "action": "status", "status": "in_progress"},
    )

    assert response.status_code == 302
    assert Ticket.objects.get(pk=target.pk).status == Ticket.Status.IN_PROGRESS
    assert unchanged(source, before)
