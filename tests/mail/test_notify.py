"""Which ticket events become which emails, to whom, in which language."""

import pytest

from chamado.mail.models import Delivery
from chamado.mail.render import delivery_email
from chamado.tickets.actions import (
    ticket_close,
    ticket_reply_by_agent,
    ticket_reply_by_client,
    ticket_update,
)
from tests import factories

pytestmark = pytest.mark.django_db

Kind = Delivery.Kind


def kinds_to(recipient) -> list[str]:
    return sorted(Delivery.objects.filter(recipient=recipient).values_list("kind", flat=True))


def test_opening_notifies_the_contact_and_every_active_agent_of_the_department(
    owner, service, support, agent
) -> None:
    retired = factories.AgentFactory(is_active=False)
    support.agents.add(retired)
    factories.open_ticket(owner, service=service, department=support)
    assert kinds_to(owner) == [Kind.TICKET_CONFIRMATION]
    assert kinds_to(agent) == [Kind.TICKET_NEW_NOTICE]
    assert kinds_to(retired) == []


def test_agent_reply_is_mailed_to_the_contact_but_an_internal_note_is_not(
    ticket, owner, agent
) -> None:
    ticket_reply_by_agent(actor=agent, ticket=ticket, body="Internal only.", is_internal=True)
    assert kinds_to(owner) == [Kind.TICKET_CONFIRMATION]
    ticket_reply_by_agent(actor=agent, ticket=ticket, body="We fixed it, please check.")
    assert kinds_to(owner) == [Kind.AGENT_REPLY, Kind.TICKET_CONFIRMATION]


def test_client_reply_goes_to_the_assignee_only_when_there_is_one(ticket, owner, agent):
    colleague = factories.AgentFactory()
    ticket.department.agents.add(colleague)
    ticket_update(actor=agent, ticket=ticket, assignee=agent)
    ticket_reply_by_agent(actor=agent, ticket=ticket, body="Which page fails?")
    ticket_reply_by_client(actor=owner, ticket=ticket, body="The checkout page, every time.")
    assert Kind.CLIENT_REPLY_NOTICE in kinds_to(agent)
    assert Kind.CLIENT_REPLY_NOTICE not in kinds_to(colleague)


def test_contact_who_lost_the_tickets_permission_gets_no_more_mail(ticket, owner, agent):
    owner.is_account_owner = False
    owner.save()
    ticket_reply_by_agent(actor=agent, ticket=ticket, body="We fixed it, please check.")
    assert Kind.AGENT_REPLY not in kinds_to(owner)


def test_client_closing_the_ticket_sends_no_email(ticket, owner) -> None:
    before = Delivery.objects.count()
    ticket_close(actor=owner, ticket=ticket)
    assert Delivery.objects.count() == before


def test_email_is_written_in_the_recipients_language(owner, service, support) -> None:
    owner.language = "pt-br"
    owner.save()
    ticket = factories.open_ticket(owner, service=service, department=support)
    email = delivery_email(Delivery.objects.get(kind=Kind.TICKET_CONFIRMATION))
    assert email.subject == f"[#{ticket.number}] Ticket aberto: {ticket.subject}"
    assert email.to == [owner.email]
