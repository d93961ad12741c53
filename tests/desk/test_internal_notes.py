"""Internal notes never reach the client: not on their pages, not as a file, not by
email, not even as a change of the ticket's "last update". (There is no REST API yet.)"""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from chamado.mail.models import Delivery
from chamado.tickets.actions import ticket_reply_by_agent
from chamado.tickets.models import Message, Ticket
from chamado.tickets.selectors import message_list_for_client, ticket_list_for_contact
from tests import factories
from tests.clock import hours_ago
from tests.worker import worker_run

NOTE = "Internal: the client's reseller owes us two invoices, do not refund."
NOTE_FILE = "server-log.pdf"
ANSWER = "We restarted the web server; the site answers again."


def note_through_the_desk(client: Client, ticket: Ticket) -> Message:
    response = client.post(
        reverse("desk:note", args=[ticket.number]),
        {
            "message": NOTE,
            "attachments": [factories.upload(NOTE_FILE, factories.PDF_BYTES, "application/pdf")],
        },
    )
    assert response.status_code == 302
    return Message.objects.get(ticket=ticket, is_internal=True)


@pytest.mark.django_db
def test_client_ticket_page_never_shows_the_note_or_its_file(
    agent_client, owner_client, ticket
) -> None:
    note = note_through_the_desk(agent_client, ticket)

    page = owner_client.get(reverse("portal:ticket", args=[ticket.number])).content.decode()
    assert "do not refund" not in page and NOTE_FILE not in page
    assert "Internal" not in page
    assert note not in list(message_list_for_client(ticket))
    desk_page = agent_client.get(reverse("desk:ticket", args=[ticket.number])).content.decode()
    assert "do not refund" in desk_page and NOTE_FILE in desk_page


@pytest.mark.django_db
def test_note_attachment_is_404_for_the_client_and_served_to_the_agent(
    agent_client, owner_client, ticket
) -> None:
    hidden = note_through_the_desk(agent_client, ticket).attachments.get()

    portal_url = reverse("portal:attachment", args=[hidden.pk, hidden.original_name])
    desk_url = reverse("desk:attachment", args=[hidden.pk, hidden.original_name])
    assert owner_client.get(portal_url).status_code == 404
    assert agent_client.get(desk_url).status_code == 200


@pytest.mark.django_db
def test_note_queues_no_email_at_all(agent_client, owner, agent, ticket) -> None:
    before = set(Delivery.objects.values_list("pk", flat=True))
    note = note_through_the_desk(agent_client, ticket)
    assert set(Delivery.objects.values_list("pk", flat=True)) == before
    assert not Delivery.objects.filter(message=note).exists()


@pytest.mark.django_db
def test_note_leaves_the_clients_ticket_list_as_it_was(
    agent_client, owner_client, owner, service
) -> None:
    """Not even the "last update" column or the list's order gives a note away."""
    noted = hours_ago(factories.open_ticket(owner, service=service, subject="Noted"), 2)
    factories.open_ticket(owner, service=service, subject="Untouched")
    order = [t.subject for t in ticket_list_for_contact(owner)]
    assert order == ["Untouched", "Noted"]
    last_update = noted.last_activity_at

    note_through_the_desk(agent_client, noted)

    noted.refresh_from_db()
    assert noted.last_activity_at == last_update
    assert [t.subject for t in ticket_list_for_contact(owner)] == order
    listing = owner_client.get(reverse("portal:tickets")).content.decode()
    assert "do not refund" not in listing
    assert listing.index("Untouched") < listing.index("Noted")
    home = owner_client.get(reverse("portal:home")).content.decode()
    assert "do not refund" not in home


@pytest.mark.django_db
def test_note_changes_nothing_the_client_sees(agent_client, ticket) -> None:
    before = Ticket.objects.get(pk=ticket.pk)
    note_through_the_desk(agent_client, ticket)
    after = Ticket.objects.get(pk=ticket.pk)
    for field in ("status", "waiting_since", "first_response_at", "response_due_at", "closed_at"):
        assert getattr(after, field) == getattr(before, field), field


@pytest.mark.django_db(transaction=True)
def test_worker_never_mails_a_note(client) -> None:
    """The real worker sends everything queued: the client gets the confirmation and the
    answer, the agents the new-ticket notice, and no email anywhere holds the note."""
    owner = factories.OwnerFactory(email="ana@acme.example")
    support = factories.department("support")
    agent = factories.AgentFactory(email="elisa@chamado.example")
    support.agents.add(agent)
    ticket = factories.open_ticket(owner, department=support)
    client.force_login(agent)

    note_through_the_desk(client, ticket)
    ticket_reply_by_agent(actor=agent, ticket=ticket, body=ANSWER)
    worker_run()

    assert Delivery.objects.exclude(state=Delivery.State.SENT).count() == 0
    to_client = [email for email in mail.outbox if email.to == ["ana@acme.example"]]
    assert len(to_client) == 2
    assert any(ANSWER in email.body for email in to_client)
    for email in mail.outbox:
        html = str(email.alternatives[0].content)  # type: ignore[union-attr]
        assert "do not refund" not in email.body and "do not refund" not in html
        assert NOTE_FILE not in email.body
        assert not any(NOTE_FILE in str(name) for name, *_rest in email.attachments)
