"""Notification choices on the profile: each lets one family of notices through; the
conversation itself always goes."""

from typing import Any

import pytest
from django.urls import reverse

from chamado.mail.models import Delivery
from chamado.tickets.actions import (
    ticket_reply_by_agent,
    ticket_reply_by_client,
    ticket_update,
)
from chamado.tickets.models import Ticket
from tests import factories

pytestmark = pytest.mark.django_db
Kind = Delivery.Kind


def kinds_to(user: Any) -> list[str]:
    return list(Delivery.objects.filter(recipient=user).values_list("kind", flat=True))


def test_a_client_without_ticket_changes_gets_replies_but_no_status_notices(
    owner: Any, agent: Any, support: Any, service: Any
) -> None:
    owner.notify_ticket_changes = False
    owner.save()
    ticket = factories.open_ticket(owner, department=support, service=service)
    ticket_update(actor=agent, ticket=ticket, status=Ticket.Status.ON_HOLD)
    ticket_reply_by_agent(actor=agent, ticket=ticket, body="Here is what we found today.")
    assert Kind.STATUS_CHANGED not in kinds_to(owner)
    assert Kind.AGENT_REPLY in kinds_to(owner)
    assert Kind.TICKET_CONFIRMATION in kinds_to(owner)


def test_an_agent_without_new_ticket_notices_gets_none_while_a_colleague_does(
    owner: Any, agent: Any, support: Any, service: Any
) -> None:
    colleague = factories.AgentFactory()
    support.agents.add(colleague)
    agent.notify_new_tickets = False
    agent.save()
    factories.open_ticket(owner, department=support, service=service)
    assert Kind.TICKET_NEW_NOTICE not in kinds_to(agent)
    assert Kind.TICKET_NEW_NOTICE in kinds_to(colleague)


def test_client_replies_reach_the_assigned_agent_whatever_their_choice(
    owner: Any, agent: Any, support: Any, service: Any
) -> None:
    agent.notify_client_replies = False
    agent.save()
    ticket = factories.open_ticket(owner, department=support, service=service)
    ticket_reply_by_client(actor=owner, ticket=ticket, body="Any news on this one, please?")
    assert Kind.CLIENT_REPLY_NOTICE not in kinds_to(agent)
    ticket_update(actor=agent, ticket=ticket, assignee=agent)
    ticket_reply_by_client(actor=owner, ticket=ticket, body="And now that you hold it?")
    assert Kind.CLIENT_REPLY_NOTICE in kinds_to(agent)


def test_the_profile_saves_the_choices_and_shows_agents_theirs(client: Any, agent: Any) -> None:
    client.force_login(agent)
    page = client.get(reverse("account_profile")).content.decode()
    assert 'name="notify_new_tickets"' in page
    response = client.post(
        reverse("account_profile"),
        {"full_name": agent.full_name, "language": "en", "notify_ticket_changes": "on"},
    )
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.notify_ticket_changes
    assert not agent.notify_new_tickets and not agent.notify_client_replies


def test_clients_are_not_offered_the_agents_choices(client: Any, owner: Any) -> None:
    client.force_login(owner)
    page = client.get(reverse("account_profile")).content.decode()
    assert 'name="notify_ticket_changes"' in page
    assert 'name="notify_new_tickets"' not in page
    client.post(reverse("account_profile"), {"full_name": "Ana", "language": "en"})
    owner.refresh_from_db()
    assert not owner.notify_ticket_changes and owner.notify_new_tickets
