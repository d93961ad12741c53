"""The rules of inbound mail beyond the corpus: once per message, the flood guard, tickets that
moved on (merged, closed, out of reach), permissions that changed since the notice, the one
notice about refused files, and a failure of Chamado's own that still keeps the message."""

import io
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from chamado.inbox.actions import inbound_receive
from chamado.inbox.models import InboundMessage, InboxPolicy
from chamado.inbox.notices import sender_notice_send
from chamado.tickets import signals
from chamado.tickets.actions import ticket_merge, ticket_update
from chamado.tickets.models import Message, Policy, Ticket
from tests import factories
from tests.inbox.conftest import SALES_EMAIL, SUPPORT_EMAIL, MailWorld

Outcome = InboundMessage.Outcome
Reason = InboundMessage.Reason
PIPE = InboundMessage.Source.PIPE
IMAP = InboundMessage.Source.IMAP


def email(
    *,
    sender: str,
    to: str,
    body: str = "The site answers 500 again since the last deploy, please look.",
    subject: str = "Help with the site",
    message_id: str | None = "<m-0001@acme.example>",
    headers: str = "",
) -> bytes:
    lines = [f"From: {sender}", f"To: {to}", f"Subject: {subject}"]
    if message_id:
        lines.append(f"Message-ID: {message_id}")
    lines += ["Date: Tue, 25 Nov 2026 09:00:00 -0300", "MIME-Version: 1.0"]
    lines.append("Content-Type: text/plain; charset=utf-8")
    text = "\n".join(lines) + "\n" + headers + "\n" + body + "\n"
    return text.encode()


def take(raw: bytes, source: str = PIPE) -> InboundMessage:
    taken = inbound_receive(raw, source=source)
    assert taken.inbound is not None, "expected a new message, got a duplicate"
    return taken.inbound


# ---- Once ----------------------------------------------------------------------------------


def test_the_same_message_twice_is_recorded_and_applied_once(world: MailWorld) -> None:
    raw = email(sender=world.ana.email, to=world.tag(world.ana))
    first = inbound_receive(raw, source=PIPE)
    again = inbound_receive(raw, source=IMAP)
    assert first.inbound is not None and first.inbound.outcome == Outcome.REPLY
    assert again.duplicate and again.inbound is None
    assert InboundMessage.objects.count() == 1
    assert world.ticket.messages.count() == 2  # the first message and this reply
    assert str(again) == "duplicate"


def test_without_a_message_id_the_content_decides_whatever_the_trace_headers(
    world: MailWorld,
) -> None:
    raw = email(sender=world.ana.email, to=SUPPORT_EMAIL, message_id=None)
    traced = (
        b"Received: from mx.acme.example by mx.chamado.example; Tue, 25 Nov 2026 09:00:01\n"
        b"Delivered-To: support@chamado.example\n" + raw.replace(b"\n", b"\r\n")
    )
    first = take(raw)
    assert first.outcome == Outcome.TICKET
    assert inbound_receive(traced, source=IMAP).duplicate
    other = email(sender=world.ana.email, to=SUPPORT_EMAIL, message_id=None, body="X" * 40)
    assert take(other).outcome == Outcome.TICKET
    assert Ticket.objects.filter(contact=world.ana).count() == 3


def test_message_ids_are_kept_apart_per_message(world: MailWorld) -> None:
    first = take(email(sender=world.ana.email, to=SUPPORT_EMAIL, message_id="<a@acme.example>"))
    second = take(email(sender=world.ana.email, to=SUPPORT_EMAIL, message_id="<b@acme.example>"))
    assert first.ticket_id != second.ticket_id
    assert first.key != second.key


# ---- Noise ---------------------------------------------------------------------------------


def test_more_than_the_policy_allows_per_sender_and_hour_is_dropped(world: MailWorld) -> None:
    InboxPolicy.objects.create(pk=1, sender_max_per_hour=3)
    outcomes = [
        take(email(sender=world.ana.email, to=SUPPORT_EMAIL, message_id=f"<f{n}@acme.example>"))
        for n in range(5)
    ]
    assert [i.outcome for i in outcomes] == [Outcome.TICKET] * 3 + [Outcome.DROPPED] * 2
    assert outcomes[3].reason == Reason.FLOOD and "4 > 3" in outcomes[3].detail
    assert Ticket.objects.filter(contact=world.ana).count() == 1 + 3
    # Another sender is not held back by Ana's flood.
    stranger = take(email(sender="stranger@example.net", to=SUPPORT_EMAIL, message_id="<s@x>"))
    assert stranger.reason == Reason.UNKNOWN_SENDER


def test_machine_mail_gets_no_answer_and_no_task(world: MailWorld) -> None:
    raw = email(
        sender=world.ana.email,
        to=world.tag(world.ana),
        headers="Auto-Submitted: auto-replied\n",
    )
    inbound = take(raw)
    assert (inbound.outcome, inbound.reason) == (Outcome.DROPPED, Reason.AUTO_REPLY)
    assert inbound.detail == "Auto-Submitted: auto-replied"
    assert not DBTaskResult.objects.filter(task_path__contains="sender_notice").exists()
    assert world.ticket.messages.count() == 1


def test_auto_submitted_no_is_a_person_writing(world: MailWorld) -> None:
    raw = email(sender=world.ana.email, to=world.tag(world.ana), headers="Auto-Submitted: no\n")
    assert take(raw).outcome == Outcome.REPLY


def test_a_reply_from_chamados_own_address_is_a_loop(world: MailWorld) -> None:
    raw = email(sender=f"Chamado <{world.tag(world.ana)}>", to=world.tag(world.ana))
    inbound = take(raw)
    assert (inbound.outcome, inbound.reason) == (Outcome.DROPPED, Reason.LOOP)


# ---- Tickets that moved on, people who changed -----------------------------------------------


def test_a_reply_to_a_merged_ticket_lands_in_the_ticket_it_was_merged_into(
    world: MailWorld,
) -> None:
    target = factories.open_ticket(world.ana, department=world.support, subject="Older one")
    ticket_merge(actor=world.agent, source=world.ticket, target=target)
    inbound = take(email(sender=world.ana.email, to=world.tag(world.ana)))
    assert inbound.outcome == Outcome.REPLY
    assert inbound.ticket_id == target.pk
    assert Message.objects.get(pk=inbound.message_id).ticket_id == target.pk


def test_a_contact_whose_permission_was_revoked_since_the_notice_goes_to_review(
    world: MailWorld,
) -> None:
    bruno = factories.ContactFactory(
        account=world.ana.account, email="bruno@acme.example", can_tickets=True
    )
    ticket = factories.open_ticket(bruno, department=world.support)
    address = world.tag(bruno, ticket)
    bruno.membership.can_tickets = False
    bruno.membership.save()
    inbound = take(email(sender=bruno.email, to=address))
    assert (inbound.outcome, inbound.reason) == (Outcome.REVIEW, Reason.NO_PERMISSION)
    assert ticket.messages.count() == 1


def test_an_agent_moved_out_of_the_department_goes_to_review(world: MailWorld) -> None:
    address = world.tag(world.agent)
    world.support.agents.remove(world.agent)
    inbound = take(email(sender=world.agent.email, to=address))
    assert (inbound.outcome, inbound.reason) == (Outcome.REVIEW, Reason.NO_ACCESS)


def test_the_sender_address_is_compared_without_case(world: MailWorld) -> None:
    inbound = take(email(sender="Ana <ANA@Acme.Example>", to=world.tag(world.ana).upper()))
    assert inbound.outcome == Outcome.REPLY


def test_a_closed_ticket_reopens_when_its_department_allows(world: MailWorld) -> None:
    ticket_update(actor=world.agent, ticket=world.ticket, status=Ticket.Status.CLOSED)
    assert take(email(sender=world.ana.email, to=world.tag(world.ana))).outcome == Outcome.REPLY
    world.ticket.refresh_from_db()
    assert world.ticket.status == Ticket.Status.CUSTOMER_REPLY


def test_a_reply_the_ticket_rules_refuse_goes_to_review_with_the_reason(
    world: MailWorld,
) -> None:
    world.support.reopen_on_reply = False
    world.support.save()
    ticket_update(actor=world.agent, ticket=world.ticket, status=Ticket.Status.CLOSED)
    inbound = take(email(sender=world.ana.email, to=world.tag(world.ana)))
    assert (inbound.outcome, inbound.reason) == (Outcome.REVIEW, Reason.REFUSED)
    assert "open a new ticket" in inbound.detail
    assert world.ticket.messages.count() == 1


def test_the_envelope_recipient_of_the_pipe_counts_as_an_address(world: MailWorld) -> None:
    raw = email(sender=world.ana.email, to="undisclosed-recipients:;")
    out = io.StringIO()
    call_command("mail_pipe", recipient=world.tag(world.ana), stdin=io.BytesIO(raw), stdout=out)
    assert out.getvalue().strip() == "reply"
    assert InboundMessage.objects.get().ticket_id == world.ticket.pk


# ---- New tickets and services ------------------------------------------------------------------


def test_several_services_and_a_department_that_needs_one_go_to_review(
    world: MailWorld,
) -> None:
    factories.ServiceFactory(account=world.ana.account, label="second.example")
    inbound = take(email(sender=world.ana.email, to=SUPPORT_EMAIL))
    assert (inbound.outcome, inbound.reason) == (Outcome.REVIEW, Reason.REFUSED)
    sales = take(email(sender=world.ana.email, to=SALES_EMAIL, message_id="<sales@acme>"))
    assert sales.outcome == Outcome.TICKET
    assert sales.ticket is not None and sales.ticket.service is None
    assert sales.ticket.department == world.sales


def test_a_mail_without_subject_takes_its_first_line(world: MailWorld) -> None:
    inbound = take(email(sender=world.ana.email, to=SUPPORT_EMAIL, subject=""))
    assert inbound.ticket is not None
    assert (
        inbound.ticket.subject == "The site answers 500 again since the last deploy, please look."
    )


# ---- Files and the one notice ------------------------------------------------------------------


def test_refused_files_are_told_to_the_sender_in_one_email_sent_once(
    world: MailWorld, settings: Any
) -> None:
    inbound = take(world.corpus("reply_with_refused_attachments.eml"))
    queued = DBTaskResult.objects.filter(task_path__endswith="sender_notice_send")
    assert queued.count() == 1

    assert sender_notice_send.call(inbound.pk) == "sent"
    assert sender_notice_send.call(inbound.pk) == "skipped"

    assert len(mail.outbox) == 1
    notice = mail.outbox[0]
    assert notice.to == [world.ana.email]
    assert f"[#{world.ticket.number}]" in notice.subject
    assert "setup.exe" in notice.body and "photo.png" in notice.body
    headers = notice.message()
    assert headers["Auto-Submitted"] == "auto-replied"
    assert headers["In-Reply-To"] == "<CAGmail-refused-0005@mail.gmail.com>"
    assert headers["Reply-To"] == world.tag(world.ana)
    inbound.refresh_from_db()
    assert inbound.notice_sent_at is not None


def test_the_notice_speaks_the_senders_language(world: MailWorld) -> None:
    world.ana.language = "pt-br"
    world.ana.save()
    inbound = take(world.corpus("reply_with_refused_attachments.eml"))
    assert "setup.exe" in inbound.notice and "Tipos permitidos" in inbound.notice
    sender_notice_send.call(inbound.pk)
    assert "não foram aceitos" in mail.outbox[0].body


def test_files_beyond_the_policy_count_are_left_out_and_named(world: MailWorld) -> None:
    Policy.objects.update_or_create(pk=1, defaults={"attachment_max_count": 1})
    inbound = take(world.corpus("gmail_reply_with_attachments.eml"))
    assert inbound.outcome == Outcome.REPLY
    assert inbound.message is not None and inbound.message.attachments.count() == 1
    assert "invoice-2026-11.pdf" in inbound.notice and "left out" in inbound.notice


# ---- A failure of Chamado's own ---------------------------------------------------------------


def test_a_failure_while_routing_keeps_the_message_for_review_and_writes_nothing_else(
    world: MailWorld,
) -> None:
    def broken_receiver(**kwargs: Any) -> None:
        raise RuntimeError("a receiver crashed")

    signals.ticket_event.connect(broken_receiver, dispatch_uid="test-broken-receiver")
    try:
        inbound = take(email(sender=world.ana.email, to=world.tag(world.ana)))
    finally:
        signals.ticket_event.disconnect(dispatch_uid="test-broken-receiver")
    assert (inbound.outcome, inbound.reason) == (Outcome.REVIEW, Reason.FAILED)
    assert "a receiver crashed" in inbound.detail
    assert world.ticket.messages.count() == 1
    # Taken once: the same message again is a duplicate, not a second try.
    again = inbound_receive(email(sender=world.ana.email, to=world.tag(world.ana)), source=PIPE)
    assert again.duplicate


@pytest.mark.parametrize("stdin", [b"", b"   \n"])
def test_the_pipe_refuses_an_empty_standard_input(db: None, stdin: bytes) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError) as refused:
        call_command("mail_pipe", stdin=io.BytesIO(stdin))
    assert refused.value.returncode == 1
    assert not InboundMessage.objects.exists()
