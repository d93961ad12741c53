"""Every notice kind, sent by the real worker to a real SMTP server on loopback (aiosmtpd).

Each arrives with the number in its subject (``[#592110]``), a Reply-To whose signed tag is
valid for its recipient (and no one else), Message-ID / In-Reply-To / References threading,
a text and an HTML part, written in the recipient's saved language with ``<html lang>``
matching; agents' notices link to the desk and name who wrote, clients' to the client area.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from chamado.mail.addresses import reply_tag
from chamado.mail.models import AGENT_KINDS, Delivery
from chamado.mail.render import thread_id
from chamado.tickets.actions import (
    ticket_autoclose_due,
    ticket_merge,
    ticket_reply_by_agent,
    ticket_reply_by_client,
    ticket_transfer,
    ticket_update,
)
from chamado.tickets.models import Ticket
from tests import factories
from tests.worker import worker_run

pytestmark = pytest.mark.django_db(transaction=True)

Kind = Delivery.Kind
SUPPORT_ADDRESS = "help@acme-hosting.example"
SITE_SENDER = "support@chamado.localhost"


@dataclass
class World:
    owner: Any
    agent: Any  # Support
    billing_agent: Any
    outsider: Any  # another client, for whom no tag is valid


@dataclass
class Sent:
    """What a scenario queued: the notice to look for, the ticket its subject names, and the
    ticket a reply belongs to."""

    recipient: Any
    ticket: Ticket
    reply_number: int
    reply_base: str  # the untagged address the Reply-To is built on


def opened(world: World) -> Ticket:
    return factories.open_ticket(world.owner, subject="Site is down")


def confirmation(world: World) -> Sent:
    ticket = opened(world)
    return Sent(world.owner, ticket, ticket.number, SUPPORT_ADDRESS)


def new_ticket_notice(world: World) -> Sent:
    ticket = opened(world)
    return Sent(world.agent, ticket, ticket.number, SUPPORT_ADDRESS)


def client_reply_notice(world: World) -> Sent:
    ticket = opened(world)
    ticket_reply_by_agent(actor=world.agent, ticket=ticket, body="Which page fails?")
    ticket_reply_by_client(actor=world.owner, ticket=ticket, body="The checkout page, always.")
    return Sent(world.agent, ticket, ticket.number, SUPPORT_ADDRESS)


def agent_reply(world: World) -> Sent:
    ticket = opened(world)
    ticket_reply_by_agent(actor=world.agent, ticket=ticket, body="We restarted the server.")
    return Sent(world.owner, ticket, ticket.number, SUPPORT_ADDRESS)


def moved(world: World) -> Ticket:
    ticket = opened(world)
    ticket_transfer(
        actor=world.agent, ticket=ticket, department="billing", note="Billing handles refunds."
    )
    return ticket


def transfer_notice(world: World) -> Sent:
    ticket = moved(world)
    return Sent(world.owner, ticket, ticket.number, SITE_SENDER)  # Billing has no address


def transfer_agents_notice(world: World) -> Sent:
    ticket = moved(world)
    return Sent(world.billing_agent, ticket, ticket.number, SITE_SENDER)


def auto_closed(world: World) -> Sent:
    ticket = opened(world)
    ticket_reply_by_agent(actor=world.agent, ticket=ticket, body="Fixed, please check.")
    assert ticket_autoclose_due(now=timezone.now() + timedelta(days=30)) == 1
    return Sent(world.owner, ticket, ticket.number, SUPPORT_ADDRESS)


def status_changed(world: World) -> Sent:
    ticket = opened(world)
    ticket_update(actor=world.agent, ticket=ticket, status=Ticket.Status.ON_HOLD)
    return Sent(world.owner, ticket, ticket.number, SUPPORT_ADDRESS)


def merged(world: World) -> Sent:
    source = opened(world)
    target = factories.open_ticket(world.owner, subject="Site still down")
    ticket_merge(actor=world.agent, source=source, target=target)
    # About the merged ticket, but an answer goes where it continues.
    return Sent(world.owner, source, target.number, SUPPORT_ADDRESS)


# kind: (scenario, what the English text says, what the Portuguese says); {n} is the number in
# the subject, {into} the ticket a merged one continues in.
NOTICES: dict[str, tuple[Callable[[World], Sent], str, str]] = {
    Kind.TICKET_CONFIRMATION: (
        confirmation,
        "We received your ticket #{n} for Support.",
        "Recebemos seu ticket #{n} para o departamento Suporte.",
    ),
    Kind.TICKET_NEW_NOTICE: (
        new_ticket_notice,
        "New ticket #{n} in Support from Acme Hospedagem.|Written by Ana Souza.",
        "Novo ticket #{n} em Suporte, de Acme Hospedagem.|Escrito por Ana Souza.",
    ),
    Kind.CLIENT_REPLY_NOTICE: (
        client_reply_notice,
        "Ana Souza replied on ticket #{n}.|The checkout page, always.",
        "Ana Souza respondeu no ticket #{n}.|The checkout page, always.",
    ),
    Kind.AGENT_REPLY: (
        agent_reply,
        "Elisa Rocha replied to your ticket #{n}:|We restarted the server.",
        "Elisa Rocha respondeu ao seu ticket #{n}:|We restarted the server.",
    ),
    Kind.TRANSFER_NOTICE: (
        transfer_notice,
        "Your ticket #{n} was moved to Billing,|Billing handles refunds.",
        "Transferimos seu ticket #{n} para o departamento Financeiro,|Billing handles refunds.",
    ),
    Kind.TRANSFER_AGENTS_NOTICE: (
        transfer_agents_notice,
        "Elisa Rocha transferred ticket #{n} from Support to Billing.|Billing handles refunds.",
        "Elisa Rocha transferiu o ticket #{n} de Suporte para Financeiro.|Billing handles",
    ),
    Kind.AUTO_CLOSED: (
        auto_closed,
        "We closed your ticket #{n} because we had no reply",
        "Fechamos o seu ticket #{n} porque não recebemos retorno",
    ),
    Kind.STATUS_CHANGED: (
        status_changed,
        "The status of your ticket #{n} changed from Open to On Hold.",
        "O status do seu ticket #{n} mudou de Aberto para Em Espera.",
    ),
    Kind.MERGED: (
        merged,
        "Your ticket #{n} continues in ticket #{into}:",
        "Seu ticket #{n} continua no ticket #{into}:",
    ),
}


@pytest.fixture
def world(smtp_server: Any) -> World:
    support = factories.department("support")
    support.email = SUPPORT_ADDRESS
    support.save()
    owner = factories.OwnerFactory(
        full_name="Ana Souza",
        email="ana@acme.example",
        account=factories.AccountFactory(name="Acme Hospedagem"),
    )
    factories.ServiceFactory(account=owner.account)
    agent = factories.AgentFactory(full_name="Elisa Rocha", email="elisa@chamado.example")
    support.agents.add(agent)
    billing_agent = factories.AgentFactory(full_name="Fábio Costa", email="fabio@chamado.example")
    factories.department("billing").agents.add(billing_agent)
    outsider = factories.OwnerFactory(email="someone@elsewhere.example")
    return World(owner=owner, agent=agent, billing_agent=billing_agent, outsider=outsider)


def parts(message: Any) -> dict[str, str]:
    return {
        part.get_content_type(): part.get_content()
        for part in message.walk()
        if not part.is_multipart()
    }


@pytest.mark.parametrize("language", ["en", "pt-br"])
@pytest.mark.parametrize("kind", list(NOTICES))
def test_each_notice_arrives_threaded_with_a_signed_reply_to_in_the_saved_language(
    smtp_server: Any, world: World, kind: str, language: str
) -> None:
    scenario, english, portuguese = NOTICES[kind]
    for person in (world.owner, world.agent, world.billing_agent):
        person.language = language  # saved; the test itself runs in English
        person.save(update_fields=["language"])
    sent = scenario(world)
    number = sent.ticket.number
    delivery = Delivery.objects.get(kind=kind, recipient=sent.recipient, ticket=sent.ticket)

    output = worker_run()

    arrived = [
        m
        for m in smtp_server.inbox.to(sent.recipient.email)
        if m["Message-ID"] == delivery.email_message_id
    ]
    assert len(arrived) == 1, output
    email = arrived[0]
    assert email["Subject"].startswith(f"[#{number}] ")
    assert email["To"] == sent.recipient.email

    # Threading: its own Message-ID, in the conversation of its ticket.
    assert email["In-Reply-To"] == thread_id(number)
    assert thread_id(number) in email["References"].split()
    if kind == Kind.MERGED:
        assert thread_id(sent.reply_number) in email["References"].split()

    # Reply-To: the department's address (or the site's) with a tag for this recipient only.
    tag = reply_tag(email["Reply-To"])
    assert tag is not None, email["Reply-To"]
    assert tag.number == sent.reply_number
    assert tag.address == sent.reply_base
    assert tag.valid_for(sent.recipient.pk)
    assert not tag.valid_for(world.outsider.pk)

    # Both parts, in the saved language, the HTML one saying which.
    bodies = parts(email)
    assert set(bodies) == {"text/plain", "text/html"}
    expected = (english if language == "en" else portuguese).format(
        n=number, into=sent.reply_number
    )
    for phrase in expected.split("|"):
        assert phrase in bodies["text/plain"], bodies["text/plain"]
        assert phrase in bodies["text/html"].replace("&#x27;", "'"), bodies["text/html"]
    html_lang = "pt-BR" if language == "pt-br" else "en"
    assert f'<html lang="{html_lang}">' in bodies["text/html"]
    other = portuguese if language == "en" else english
    assert other.split("|")[0].format(n=number, into=sent.reply_number) not in bodies["text/plain"]

    # Agents open the ticket in the desk, clients in the client area; never the site root.
    desk = settings.SITE_URL + reverse("desk:ticket", args=[sent.reply_number])
    portal = settings.SITE_URL + reverse("portal:ticket", args=[sent.reply_number])
    link, not_link = (desk, portal) if kind in AGENT_KINDS else (portal, desk)
    for body in bodies.values():
        assert link in body
        assert not_link not in body
        assert f'"{settings.SITE_URL}/"' not in body
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.SENT


def test_every_kind_of_ticket_notice_is_covered() -> None:
    assert set(NOTICES) == set(Kind.values)
