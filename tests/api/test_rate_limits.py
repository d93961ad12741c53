"""One rate-limit mechanism, on every surface: tickets per contact, API requests per token,
uploads per person. The web keeps the form and explains; the API answers 429 with
Retry-After. With the cache down nothing is limited (tests/core/test_cache_down.py)."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from chamado.tickets.models import Policy, Ticket
from tests import factories

pytestmark = pytest.mark.django_db

BODY = "The site answers 500 since this morning, nothing changed."


def policy(**values: int) -> None:
    current = Policy.current()
    for name, value in values.items():
        setattr(current, name, value)
    current.save()


def open_form(service: Any, support: Any, subject: str) -> dict[str, Any]:
    return {
        "department": support.pk,
        "subject": subject,
        "service": service.pk,
        "priority": "2",
        "message": BODY,
    }


def test_tickets_per_contact_per_hour_on_the_web(owner, service, support) -> None:
    policy(tickets_per_hour=2)
    client = Client()
    client.force_login(owner)
    url = reverse("portal:ticket_new", args=["support"])
    for n in range(2):
        assert client.post(url, open_form(service, support, f"Site down {n}")).status_code == 302

    refused = client.post(url, open_form(service, support, "Site down again"))

    assert refused.status_code == 429
    page = refused.content.decode()
    assert "You have opened 2 tickets in the last hour" in page
    assert "Site down again" in page  # what was typed is kept
    assert Ticket.objects.count() == 2


def test_tickets_per_hour_through_the_api_answer_429_with_retry_after(
    api_as, owner, service
) -> None:
    policy(tickets_per_hour=1)
    api = api_as(owner)
    ticket = {"department": "support", "service": service.pk, "subject": "Down", "message": BODY}
    assert api.post("/tickets", ticket).status_code == 201

    refused = api.post("/tickets", ticket)

    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert "tickets in the last hour" in refused.json()["detail"]


def test_no_limit_when_the_policy_says_zero(api_as, owner, service) -> None:
    policy(tickets_per_hour=0)
    api = api_as(owner)
    ticket = {"department": "support", "service": service.pk, "subject": "Down", "message": BODY}
    assert all(api.post("/tickets", ticket).status_code == 201 for _n in range(4))


def test_api_requests_per_token(api_as, owner) -> None:
    policy(api_requests_per_minute=3)
    api, other = api_as(owner), api_as(owner)
    assert [api.get("/tickets").status_code for _n in range(3)] == [200, 200, 200]

    refused = api.get("/tickets")

    assert refused.status_code == 429 and int(refused["Retry-After"]) <= 60
    assert other.get("/tickets").status_code == 200  # another token has its own count


def test_uploads_per_person_per_hour(owner, ticket) -> None:
    policy(uploads_per_hour=2)
    client = Client()
    client.force_login(owner)
    url = reverse("portal:ticket", args=[ticket.number])

    def send(count: int) -> Any:
        files = [factories.upload(f"s{n}.png", factories.png_bytes()) for n in range(count)]
        return client.post(url, {"message": BODY, "attachments": files})

    assert send(2).status_code == 302
    refused = send(1)
    assert refused.status_code == 429
    assert "many files in the last hour" in refused.content.decode()
