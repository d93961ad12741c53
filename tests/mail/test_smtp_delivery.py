"""Email end to end: the portal opens a ticket, the real worker sends to a real SMTP server.

SPEC §6: text and HTML parts, the number in the subject, threading headers, sent by a
background task with retries; an outage delays mail but loses none, a retry never sends twice.
"""

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from chamado.mail.models import Delivery
from chamado.mail.tasks import deliveries_fanout, delivery_send
from chamado.tickets.models import Ticket
from tests import factories
from tests.worker import worker_run

pytestmark = pytest.mark.django_db(transaction=True)

READY = "READY"


@pytest.fixture
def people() -> dict[str, Any]:
    """Transactional tests start from an empty database: build everything here."""
    owner = factories.OwnerFactory(full_name="Ana Souza", email="ana@acme.example")
    service = factories.ServiceFactory(account=owner.account, label="acme.com.br")
    support = factories.department("support")
    first = factories.AgentFactory(full_name="Elisa Rocha", email="elisa@chamado.example")
    second = factories.AgentFactory(full_name="Igor Melo", email="igor@chamado.example")
    elsewhere = factories.AgentFactory(email="billing-only@chamado.example")
    support.agents.add(first, second)
    factories.department("billing").agents.add(elsewhere)
    return {"owner": owner, "service": service, "support": support, "agents": [first, second]}


def open_through_portal(client: Any, people: dict[str, Any]) -> Ticket:
    client.force_login(people["owner"])
    response = client.post(
        reverse("portal:ticket_new", args=["support"]),
        {
            "department": people["support"].pk,
            "subject": "Reset cPanel password",
            "service": people["service"].pk,
            "priority": 2,
            "message": "I lost my cPanel password and need a reset link, please.",
        },
    )
    assert response.status_code == 302, response.content.decode()
    return Ticket.objects.get()


def thread_id(ticket: Ticket) -> str:
    return f"<ticket-{ticket.number}@{settings.MESSAGE_ID_DOMAIN}>"


def parts(message: Any) -> dict[str, str]:
    return {
        part.get_content_type(): part.get_content()
        for part in message.walk()
        if not part.is_multipart()
    }


def test_opening_a_ticket_mails_the_contact_and_the_departments_agents(
    client, smtp_server, people
) -> None:
    ticket = open_through_portal(client, people)
    assert smtp_server.inbox.messages == [], "nothing is sent inside the request"

    worker_run()

    inbox = smtp_server.inbox
    assert len(inbox.messages) == 3
    (confirmation,) = inbox.to("ana@acme.example")
    assert f"[#{ticket.number}]" in confirmation["Subject"]
    assert "Ticket opened" in confirmation["Subject"]
    for agent in people["agents"]:
        (notice,) = inbox.to(agent.email)
        assert f"[#{ticket.number}]" in notice["Subject"]
        assert "New ticket in Support" in notice["Subject"]
    assert inbox.to("billing-only@chamado.example") == []
    assert Delivery.objects.filter(state=Delivery.State.SENT).count() == 3


def test_sent_email_has_text_and_html_parts_and_threading_headers(
    client, smtp_server, people
) -> None:
    ticket = open_through_portal(client, people)
    worker_run()

    (confirmation,) = smtp_server.inbox.to("ana@acme.example")
    delivery = Delivery.objects.get(kind=Delivery.Kind.TICKET_CONFIRMATION)
    assert confirmation.get_content_type() == "multipart/alternative"
    bodies = parts(confirmation)
    assert set(bodies) == {"text/plain", "text/html"}
    assert str(ticket.number) in bodies["text/plain"]
    assert str(ticket.number) in bodies["text/html"]
    assert reverse("portal:ticket", args=[ticket.number]) in bodies["text/plain"]
    assert confirmation["Message-ID"] == delivery.email_message_id
    assert confirmation["In-Reply-To"] == thread_id(ticket)
    assert thread_id(ticket) in confirmation["References"]
    assert confirmation["Auto-Submitted"] == "auto-generated"

    message_ids = {m["Message-ID"] for m in smtp_server.inbox.messages}
    assert message_ids == set(Delivery.objects.values_list("email_message_id", flat=True))
    assert len(message_ids) == 3, "each email has its own Message-ID"
    for message in smtp_server.inbox.messages:
        assert message["In-Reply-To"] == thread_id(ticket)
        assert set(parts(message)) == {"text/plain", "text/html"}


def test_html_part_renders_the_clients_text_inert(client, smtp_server, people) -> None:
    client.force_login(people["owner"])
    client.post(
        reverse("portal:ticket_new", args=["support"]),
        {
            "department": people["support"].pk,
            "subject": "<script>alert(1)</script> broken",
            "service": people["service"].pk,
            "priority": 2,
            "message": "<img src=x onerror=alert(1)> the site is broken again today",
        },
    )
    worker_run()
    assert len(smtp_server.inbox.messages) == 3
    for message in smtp_server.inbox.messages:
        html = parts(message)["text/html"]
        assert "<script>" not in html and "<img src=x" not in html
    (confirmation,) = smtp_server.inbox.to("ana@acme.example")
    assert "&lt;img src=x onerror=alert(1)&gt;" in parts(confirmation)["text/html"]


def test_mail_server_outage_delays_the_email_and_the_retry_sends_it_once(
    client, smtp_down, people
) -> None:
    ticket = open_through_portal(client, people)
    before = timezone.now()

    worker_run()

    deliveries = Delivery.objects.all()
    assert deliveries.count() == 3
    for delivery in deliveries:
        assert delivery.state == Delivery.State.PENDING
        assert delivery.attempts == 1
        assert "Connection" in delivery.last_error or "refused" in delivery.last_error.lower()
    retries = DBTaskResult.objects.filter(status=READY)
    assert retries.count() == 3
    assert all(task.run_after > before + timedelta(seconds=20) for task in retries)
    assert sorted(task.args_kwargs["args"][0] for task in retries) == sorted(
        deliveries.values_list("pk", flat=True)
    )

    worker_run()  # the retries are not due yet: nothing happens
    assert DBTaskResult.objects.filter(status=READY).count() == 3
    assert Delivery.objects.filter(attempts=1).count() == 3

    smtp_down.start()
    retries.update(run_after=timezone.now() - timedelta(seconds=1))
    worker_run()

    inbox = smtp_down.inbox
    assert len(inbox.messages) == 3
    assert len(inbox.to("ana@acme.example")) == 1
    assert all(f"[#{ticket.number}]" in m["Subject"] for m in inbox.messages)
    for delivery in Delivery.objects.all():
        assert delivery.state == Delivery.State.SENT
        assert delivery.attempts == 2
        assert delivery.sent_at is not None

    worker_run()
    assert len(inbox.messages) == 3
    assert not DBTaskResult.objects.filter(status=READY).exists()


def test_a_duplicate_send_task_does_not_send_the_email_twice(smtp_server, people) -> None:
    ticket = factories.open_ticket(people["owner"], service=people["service"])
    delivery = Delivery.objects.get(kind=Delivery.Kind.TICKET_CONFIRMATION)
    delivery_send.enqueue(delivery.pk)

    worker_run()

    assert len(smtp_server.inbox.to("ana@acme.example")) == 1
    assert Delivery.objects.get(pk=delivery.pk).attempts == 1
    assert ticket.deliveries.count() == 3


def test_opening_in_a_rolled_back_transaction_leaves_no_delivery_and_no_task(people) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        factories.open_ticket(people["owner"], service=people["service"])
        assert Delivery.objects.count() == 3
        assert DBTaskResult.objects.count() == 1  # the one that hands the three to the sender
        raise RuntimeError("something after the ticket failed")

    assert Ticket.objects.count() == 0
    assert Delivery.objects.count() == 0
    assert DBTaskResult.objects.count() == 0


def test_committed_ticket_queues_one_task_that_gives_each_email_its_own(
    people, smtp_server
) -> None:
    factories.open_ticket(people["owner"], service=people["service"])
    assert Delivery.objects.count() == 3
    fanout = DBTaskResult.objects.get(status=READY)  # one task, whatever the recipients
    assert fanout.task_path == deliveries_fanout.module_path
    assert set(Delivery.objects.values_list("task_id", flat=True)) == {fanout.id}

    worker_run()

    assert len(smtp_server.inbox.messages) == 3
    sends = DBTaskResult.objects.filter(task_path=delivery_send.module_path)
    assert sends.count() == 3
    assert set(Delivery.objects.values_list("task_id", flat=True)) == set(
        sends.values_list("id", flat=True)
    )
    assert set(Delivery.objects.values_list("state", flat=True)) == {Delivery.State.SENT}
