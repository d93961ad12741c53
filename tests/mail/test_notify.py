"""Which ticket events become which emails, to whom, in which language."""

import pytest
from django.utils import translation

from chamado.mail.models import Delivery
from chamado.mail.render import delivery_email
from chamado.tickets.actions import (
    ticket_close,
    ticket_merge,
    ticket_reply_by_agent,
    ticket_reply_by_client,
    ticket_transfer,
    ticket_update,
)
from chamado.tickets.models import Ticket
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
    assert Kind.STATUS_CHANGED not in kinds_to(agent)
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
    owner.membership.is_owner = False
    owner.membership.save()
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


def test_an_agent_changing_the_status_tells_the_client_but_priority_and_assignee_do_not(
    ticket, owner, agent
) -> None:
    ticket_update(actor=agent, ticket=ticket, priority=Ticket.Priority.HIGH)
    ticket_update(actor=agent, ticket=ticket, assignee=agent)
    assert Kind.STATUS_CHANGED not in kinds_to(owner)

    ticket_update(actor=agent, ticket=ticket, status=Ticket.Status.IN_PROGRESS)
    ticket_update(actor=agent, ticket=ticket, status=Ticket.Status.IN_PROGRESS)  # no change
    ticket_update(actor=agent, ticket=ticket, status=Ticket.Status.CLOSED)

    notices = Delivery.objects.filter(kind=Kind.STATUS_CHANGED).order_by("pk")
    assert [(d.recipient, d.context["previous_status"], d.context["status"]) for d in notices] == [
        (owner, Ticket.Status.OPEN, Ticket.Status.IN_PROGRESS),
        (owner, Ticket.Status.IN_PROGRESS, Ticket.Status.CLOSED),
    ]
    assert Kind.STATUS_CHANGED not in kinds_to(agent)


def test_a_reply_that_sets_the_status_sends_the_reply_only(ticket, owner, agent) -> None:
    ticket_reply_by_agent(
        actor=agent, ticket=ticket, body="Done, closing.", status=Ticket.Status.CLOSED
    )
    assert kinds_to(owner) == [Kind.AGENT_REPLY, Kind.TICKET_CONFIRMATION]


def test_a_transfer_tells_the_client_and_the_receiving_departments_agents(
    ticket, owner, agent, colleague, billing, billing_agent
) -> None:
    billing.agents.add(agent)  # the agent who moves it is in both: no email to themself
    ticket_transfer(actor=agent, ticket=ticket, department=billing)

    assert Kind.TRANSFER_NOTICE in kinds_to(owner)
    assert Kind.TRANSFER_AGENTS_NOTICE in kinds_to(billing_agent)
    assert Kind.TRANSFER_AGENTS_NOTICE not in kinds_to(agent)
    assert Kind.TRANSFER_AGENTS_NOTICE not in kinds_to(colleague)  # Support's, left behind
    notice = Delivery.objects.get(kind=Kind.TRANSFER_AGENTS_NOTICE)
    assert notice.context["author"] == "Elisa Rocha"
    assert notice.context["previous_department"]["name"] == "Support"
    assert notice.context["department"]["name"] == "Billing"


def test_a_merge_tells_the_client_of_the_merged_ticket_where_it_continues(
    owner, contact, service, support, agent
) -> None:
    source = factories.open_ticket(contact, service=service, department=support)
    target = factories.open_ticket(owner, service=service, department=support)
    ticket_merge(actor=agent, source=source, target=target)

    (notice,) = Delivery.objects.filter(kind=Kind.MERGED)
    assert notice.recipient == contact
    assert notice.ticket == source
    assert notice.context["number"] == source.number
    assert notice.context["into"] == target.number
    email = delivery_email(notice)
    assert email.subject == f"[#{source.number}] Continues in #{target.number}: Site is down"
    assert f"+{target.number}." in email.extra_headers["Reply-To"]


def test_an_email_keeps_the_saved_language_whatever_language_is_active(
    owner, service, support
) -> None:
    owner.language = "pt-br"
    owner.save()
    ticket = factories.open_ticket(owner, service=service, department=support)
    with translation.override("en"):
        email = delivery_email(Delivery.objects.get(kind=Kind.TICKET_CONFIRMATION))
    assert email.subject == f"[#{ticket.number}] Ticket aberto: {ticket.subject}"
    html = email.alternatives[0].content
    assert '<html lang="pt-BR">' in html
    assert "Recebemos seu ticket" in email.body
