"""Followers of a ticket: who may follow, who may add and remove them, the audit, the merge,
and the emails (each follower their own copy, only while they may see the ticket, and a
reply to their copy accepted as the client's)."""

from typing import Any

import pytest
from django.core import mail

from chamado.accounts.models import Membership
from chamado.core.errors import ApplicationError, NotFound
from chamado.core.models import AuditEvent
from chamado.inbox.actions import inbound_receive
from chamado.inbox.models import InboundMessage
from chamado.mail.addresses import reply_tag
from chamado.mail.models import Delivery
from chamado.mail.notify import client_recipients, delivery_queue
from chamado.mail.render import delivery_email
from chamado.tickets.actions import (
    ticket_autoclose_due,
    ticket_merge,
    ticket_reply_by_agent,
    ticket_transfer,
    ticket_update,
)
from chamado.tickets.followers import ticket_follower_add, ticket_follower_remove
from chamado.tickets.models import Message, Ticket, TicketFollower
from tests import factories
from tests.clock import hours_ago
from tests.worker import worker_run

pytestmark = pytest.mark.django_db

Kind = Delivery.Kind
REFUSED = "Choose a contact of this account who may see its tickets."


def follows(ticket: Ticket) -> list[Any]:
    return list(
        TicketFollower.objects.filter(ticket=ticket).order_by("pk").values_list("user", flat=True)
    )


def kinds_to(person: Any) -> list[str]:
    return sorted(Delivery.objects.filter(recipient=person).values_list("kind", flat=True))


@pytest.fixture
def dora(account: Any) -> Any:
    """A second contact of Acme with the tickets permission."""
    return factories.ContactFactory(account=account, can_tickets=True, full_name="Dora Alves")


# ---- Adding ---------------------------------------------------------------------------------


def test_a_contact_with_the_tickets_permission_is_added_audited_and_told(
    ticket, owner, contact
) -> None:
    outcome = ticket_follower_add(actor=owner, ticket=ticket, user=contact)
    assert outcome.changed and outcome.ticket.pk == ticket.pk
    assert outcome.notice == "Bruno Lima now follows this ticket and gets its emails."
    assert follows(ticket) == [contact.pk]
    row = TicketFollower.objects.get(ticket=ticket)
    assert row.added_by == owner and row.created_at is not None
    event = AuditEvent.objects.get(verb="ticket.follower_add")
    assert event.actor == owner and event.object_id == str(ticket.pk)
    assert event.after == {"user": contact.pk}


def test_adding_twice_changes_nothing(ticket, owner, contact) -> None:
    ticket_follower_add(actor=owner, ticket=ticket, user=contact)
    again = ticket_follower_add(actor=owner, ticket=ticket, user=contact.pk)
    assert not again.changed
    assert again.notice == "Bruno Lima already follows this ticket."
    assert follows(ticket) == [contact.pk]
    assert AuditEvent.objects.filter(verb="ticket.follower_add").count() == 1


def test_a_contact_may_follow_a_ticket_someone_else_opened(ticket, contact) -> None:
    outcome = ticket_follower_add(actor=contact, ticket=ticket, user=str(contact.pk))
    assert outcome.notice == "You now follow this ticket: its emails come to you too."
    assert follows(ticket) == [contact.pk]


def test_someone_of_another_account_is_refused_like_an_unknown_id(
    ticket, owner, other_owner
) -> None:
    refusals = []
    for candidate in (other_owner, other_owner.pk, 10**9, "x", None, True):
        with pytest.raises(ApplicationError) as refused:
            ticket_follower_add(actor=owner, ticket=ticket, user=candidate)
        refusals.append((refused.value.message, refused.value.field))
    assert set(refusals) == {(REFUSED, "user")}  # no hint of who exists or where
    assert follows(ticket) == []


def test_a_person_of_both_accounts_follows_by_their_permission_in_the_tickets_account(
    ticket, owner, other_owner
) -> None:
    webmaster = factories.ContactFactory(account=other_owner.account, can_tickets=True)
    Membership.objects.create(user=webmaster, account=ticket.account, can_tickets=False)
    with pytest.raises(ApplicationError):
        ticket_follower_add(actor=owner, ticket=ticket, user=webmaster)
    Membership.objects.filter(user=webmaster, account=ticket.account).update(can_tickets=True)
    ticket_follower_add(actor=owner, ticket=ticket, user=webmaster)
    assert follows(ticket) == [webmaster.pk]


def test_a_contact_without_the_tickets_permission_cannot_be_added(
    ticket, owner, contact_without_tickets
) -> None:
    with pytest.raises(ApplicationError, match=REFUSED):
        ticket_follower_add(actor=owner, ticket=ticket, user=contact_without_tickets)
    assert follows(ticket) == []


def test_an_inactive_contact_cannot_be_added(ticket, owner, contact) -> None:
    contact.is_active = False
    contact.save()
    with pytest.raises(ApplicationError, match=REFUSED):
        ticket_follower_add(actor=owner, ticket=ticket, user=contact)


def test_the_opener_is_not_added(ticket, owner, contact) -> None:
    with pytest.raises(ApplicationError) as refused:
        ticket_follower_add(actor=contact, ticket=ticket, user=owner)
    assert refused.value.message == "Ana Souza opened this ticket and already gets its emails."
    assert follows(ticket) == []


def test_only_those_who_reach_the_ticket_may_add(
    ticket, contact, contact_without_tickets, other_owner, billing_agent, agent, admin
) -> None:
    for outsider in (contact_without_tickets, other_owner, billing_agent):
        with pytest.raises(NotFound):
            ticket_follower_add(actor=outsider, ticket=ticket, user=contact)
    assert follows(ticket) == []
    ticket_follower_add(actor=agent, ticket=ticket, user=contact)  # Support sees it
    assert TicketFollower.objects.get(ticket=ticket).added_by == agent
    ticket_follower_remove(actor=agent, ticket=ticket, user=contact)
    ticket_follower_add(actor=admin, ticket=ticket, user=contact)
    assert follows(ticket) == [contact.pk]


def test_an_inactive_agent_reaches_nothing(ticket, contact, agent) -> None:
    agent.is_active = False
    agent.save()
    with pytest.raises(NotFound):
        ticket_follower_add(actor=agent, ticket=ticket, user=contact)


# ---- Removing -------------------------------------------------------------------------------


def test_anyone_who_reaches_the_ticket_removes_a_follower_audited(
    ticket, owner, contact, dora
) -> None:
    ticket_follower_add(actor=owner, ticket=ticket, user=contact)
    outcome = ticket_follower_remove(actor=dora, ticket=ticket, user=contact.pk)
    assert outcome.changed and outcome.notice == "Bruno Lima no longer follows this ticket."
    assert follows(ticket) == []
    event = AuditEvent.objects.get(verb="ticket.follower_remove")
    assert event.actor == dora and event.before == {"user": contact.pk}


def test_a_follower_removes_themselves_even_after_losing_the_permission(
    ticket, owner, contact
) -> None:
    ticket_follower_add(actor=owner, ticket=ticket, user=contact)
    Membership.objects.filter(user=contact).update(can_tickets=False)
    contact.refresh_from_db()
    outcome = ticket_follower_remove(actor=contact, ticket=ticket, user=contact)
    assert outcome.notice == "You no longer follow this ticket."
    assert follows(ticket) == []


def test_removing_someone_who_does_not_follow_changes_nothing(ticket, owner, contact) -> None:
    outcome = ticket_follower_remove(actor=owner, ticket=ticket, user=contact)
    assert not outcome.changed
    assert not AuditEvent.objects.filter(verb="ticket.follower_remove").exists()


def test_an_outsider_cannot_remove_a_follower(ticket, owner, contact, other_owner) -> None:
    ticket_follower_add(actor=owner, ticket=ticket, user=contact)
    with pytest.raises(NotFound):
        ticket_follower_remove(actor=other_owner, ticket=ticket, user=contact)
    assert follows(ticket) == [contact.pk]


# ---- Merge ----------------------------------------------------------------------------------


def test_a_merged_tickets_followers_move_to_the_surviving_ticket(
    owner, contact, dora, service, agent
) -> None:
    eve = factories.ContactFactory(account=owner.account, can_tickets=True, full_name="Eve")
    target = factories.open_ticket(owner, service=service, subject="Target")
    source = factories.open_ticket(contact, service=service, subject="Source")
    ticket_follower_add(actor=owner, ticket=source, user=dora)
    ticket_follower_add(actor=owner, ticket=source, user=owner)  # the target's opener
    ticket_follower_add(actor=owner, ticket=target, user=eve)
    ticket_follower_add(actor=owner, ticket=source, user=eve)  # follows both already
    ticket_merge(actor=agent, source=source, target=target)
    assert sorted(follows(target)) == sorted([eve.pk, dora.pk])
    # The merged ticket's followers were told of the merge, like its opener.
    for person in (contact, dora, eve, owner):
        assert Delivery.objects.filter(kind=Kind.MERGED, ticket=source, recipient=person).exists()
    # From now on they get the surviving ticket's emails (the source's opener does not follow:
    # the target's people decide who does).
    ticket_reply_by_agent(actor=agent, ticket=target, body="Both are fixed now.")
    for person in (owner, eve, dora):
        assert Delivery.objects.filter(
            kind=Kind.AGENT_REPLY, ticket=target, recipient=person
        ).exists()


def test_no_follower_is_added_to_a_merged_ticket(owner, contact, service, agent) -> None:
    target = factories.open_ticket(owner, service=service, subject="Target")
    source = factories.open_ticket(owner, service=service, subject="Source")
    ticket_merge(actor=agent, source=source, target=target)
    source.refresh_from_db()
    with pytest.raises(ApplicationError, match="merged into another one"):
        ticket_follower_add(actor=owner, ticket=source, user=contact)
    assert follows(source) == []


# ---- Emails ---------------------------------------------------------------------------------


def test_a_follower_gets_the_agents_reply_with_their_own_signed_reply_address(
    ticket, owner, contact, agent
) -> None:
    ticket_follower_add(actor=owner, ticket=ticket, user=contact)
    reply = ticket_reply_by_agent(actor=agent, ticket=ticket, body="We fixed it, please check.")
    copies = {
        d.recipient_id: d for d in Delivery.objects.filter(kind=Kind.AGENT_REPLY, ticket=ticket)
    }
    assert set(copies) == {owner.pk, contact.pk}
    email = delivery_email(copies[contact.pk])
    assert email.to == [contact.email]
    assert "We fixed it, please check." in email.body
    tag = reply_tag(email.extra_headers["Reply-To"])
    assert tag is not None and tag.number == ticket.number
    assert tag.valid_for(contact.pk) and not tag.valid_for(owner.pk)
    assert copies[contact.pk].message == reply.message
    assert copies[contact.pk].email_message_id != copies[owner.pk].email_message_id


def test_the_same_notice_queued_again_is_not_sent_twice_to_anyone(
    ticket, owner, contact, agent
) -> None:
    ticket_follower_add(actor=owner, ticket=ticket, user=contact)
    message = ticket_reply_by_agent(actor=agent, ticket=ticket, body="Fixed, please check.").message
    again = delivery_queue(
        kind=Kind.AGENT_REPLY,
        ticket=ticket,
        message=message,
        recipients=[contact, owner, contact, *client_recipients(ticket)],
    )
    assert again == []
    assert Delivery.objects.filter(kind=Kind.AGENT_REPLY).count() == 2


def test_every_client_notice_goes_to_the_followers(ticket, owner, contact, agent, sales) -> None:
    sales.agents.add(agent)
    ticket_follower_add(actor=owner, ticket=ticket, user=contact)
    ticket_update(actor=agent, ticket=ticket, status=Ticket.Status.IN_PROGRESS)
    ticket_transfer(actor=agent, ticket=ticket, department=sales, note="Sales handles this.")
    ticket_reply_by_agent(actor=agent, ticket=ticket, body="Done.", status=Ticket.Status.ANSWERED)
    hours_ago(ticket, 24 * 30)
    assert ticket_autoclose_due() == 1
    expected = [Kind.AGENT_REPLY, Kind.AUTO_CLOSED, Kind.STATUS_CHANGED, Kind.TRANSFER_NOTICE]
    assert kinds_to(contact) == expected
    assert kinds_to(owner) == sorted([*expected, Kind.TICKET_CONFIRMATION])


def test_a_follower_whose_tickets_permission_is_removed_gets_no_more_email(
    ticket, owner, contact, agent
) -> None:
    ticket_follower_add(actor=owner, ticket=ticket, user=contact)
    ticket_reply_by_agent(actor=agent, ticket=ticket, body="First answer, please check.")
    assert kinds_to(contact) == [Kind.AGENT_REPLY]
    Membership.objects.filter(user=contact).update(can_tickets=False)
    ticket_reply_by_agent(actor=agent, ticket=ticket, body="Second answer, please check.")
    assert kinds_to(contact) == [Kind.AGENT_REPLY]
    assert kinds_to(owner).count(Kind.AGENT_REPLY) == 2
    # The row stays; given the permission back, they get the emails again.
    Membership.objects.filter(user=contact).update(can_tickets=True)
    ticket_reply_by_agent(actor=agent, ticket=ticket, body="Third answer, please check.")
    assert kinds_to(contact) == [Kind.AGENT_REPLY] * 2


def test_an_inactive_follower_gets_no_email(ticket, owner, contact, agent) -> None:
    ticket_follower_add(actor=owner, ticket=ticket, user=contact)
    contact.is_active = False
    contact.save()
    ticket_reply_by_agent(actor=agent, ticket=ticket, body="We fixed it, please check.")
    assert kinds_to(contact) == []


def test_a_removed_follower_gets_no_more_email(ticket, owner, contact, agent) -> None:
    ticket_follower_add(actor=owner, ticket=ticket, user=contact)
    ticket_follower_remove(actor=contact, ticket=ticket, user=contact)
    ticket_reply_by_agent(actor=agent, ticket=ticket, body="We fixed it, please check.")
    assert kinds_to(contact) == []


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_the_follower_their_copy() -> None:
    acme = factories.AccountFactory(name="Acme")
    owner = factories.OwnerFactory(account=acme, email="ana@acme.example")
    follower = factories.ContactFactory(account=acme, can_tickets=True, email="dora@acme.example")
    agent = factories.AgentFactory()
    support = factories.department("support")
    support.agents.add(agent)
    ticket = factories.open_ticket(owner, department=support)
    ticket_follower_add(actor=owner, ticket=ticket, user=follower)
    ticket_reply_by_agent(actor=agent, ticket=ticket, body="The answer everyone waits for.")
    worker_run()
    copies = [email for email in mail.outbox if email.to == ["dora@acme.example"]]
    assert len(copies) == 1 and "The answer everyone waits for." in copies[0].body
    assert f"[#{ticket.number}]" in copies[0].subject


# ---- A follower's reply by email ------------------------------------------------------------


def reply_to(delivery: Delivery) -> str:
    return delivery_email(delivery).extra_headers["Reply-To"]


def inbound(sender: str, to: str, message_id: str) -> bytes:
    return (
        f"From: {sender}\nTo: {to}\nSubject: Re: the site\nMessage-ID: {message_id}\n"
        "Date: Tue, 25 Nov 2026 09:00:00 -0300\nMIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8\n\n"
        "Still failing on the checkout page for our customers, please look again.\n"
    ).encode()


def test_a_followers_reply_to_their_copy_is_the_clients_reply(
    ticket, owner, other_owner, agent
) -> None:
    # A webmaster who acts for another account now, and follows Acme's ticket.
    webmaster = factories.ContactFactory(account=other_owner.account, can_tickets=True)
    Membership.objects.create(user=webmaster, account=ticket.account, can_tickets=True)
    ticket_follower_add(actor=owner, ticket=ticket, user=webmaster)
    ticket_reply_by_agent(actor=agent, ticket=ticket, body="Fixed, please check.")
    copy = Delivery.objects.get(kind=Kind.AGENT_REPLY, recipient=webmaster)
    to = reply_to(copy)
    taken = inbound_receive(inbound(webmaster.email, to, "<w1@example.net>"), source="pipe")
    assert taken.inbound is not None
    assert taken.inbound.outcome == InboundMessage.Outcome.REPLY, taken.inbound.reason
    message = Message.objects.filter(ticket=ticket).latest("pk")
    assert message.author == webmaster and not message.from_agent
    assert message.source == Message.Source.EMAIL
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CUSTOMER_REPLY


def test_a_follower_cannot_reply_with_someone_elses_tag_nor_after_losing_the_permission(
    ticket, owner, contact, agent
) -> None:
    ticket_follower_add(actor=owner, ticket=ticket, user=contact)
    ticket_reply_by_agent(actor=agent, ticket=ticket, body="Fixed, please check.")
    owners_copy = Delivery.objects.get(kind=Kind.AGENT_REPLY, recipient=owner)
    theirs = Delivery.objects.get(kind=Kind.AGENT_REPLY, recipient=contact)
    forwarded = inbound(contact.email, reply_to(owners_copy), "<f1@x.example>")
    assert inbound_receive(forwarded, source="pipe").inbound.reason == (
        InboundMessage.Reason.BAD_TAG
    )
    Membership.objects.filter(user=contact).update(can_tickets=False)
    late = inbound(contact.email, reply_to(theirs), "<f2@x.example>")
    taken = inbound_receive(late, source="pipe").inbound
    assert taken.outcome == InboundMessage.Outcome.REVIEW
    assert taken.reason == InboundMessage.Reason.NO_PERMISSION
    assert Message.objects.filter(ticket=ticket, author=contact).count() == 0
