"""A contact without the `tickets` permission is told why, and sees no ticket data."""

import html
from typing import Any

import pytest
from django.urls import reverse

from chamado.tickets.models import Ticket

pytestmark = pytest.mark.django_db

EXPLANATION = "Your login does not have the permission to open or see this account's tickets."
ASK_OWNER = "Ask the account owner to give you the “tickets” permission."


@pytest.fixture
def logged_in(client, contact_without_tickets) -> Any:
    client.force_login(contact_without_tickets)
    return client


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


@pytest.mark.parametrize(
    "url",
    [
        reverse("portal:tickets"),
        reverse("portal:department_choose"),
        reverse("portal:ticket_new", args=["support"]),
        reverse("portal:ticket_new_any"),
    ],
)
def test_ticket_pages_answer_403_with_the_explanation(logged_in, ticket, url) -> None:
    response = logged_in.get(url)
    assert response.status_code == 403
    page = text(response)
    assert EXPLANATION in page and ASK_OWNER in page
    assert ticket.subject not in page and f"#{ticket.number}" not in page


def test_menu_says_why_there_is_no_open_ticket_link(logged_in, ticket) -> None:
    page = text(logged_in.get(reverse("portal:home")))
    assert "Your login has no ticket permission" in page
    assert reverse("portal:department_choose") not in page
    assert EXPLANATION in page
    assert ticket.subject not in page


def test_home_shows_the_accounts_services_only_with_the_services_permission(
    logged_in, contact_without_tickets, service
) -> None:
    assert service.label not in text(logged_in.get(reverse("portal:home")))
    contact_without_tickets.membership.can_services = True
    contact_without_tickets.membership.save()
    assert service.label in text(logged_in.get(reverse("portal:home")))


def test_posting_the_ticket_form_is_refused_and_creates_nothing(logged_in, service, support):
    response = logged_in.post(
        reverse("portal:ticket_new", args=["support"]),
        {
            "department": support.pk,
            "subject": "Let me in",
            "service": service.pk,
            "priority": 2,
            "message": "I should not be able to open this ticket at all.",
        },
    )
    assert response.status_code == 403
    assert not Ticket.objects.exists()


def test_owner_menu_has_open_ticket_and_tickets(client, owner) -> None:
    client.force_login(owner)
    page = text(client.get(reverse("portal:home")))
    assert "Open Ticket" in page and reverse("portal:tickets") in page
    assert "Your login has no ticket permission" not in page
