"""Two agents on one ticket: answers never cross unnoticed, and each sees the other is there."""

import html
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from chamado.mail.models import Delivery
from chamado.tickets.actions import ticket_reply_by_agent, ticket_reply_by_client
from chamado.tickets.models import Message, Ticket
from tests import factories

pytestmark = pytest.mark.django_db

MINE = "Please clear the browser cache, then try again."
THEIRS = "We found the cause: a full disk on web03, now cleaned."


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def seen_on_page(client: Client, ticket: Ticket) -> int:
    page = client.get(reverse("desk:ticket", args=[ticket.number])).content.decode()
    (value,) = re.findall(r'name="seen_message_id" value="(\d+)"', page)
    return int(value)


def reply(client: Client, ticket: Ticket, seen: int, **extra: Any) -> Any:
    return client.post(
        reverse("desk:reply", args=[ticket.number]),
        {"message": MINE, "seen_message_id": seen, **extra},
    )


@pytest.fixture
def colleague_client(colleague) -> Client:
    browser = Client()
    browser.force_login(colleague)
    return browser


def test_page_carries_the_newest_message_it_shows(agent_client, owner, ticket) -> None:
    newest = ticket_reply_by_client(
        actor=owner, ticket=ticket, body="One more detail to add."
    ).message
    assert seen_on_page(agent_client, ticket) == newest.pk


def test_reply_after_a_colleagues_reply_is_refused_until_confirmed(
    agent_client, colleague_client, agent, ticket
) -> None:
    seen = seen_on_page(agent_client, ticket)
    assert (
        colleague_client.post(
            reverse("desk:reply", args=[ticket.number]), {"message": THEIRS}
        ).status_code
        == 302
    )

    crossed = reply(agent_client, ticket, seen)

    assert crossed.status_code == 409
    page = text(crossed)
    assert "Marcos Pereira replied while you were writing:" in page
    assert THEIRS in page
    assert 'name="confirm_crossed"' in page
    assert "I read the newer reply; send mine anyway" in page
    assert f">\n{MINE}</textarea>" in page  # what the agent typed is kept (Django's textarea)
    assert not Message.objects.filter(author=agent).exists()
    assert Delivery.objects.filter(kind=Delivery.Kind.AGENT_REPLY).count() == 1

    sent = reply(agent_client, ticket, seen, confirm_crossed="on")

    assert sent.status_code == 302
    assert Message.objects.filter(author=agent, body=MINE, from_agent=True).count() == 1
    assert Delivery.objects.filter(kind=Delivery.Kind.AGENT_REPLY).count() == 2


def test_reply_after_fresh_reload_is_not_crossed(agent_client, colleague, ticket) -> None:
    ticket_reply_by_agent(actor=colleague, ticket=ticket, body=THEIRS)
    assert reply(agent_client, ticket, seen_on_page(agent_client, ticket)).status_code == 302


@pytest.mark.parametrize("newer", ["own reply", "colleague's note", "client message"])
def test_only_a_colleagues_reply_counts_as_crossed(
    agent_client, agent, colleague, owner, ticket, newer
) -> None:
    seen = seen_on_page(agent_client, ticket)
    if newer == "own reply":
        ticket_reply_by_agent(actor=agent, ticket=ticket, body="First part of my answer.")
    elif newer == "colleague's note":
        ticket_reply_by_agent(actor=colleague, ticket=ticket, body=THEIRS, is_internal=True)
    else:
        ticket_reply_by_client(actor=owner, ticket=ticket, body="Adding a screenshot later.")
    assert reply(agent_client, ticket, seen).status_code == 302


# Presence ---------------------------------------------------------------------------------

HERE = "Also on this ticket now: "


def test_two_agents_on_one_ticket_see_each_other(agent_client, colleague_client, ticket):
    ticket_url = reverse("desk:ticket", args=[ticket.number])
    presence_url = reverse("desk:presence", args=[ticket.number])

    assert HERE not in text(agent_client.get(ticket_url))
    assert HERE + "Elisa Rocha" in text(colleague_client.get(ticket_url))
    assert HERE + "Marcos Pereira" in text(agent_client.get(presence_url))
    assert HERE + "Marcos Pereira" in text(agent_client.get(ticket_url))
    assert HERE + "Elisa Rocha" in text(colleague_client.get(presence_url))


def test_presence_is_per_ticket(agent_client, colleague_client, owner, service, ticket):
    other = factories.open_ticket(owner, service=service, subject="Another one")
    colleague_client.get(reverse("desk:ticket", args=[other.number]))
    assert HERE not in text(agent_client.get(reverse("desk:ticket", args=[ticket.number])))
    fragment = agent_client.get(reverse("desk:presence", args=[ticket.number]))
    assert fragment.status_code == 200 and HERE not in text(fragment)
