"""With the cache (Redis) down, people still log in, tickets are still accepted and stored,
and the desk still works; only presence and login throttling pause."""

import socket

import pytest
from django.urls import reverse

from chamado.mail.models import Delivery
from chamado.tickets.models import Ticket
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def cache_down(settings) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CACHES = {
        "default": {
            # The backend production uses with Redis (settings.py).
            "BACKEND": "chamado.core.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
        }
    }


def test_client_logs_in_and_opens_a_ticket_while_the_cache_is_down(
    client, owner, service, support, agent, cache_down
) -> None:
    response = client.post(reverse("login"), {"login": owner.email, "password": PASSWORD})
    assert response.status_code == 302
    response = client.post(
        reverse("portal:ticket_new", args=["support"]),
        {
            "department": support.pk,
            "subject": "Site down while Redis is down",
            "service": service.pk,
            "priority": 2,
            "message": "The site answers 500 since this morning, nothing was changed.",
        },
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get(subject="Site down while Redis is down")
    assert Delivery.objects.filter(ticket=ticket).count() == 2  # queued for the worker


def test_agent_works_a_ticket_while_the_cache_is_down(client, agent, ticket, cache_down) -> None:
    assert client.post(reverse("login"), {"login": agent.email, "password": PASSWORD})
    page = client.get(reverse("desk:ticket", args=[ticket.number]))
    assert page.status_code == 200
    assert client.get(reverse("desk:presence", args=[ticket.number])).status_code == 200
    response = client.post(
        reverse("desk:reply", args=[ticket.number]), {"message": "Answered without a cache."}
    )
    assert response.status_code == 302
    assert ticket.messages.filter(body="Answered without a cache.").exists()
