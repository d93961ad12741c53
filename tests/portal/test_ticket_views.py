"""The ticket list and ticket page: statuses, replies, closing."""

import html
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from chamado.core.models import AuditEvent
from chamado.tickets.actions import ticket_close, ticket_reply_by_agent
from chamado.tickets.models import Policy, Ticket
from tests import factories

pytestmark = pytest.mark.django_db

REPLY = "It still answers 500 after your change, see the log."


def ticket_url(ticket: Ticket) -> str:
    return reverse("portal:ticket", args=[ticket.number])


def reply(client: Any, ticket: Ticket, message: str = REPLY, **extra: Any) -> Any:
    return client.post(ticket_url(ticket), {"message": message, **extra})


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def logged_in(client, owner) -> Any:
    client.force_login(owner)
    return client


def test_client_reply_on_answered_ticket_becomes_customer_reply(logged_in, ticket, agent):
    ticket_reply_by_agent(actor=agent, ticket=ticket, body="Please try again now.")
    response = reply(logged_in, ticket)
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CUSTOMER_REPLY
    page = text(logged_in.get(ticket_url(ticket)))
    assert "Your reply was sent." in page and "Customer-Reply" in page and REPLY in page


def test_extra_message_while_waiting_says_the_ticket_keeps_its_place(logged_in, ticket):
    waiting_since = ticket.waiting_since
    reply(logged_in, ticket)
    page = text(logged_in.get(ticket_url(ticket)))
    assert "keeps its place in the queue" in page
    ticket.refresh_from_db()
    assert ticket.waiting_since == waiting_since
    assert ticket.status == Ticket.Status.OPEN


def test_close_button_closes_the_ticket(logged_in, ticket) -> None:
    page = text(logged_in.get(ticket_url(ticket)))
    assert "Close Ticket" in page
    response = logged_in.post(reverse("portal:ticket_close", args=[ticket.number]))
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CLOSED
    page = text(logged_in.get(ticket_url(ticket)))
    assert "Close Ticket" not in page and "Closed" in page


def test_closing_twice_writes_one_audit_event(logged_in, ticket) -> None:
    close_url = reverse("portal:ticket_close", args=[ticket.number])
    logged_in.post(close_url)
    ticket.refresh_from_db()
    closed_at = ticket.closed_at
    logged_in.post(close_url)
    ticket.refresh_from_db()
    assert ticket.closed_at == closed_at
    assert AuditEvent.objects.filter(verb="ticket.close", object_id=str(ticket.pk)).count() == 1


def test_reply_to_closed_ticket_reopens_it(logged_in, owner, ticket) -> None:
    ticket_close(actor=owner, ticket=ticket)
    assert "replying reopens it" in text(logged_in.get(ticket_url(ticket)))
    assert reply(logged_in, ticket).status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CUSTOMER_REPLY


def test_closed_ticket_offers_a_new_ticket_when_reopening_is_off(logged_in, owner, ticket):
    ticket.department.reopen_on_reply = False
    ticket.department.save()
    ticket_close(actor=owner, ticket=ticket)

    page = logged_in.get(ticket_url(ticket)).content.decode()
    assert "please open a new ticket" in page
    assert reverse("portal:ticket_new", args=[ticket.department.slug]) in page
    assert 'name="message"' not in page

    response = reply(logged_in, ticket)
    assert response.status_code == 400
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CLOSED
    assert ticket.messages.count() == 1


def test_flood_guard_refuses_with_a_message_and_keeps_the_text(logged_in, ticket) -> None:
    policy = Policy.current()
    policy.flood_max_messages = 2
    policy.save()
    assert reply(logged_in, ticket, "First follow-up with more details.").status_code == 302

    typed = "Third message in a row <asking> again & again."
    response = reply(logged_in, ticket, typed)

    assert response.status_code == 429  # a rate limit: the text is kept
    page = text(response)
    assert "You have sent 2 messages in the last 10 minutes" in page
    assert "please wait for our answer" in page
    assert typed in page
    assert ticket.messages.count() == 2


def test_refused_reply_keeps_the_text_and_lists_the_good_files_to_attach_again(logged_in, ticket):
    typed = "Here is the screenshot of the error you asked for."
    response = logged_in.post(
        ticket_url(ticket),
        {
            "message": typed,
            "attachments": [
                factories.upload("screen.png", factories.png_bytes()),
                factories.upload("virus.exe", b"MZ" + b"\x00" * 40),
            ],
        },
    )
    page = text(response)
    assert response.status_code == 400
    assert typed in page
    assert "“virus.exe” is not an allowed type" in page
    start = page.index("please attach these again")
    notice = page[start : page.index("</div>", start)]
    assert "<li>screen.png</li>" in notice and "virus.exe" not in notice
    assert ticket.messages.count() == 1


def test_reply_with_attachments_shows_them_in_the_conversation(logged_in, ticket) -> None:
    logged_in.post(
        ticket_url(ticket),
        {"message": REPLY, "attachments": [factories.upload("log.pdf", factories.PDF_BYTES)]},
    )
    assert "log.pdf" in text(logged_in.get(ticket_url(ticket)))


def test_short_reply_is_refused_with_the_hint(logged_in, ticket) -> None:
    response = reply(logged_in, ticket, "ok thanks")
    assert response.status_code == 400
    assert "too short" in text(response)
    assert ticket.messages.count() == 1


def test_ticket_page_shows_status_department_priority_and_service(logged_in, ticket) -> None:
    page = text(logged_in.get(ticket_url(ticket)))
    assert f"#{ticket.number}" in page
    assert "Open" in page and "Support" in page and "Medium" in page
    assert f"{ticket.service.name} ({ticket.service.label})" in page


def test_agent_reply_is_shown_but_internal_note_is_not(logged_in, ticket, agent) -> None:
    ticket_reply_by_agent(actor=agent, ticket=ticket, body="We restarted PHP-FPM for you.")
    ticket_reply_by_agent(
        actor=agent, ticket=ticket, body="Client's plan is overloaded.", is_internal=True
    )
    page = text(logged_in.get(ticket_url(ticket)))
    assert "We restarted PHP-FPM for you." in page and "Elisa (staff)" in page
    assert "overloaded" not in page


def test_created_page_shows_the_number_and_continue_links_to_the_ticket(logged_in, ticket):
    page = logged_in.get(reverse("portal:ticket_created", args=[ticket.number])).content
    page = page.decode()
    assert f'href="{ticket_url(ticket)}">#{ticket.number}</a>' in page
    assert f'<a class="button" href="{ticket_url(ticket)}">Continue</a>' in page


def test_ticket_list_shows_most_recent_activity_first(logged_in, owner, service) -> None:
    older = factories.open_ticket(owner, service=service, subject="Older ticket")
    newer = factories.open_ticket(owner, service=service, subject="Newer ticket")
    Ticket.objects.filter(pk=older.pk).update(last_activity_at=timezone.now())
    Ticket.objects.filter(pk=newer.pk).update(last_activity_at=timezone.now() - timedelta(hours=1))
    page = text(logged_in.get(reverse("portal:tickets")))
    assert page.index("Older ticket") < page.index("Newer ticket")


def test_ticket_list_filters_by_status(logged_in, owner, service) -> None:
    open_one = factories.open_ticket(owner, service=service, subject="Still open")
    closed = factories.open_ticket(owner, service=service, subject="Already closed")
    ticket_close(actor=owner, ticket=closed)
    closed_page = text(logged_in.get(reverse("portal:tickets"), {"status": "closed"}))
    active_page = text(logged_in.get(reverse("portal:tickets"), {"status": "active"}))
    everything = text(logged_in.get(reverse("portal:tickets")))
    assert "Already closed" in closed_page and "Still open" not in closed_page
    assert "Still open" in active_page and "Already closed" not in active_page
    assert "Still open" in everything and "Already closed" in everything
    assert open_one.status == Ticket.Status.OPEN


def test_ticket_list_shows_the_whole_account_but_no_other(logged_in, contact, service) -> None:
    factories.open_ticket(contact, service=service, subject="Opened by the contact")
    stranger = factories.OwnerFactory()
    factories.open_ticket(stranger, subject="Another company's ticket")
    page = text(logged_in.get(reverse("portal:tickets")))
    assert "Opened by the contact" in page
    assert "Another company" not in page
