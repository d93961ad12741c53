"""Header values are one line, whatever a stored ticket holds.

A line break in a subject made Python's email package refuse every email of the ticket
("Header values may not contain linefeed"), retried until it gave up. The actions clean
subjects now; rows written before that (or by anything bypassing the actions) must still send.
"""

from typing import Any

import pytest
from django.db import transaction

from chamado.mail.models import Delivery
from chamado.tickets import signals
from chamado.tickets.models import Message, Ticket
from tests import factories
from tests.worker import worker_run

pytestmark = pytest.mark.django_db(transaction=True)

# No NUL: PostgreSQL cannot store one, so no row holds it (the actions drop it in bodies).
DIRTY_SUBJECT = "Site\r\ndown since\tthe\x1b update\u2028again\x85 "


def ticket_written_by_the_orm(owner: Any, service: Any, subject: str) -> Ticket:
    """A ticket row as an older version (or a bulk import) may have left it, no action involved;
    then the opening event, as the action sends it, queues the emails."""
    with transaction.atomic():
        ticket = Ticket.objects.create(
            number=424242,
            account=owner.account,
            contact=owner,
            department=factories.department("support"),
            service=service,
            subject=subject,
        )
        message = Message.objects.create(ticket=ticket, author=owner, body="It fails.\r\nHelp.")
        signals.ticket_event.send(
            sender=Ticket, event=signals.OPENED, ticket=ticket, message=message, actor=owner
        )
    return ticket


def test_a_subject_with_a_line_break_still_sends_the_confirmation_on_one_line(
    smtp_server, owner, service, agent
) -> None:
    ticket = ticket_written_by_the_orm(owner, service, DIRTY_SUBJECT)

    output = worker_run()

    (confirmation,) = smtp_server.inbox.to(owner.email)
    expected = f"[#{ticket.number}] Ticket opened: Site down since the update again"
    assert confirmation["Subject"] == expected, output
    raw = confirmation.as_string()
    assert "Ticket opened: Site down" in " ".join(raw.split())
    (notice,) = smtp_server.inbox.to(agent.email)
    assert notice["Subject"] == (
        f"[#{ticket.number}] New ticket in Support: Site down since the update again"
    )
    assert not Delivery.objects.exclude(state=Delivery.State.SENT).exists()


def test_an_old_delivery_row_with_a_dirty_subject_is_sent_on_one_line(
    smtp_server, owner, service
) -> None:
    ticket = factories.open_ticket(owner, service=service)
    with transaction.atomic():
        Ticket.objects.filter(pk=ticket.pk).update(subject="Line one\r\nBcc: x@evil.example")
        Delivery.objects.update(context={})  # queued before snapshots were stored
    worker_run()

    (confirmation,) = smtp_server.inbox.to(owner.email)
    assert confirmation["Subject"] == (
        f"[#{ticket.number}] Ticket opened: Line one Bcc: x@evil.example"
    )
    assert confirmation["Bcc"] is None
    assert smtp_server.inbox.envelopes == [[owner.email]]
