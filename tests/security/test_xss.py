"""Every text field of the client area, the desk, the API, outbound and inbound email, filled
with each payload of the corpus: no payload renders live anywhere (pages, emails); the API
answers JSON. The knowledge base's Markdown has its own corpus (tests/kb/xss_corpus.py)."""

from email.headerregistry import Address
from email.message import EmailMessage
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from chamado.inbox.actions import inbound_receive
from chamado.mail.models import Delivery
from chamado.mail.render import delivery_email
from chamado.tickets.actions import ticket_reply_by_agent, ticket_transfer
from chamado.tickets.models import CannedReply, Department
from tests import factories
from tests.api.conftest import ApiClient, token_for
from tests.security.xss import PAYLOADS, live

pytestmark = pytest.mark.django_db


def test_the_corpus_is_large_enough() -> None:
    assert len(PAYLOADS) >= 50


def test_the_check_catches_live_markup() -> None:
    assert live("<img src=x onerror=alert('XSS1')>")
    assert live("<script>alert('XSS2')</script>")
    assert live("<a href=\"javascript:alert('XSS3')\">x</a>")
    assert live("<p style=\"background:url('XSS4')\">x</p>")
    assert not live("&lt;script&gt;alert('XSS5')&lt;/script&gt;")
    assert not live('<input value="&lt;script&gt;XSS6">')  # text in a field: inert


def html_part(email: Any) -> str:
    return next(content for content, kind in email.alternatives if kind == "text/html")


@pytest.mark.parametrize("payload", PAYLOADS, ids=[f"XSS{n}" for n in range(len(PAYLOADS))])
def test_no_payload_renders_live(payload, owner, account, service, agent, admin, support) -> None:
    account.name = payload[:200]
    account.save()
    owner.full_name = payload[:150]
    owner.save()
    service.name, service.label = payload[:120], payload[:200]
    service.save()
    Department.objects.filter(pk=support.pk).update(name=payload[:80])
    support.refresh_from_db()
    CannedReply.objects.create(title=payload[:120], body=payload, department=support)
    ticket = factories.open_ticket(
        owner,
        service=service,
        department=support,
        subject=payload[:120],
        body=f"{payload} (with details enough)",
    )
    ticket_reply_by_agent(actor=agent, ticket=ticket, body=payload)
    ticket_reply_by_agent(actor=agent, ticket=ticket, body=payload, is_internal=True)
    ticket_transfer(
        actor=agent, ticket=ticket, department=factories.department("sales"), note=payload
    )
    factories.department("sales").agents.add(agent)

    client, desk, boss = Client(), Client(), Client()
    client.force_login(owner)
    desk.force_login(agent)
    boss.force_login(admin)
    number = ticket.number
    pages = {
        "client home": client.get(reverse("portal:home")),
        "client list": client.get(reverse("portal:tickets")),
        "client ticket": client.get(reverse("portal:ticket", args=[number])),
        "client created": client.get(reverse("portal:ticket_created", args=[number])),
        "desk queue": desk.get(reverse("desk:queue"), {"status": "all"}),
        "desk ticket": desk.get(reverse("desk:ticket", args=[number])),
        "desk search": desk.get(reverse("desk:search"), {"q": payload[:60]}),
        "desk dashboard": desk.get(reverse("desk:dashboard")),
        "audit log": boss.get(reverse("desk:audit")),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        assert live(response.content.decode()) == [], name

    deliveries = Delivery.objects.filter(ticket=ticket)
    assert deliveries.count() >= 4
    for delivery in deliveries:
        assert live(html_part(delivery_email(delivery))) == [], delivery.kind

    for who, path in [(owner, f"/tickets/{number}"), (agent, f"/desk/tickets/{number}")]:
        response = ApiClient(token_for(who)).get(path)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json; charset=utf-8"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response.json()["subject"] == ticket.subject  # stored as written, shown inert


@pytest.mark.parametrize("payload", PAYLOADS, ids=[f"XSS{n}" for n in range(len(PAYLOADS))])
def test_no_payload_in_an_inbound_email_renders_live(payload, agent) -> None:
    """Inbound email: sender name, subject and body of a message that lands in review."""
    message = EmailMessage()
    message["From"] = Address(display_name=payload[:60], addr_spec="stranger@elsewhere.example")
    message["To"] = "support@example.com"
    message["Subject"] = payload
    message["Message-ID"] = f"<{abs(hash(payload))}@elsewhere.example>"
    message.set_content(f"{payload}\n\nPlease answer.")
    message.add_alternative(f"<p>{payload}</p>", subtype="html")
    inbound = inbound_receive(message.as_bytes(), source="pipe").inbound
    assert inbound is not None

    desk = Client()
    desk.force_login(agent)
    for url in (reverse("desk:review"), reverse("desk:review_detail", args=[inbound.pk])):
        response = desk.get(url)
        assert response.status_code == 200
        assert live(response.content.decode()) == [], url
