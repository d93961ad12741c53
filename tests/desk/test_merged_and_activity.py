"""Posts to a merged ticket's old number, what counts as activity for the client, bulk
transfers to any department, and search leaving merged tickets' text to their target."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from chamado.tickets.actions import ticket_autoclose_due, ticket_merge, ticket_reply_by_agent
from chamado.tickets.models import Ticket
from chamado.tickets.search import ticket_search
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def merged(owner, service, agent) -> tuple[Ticket, Ticket]:
    source = factories.open_ticket(owner, subject="Old duplicate about zebrafish", service=service)
    target = factories.open_ticket(owner, subject="The one we keep", service=service)
    ticket_merge(actor=agent, source=source, target=target)
    return source, target


def test_reply_posted_to_a_merged_number_lands_on_the_target(agent_client, merged) -> None:
    source, target = merged
    response = agent_client.post(
        reverse("desk:reply", args=[source.number]), {"message": "Answer from a stale tab."}
    )
    assert response.status_code == 302
    assert target.messages.filter(body="Answer from a stale tab.").exists()
    assert not source.messages.exists()


def test_text_search_skips_merged_tickets_but_their_number_still_finds_them(agent, merged) -> None:
    source, target = merged
    found = list(ticket_search(Ticket.objects.all(), "zebrafish"))
    assert found == [target]
    assert list(ticket_search(Ticket.objects.all(), f"#{source.number}")) == [source]


def test_assignee_or_priority_change_is_not_client_activity(agent, ticket) -> None:
    from chamado.tickets.actions import ticket_update

    before = Ticket.objects.get(pk=ticket.pk).last_activity_at
    ticket_update(actor=agent, ticket=ticket, assignee=agent, priority=Ticket.Priority.HIGH)
    after = Ticket.objects.get(pk=ticket.pk)
    assert after.assignee == agent and after.priority == Ticket.Priority.HIGH
    assert after.last_activity_at == before
    ticket_update(actor=agent, ticket=ticket, status=Ticket.Status.ON_HOLD)
    assert Ticket.objects.get(pk=ticket.pk).last_activity_at > before


def test_auto_close_is_the_tickets_last_activity(agent, ticket) -> None:
    ticket_reply_by_agent(actor=agent, ticket=ticket, body="Please confirm it works now.")
    now = timezone.now() + timedelta(hours=73)
    assert ticket_autoclose_due(now=now) == 1
    closed = Ticket.objects.get(pk=ticket.pk)
    assert closed.status == Ticket.Status.CLOSED and closed.last_activity_at == now


def test_bulk_transfer_may_move_tickets_to_a_department_the_agent_is_not_in(
    agent_client, ticket, billing
) -> None:
    response = agent_client.post(
        reverse("desk:bulk"),
        {"tickets": [ticket.number], "action": "transfer", "department": billing.pk},
    )
    assert response.status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).department == billing


def test_search_stops_counting_at_the_cap_and_says_so(agent, owner, service, rf) -> None:
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.cache import SessionStore

    from chamado.desk import views

    for n in range(3):
        factories.open_ticket(owner, subject=f"Walrus trouble {n}", service=service)
    request = rf.get(reverse("desk:search"), {"q": "walrus"})
    request.user, request.session = agent, SessionStore()
    request._messages = FallbackStorage(request)
    # The cap is 1,000 in the URL conf; three tickets show it at 2.
    page = views.search(request, cap=2).content.decode()
    assert "Showing the 2 most recently active matches" in page
    assert page.count("Walrus trouble") == 2
    # Up to the cap there is nothing more: no notice.
    page = views.search(request, cap=3).content.decode()
    assert "most recently active matches" not in page
    assert page.count("Walrus trouble") == 3
