"""Each email tells the event it was queued for, not the ticket as it is when the worker sends.

The worker may run seconds or hours after the event (an SMTP outage, a busy queue), and the
ticket keeps changing meanwhile: two quick transfers must still send one email per department.
"""

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from chamado.mail.models import Delivery
from chamado.tickets.actions import (
    ticket_autoclose_due,
    ticket_reply_by_agent,
    ticket_reply_by_client,
    ticket_transfer,
    ticket_update,
)
from chamado.tickets.models import Ticket
from tests import factories
from tests.worker import worker_run

pytestmark = pytest.mark.django_db(transaction=True)


def text_part(message: Any) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_part(message: Any) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def transfer_notices(inbox: Any, address: str) -> list[Any]:
    return [
        m
        for m in inbox.to(address)
        if "] Moved to " in m["Subject"] or "] Transferido " in m["Subject"]
    ]


def test_two_quick_transfers_send_two_emails_each_naming_its_own_department(
    smtp_server, owner, service, support, agent
) -> None:
    ticket = factories.open_ticket(owner, service=service, department=support)
    sales, billing = factories.department("sales"), factories.department("billing")

    ticket_transfer(actor=agent, ticket=ticket, department=sales, note="Sales sells upgrades.")
    ticket_transfer(actor=agent, ticket=ticket, department=billing, note="No, billing does.")
    worker_run()  # both notices go out after the second transfer

    notices = transfer_notices(smtp_server.inbox, owner.email)
    assert len(notices) == 2
    by_department = {
        ("Sales" if "Moved to Sales" in m["Subject"] else "Billing"): m for m in notices
    }
    assert set(by_department) == {"Sales", "Billing"}
    for name, message in by_department.items():
        other = ({"Sales", "Billing"} - {name}).pop()
        assert f"[#{ticket.number}] Moved to {name}: Site is down" == message["Subject"]
        assert f"was moved to {name}," in text_part(message)
        assert f"was moved to {name}," in html_part(message)
        assert other not in text_part(message)
    assert "Sales sells upgrades." in text_part(by_department["Sales"])
    assert "No, billing does." in text_part(by_department["Billing"])


def test_the_snapshot_keeps_both_department_names_for_the_recipients_language(
    smtp_server, owner, service, support, agent
) -> None:
    owner.language = "pt-br"
    owner.save()
    ticket = factories.open_ticket(owner, service=service, department=support)
    ticket_transfer(actor=agent, ticket=ticket, department=factories.department("sales"), note="1")
    ticket_transfer(
        actor=agent, ticket=ticket, department=factories.department("billing"), note="2"
    )
    # Renamed after the events: the emails still say what the client was told at the time.
    ticket.department.__class__.objects.update(name="Renamed", name_pt_br="Renomeado")
    worker_run()

    subjects = sorted(m["Subject"] for m in transfer_notices(smtp_server.inbox, owner.email))
    assert subjects == [
        f"[#{ticket.number}] Transferido para Comercial: Site is down",
        f"[#{ticket.number}] Transferido para Financeiro: Site is down",
    ]


def test_a_notice_shows_the_ticket_as_it_was_when_queued(
    smtp_server, owner, service, support, agent
) -> None:
    ticket = factories.open_ticket(owner, service=service, department=support)
    ticket_reply_by_agent(actor=agent, ticket=ticket, body="We restarted the server.")
    # Later changes, before the worker gets to the emails.
    Ticket.objects.filter(pk=ticket.pk).update(subject="Edited afterwards")
    ticket_update(actor=agent, ticket=ticket, priority=Ticket.Priority.HIGH)
    ticket_transfer(actor=agent, ticket=ticket, department=factories.department("billing"))
    worker_run()

    inbox = smtp_server.inbox
    (confirmation,) = [m for m in inbox.to(owner.email) if "Ticket opened" in m["Subject"]]
    (reply,) = [m for m in inbox.to(owner.email) if "New reply" in m["Subject"]]
    (notice,) = inbox.to(agent.email)
    assert confirmation["Subject"] == f"[#{ticket.number}] Ticket opened: Site is down"
    assert "for Support." in text_part(confirmation)
    assert "Subject: Site is down" in text_part(confirmation)
    assert reply["Subject"] == f"[#{ticket.number}] New reply: Site is down"
    assert notice["Subject"] == f"[#{ticket.number}] New ticket in Support: Site is down"
    assert "Priority: Medium" in text_part(notice)
    assert "from Acme Hospedagem" in text_part(notice)
    assert "Related Service: Shared Hosting (acme.com.br)" in text_part(notice)
    (moved,) = transfer_notices(inbox, owner.email)
    assert moved["Subject"] == f"[#{ticket.number}] Moved to Billing: Edited afterwards"


def test_a_delivery_queued_before_snapshots_existed_renders_from_the_ticket(
    smtp_server, owner, service, support
) -> None:
    ticket = factories.open_ticket(owner, service=service, department=support)
    with transaction.atomic():
        Delivery.objects.update(context={})  # a row written before the snapshot was stored
        Ticket.objects.filter(pk=ticket.pk).update(subject="Edited afterwards")
    worker_run()

    (confirmation,) = smtp_server.inbox.to(owner.email)
    assert confirmation["Subject"] == f"[#{ticket.number}] Ticket opened: Edited afterwards"
    assert "for Support." in text_part(confirmation)
    assert Delivery.objects.filter(state=Delivery.State.SENT).count() == 1 + support.agents.count()


def test_a_transfer_without_a_note_is_mailed_each_time(
    smtp_server, owner, service, support, agent
) -> None:
    ticket = factories.open_ticket(owner, service=service, department=support)
    for slug in ("sales", "billing", "sales"):
        ticket_transfer(actor=agent, ticket=ticket, department=factories.department(slug))
    worker_run()

    subjects = sorted(m["Subject"] for m in transfer_notices(smtp_server.inbox, owner.email))
    assert subjects == [
        f"[#{ticket.number}] Moved to Billing: Site is down",
        f"[#{ticket.number}] Moved to Sales: Site is down",
        f"[#{ticket.number}] Moved to Sales: Site is down",
    ]
    message_ids = Delivery.objects.filter(kind=Delivery.Kind.TRANSFER_NOTICE).values_list(
        "email_message_id", flat=True
    )
    assert len(set(message_ids)) == 3


def test_a_ticket_auto_closed_twice_tells_the_client_twice(
    smtp_server, owner, service, support, agent
) -> None:
    ticket = factories.open_ticket(owner, service=service, department=support)
    ticket_reply_by_agent(actor=agent, ticket=ticket, body="Fixed, please check.")
    later = timezone.now() + timedelta(days=30)
    assert ticket_autoclose_due(now=later) == 1
    ticket_reply_by_client(
        actor=owner, ticket=ticket, body="It is still broken after the fix, same 500 error."
    )
    ticket_reply_by_agent(actor=agent, ticket=ticket, body="Fixed for real now.")
    assert ticket_autoclose_due(now=later + timedelta(days=30)) == 1
    worker_run()

    closed = [m for m in smtp_server.inbox.to(owner.email) if "Closed for lack" in m["Subject"]]
    assert len(closed) == 2
