"""The corpus: real-world-shaped emails (Gmail, Outlook, Apple Mail, Thunderbird, English and
Portuguese, every charset and transfer encoding, machines and forgers), each with the outcome
it must have. Placeholders in the files are filled with this test's people and signed reply
addresses (tests/inbox/conftest.py)."""

from dataclasses import dataclass, field
from typing import Any

import pytest

from chamado.inbox.actions import inbound_receive
from chamado.inbox.models import InboundMessage
from chamado.tickets.models import Attachment, Message, Ticket
from tests.inbox.conftest import CORPUS, MailWorld

Outcome = InboundMessage.Outcome
Reason = InboundMessage.Reason
PIPE = InboundMessage.Source.PIPE


@dataclass(frozen=True)
class Expected:
    outcome: str
    reason: str = ""
    contains: tuple[str, ...] = ()  # in the stored message (review: in the kept text)
    excludes: tuple[str, ...] = ()  # quoted history, signatures, markup
    attachments: int = 0
    refused: int = 0  # lines of the one notice to the sender
    subject: str = ""  # of the ticket a new mail opened
    from_agent: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


QUOTED_EN = ("We received your ticket", "wrote:", "Follow it here")
QUOTED_PT = ("Recebemos o seu ticket", "escreveu:", "Acompanhe aqui")

CASES: dict[str, Expected] = {
    # ---- Replies with a signed address valid for their sender --------------------------------
    "gmail_reply_en.eml": Expected(
        Outcome.REPLY,
        contains=("still returns 500 after I cleared the cache", "PHP fatal error"),
        excludes=QUOTED_EN,
    ),
    "gmail_reply_pt.eml": Expected(
        Outcome.REPLY,
        contains=("continua fora do ar mesmo depois da atualização", "Já reiniciei o serviço"),
        excludes=QUOTED_PT,
    ),
    "outlook_reply_en.eml": Expected(
        Outcome.REPLY,
        contains=("customers cannot place orders", "+55 11 5555-0101"),
        excludes=("From: Chamado", "Sent: Monday", *QUOTED_EN, "________"),
    ),
    "outlook_reply_pt_windows1252.eml": Expected(
        Outcome.REPLY,
        contains=("Ainda não consigo acessar o painel", "“acesso negado”"),
        excludes=("De: Chamado", "Enviado:", "Assunto:", *QUOTED_PT),
    ),
    "apple_mail_reply_en.eml": Expected(
        Outcome.REPLY,
        contains=("SSL certificate expired yesterday",),
        excludes=("Sent from my iPhone", *QUOTED_EN),
    ),
    "apple_mail_reply_pt.eml": Expected(
        Outcome.REPLY,
        contains=("segue o print do erro",),
        excludes=("Enviado do meu iPhone", *QUOTED_PT),
    ),
    "thunderbird_reply_en.eml": Expected(
        Outcome.REPLY,
        contains=("the deploy log is empty since Friday", "load balancer"),
        excludes=("Acme Hospedagem Ltda", *QUOTED_EN),
    ),
    "thunderbird_reply_pt_latin1.eml": Expected(
        Outcome.REPLY,
        contains=("A configuração do DNS foi alterada ontem à noite", "propagação"),
        excludes=QUOTED_PT,
    ),
    "outlook_html_only_reply.eml": Expected(
        Outcome.REPLY,
        contains=("backup from last night is missing in the panel & the restore button",),
        excludes=("<p", "MsoNormal", "alert(", "From: Chamado", "we received your ticket"),
    ),
    "gmail_html_only_pt.eml": Expected(
        Outcome.REPLY,
        contains=("parou de receber mensagens às 14h", "Poderiam verificar a cota?"),
        excludes=("<div", "escreveu:", "Recebemos o seu ticket"),
    ),
    "thunderbird_bottom_posted.eml": Expected(
        Outcome.REPLY,
        contains=("the database server restarted at 03:00", "Thank you for looking into it."),
        excludes=("wrote:", "We received your ticket", "An agent will answer"),
    ),
    "gmail_reply_with_attachments.eml": Expected(
        Outcome.REPLY, contains=("Here is a screenshot",), excludes=("wrote:",), attachments=2
    ),
    "reply_with_refused_attachments.eml": Expected(
        Outcome.REPLY, contains=("Attached are the installer",), attachments=1, refused=2
    ),
    "apple_mail_inline_image.eml": Expected(
        Outcome.REPLY, contains=("what the browser shows",), attachments=1
    ),
    "agent_reply_by_email.eml": Expected(
        Outcome.REPLY,
        contains=("we restarted the PHP service",),
        excludes=("wrote:", "A new ticket was opened"),
        from_agent=True,
    ),
    "outlook_mislabelled_latin1.eml": Expected(
        Outcome.REPLY,
        contains=("“database connection failed” \u2013 it started after the upgrade",),
    ),
    "mobile_reply_base64_utf8.eml": Expected(
        Outcome.REPLY,
        contains=("Está funcionando de novo 🎉 obrigada pela ajuda rápida!",),
        excludes=("Obter o Outlook",),
    ),
    # ---- Mail to a department's address from an authorized contact ---------------------------
    "new_ticket_gmail_en.eml": Expected(
        Outcome.TICKET,
        subject="Email bounces for every message to our domain",
        contains=("Can you check the MX records?",),
    ),
    "new_ticket_outlook_pt_qp.eml": Expected(
        Outcome.TICKET,
        subject="Não consigo acessar o painel",
        contains=("a senha é recusada",),
    ),
    "forwarded_to_support.eml": Expected(
        Outcome.TICKET,
        subject="Fwd: Domain expiry warning for acme.example",
        contains=("Is this real?", "From: Registry Notices", "expires in 7 days"),
    ),
    "new_ticket_no_message_id.eml": Expected(
        Outcome.TICKET, subject="Please raise the PHP memory limit", contains=("512M",)
    ),
    # ---- Never into an account: Mail to review -----------------------------------------------
    "unknown_sender_to_support.eml": Expected(
        Outcome.REVIEW, Reason.UNKNOWN_SENDER, contains=("prices of your hosting plans",)
    ),
    "contact_without_permission.eml": Expected(Outcome.REVIEW, Reason.NO_PERMISSION),
    "forged_in_reply_to_other_account.eml": Expected(Outcome.REVIEW, Reason.HINT_ONLY),
    "tag_of_another_recipient.eml": Expected(Outcome.REVIEW, Reason.BAD_TAG),
    "spoofed_sender.eml": Expected(Outcome.REVIEW, Reason.SPOOFED),
    "missing_from.eml": Expected(Outcome.REVIEW, Reason.NO_SENDER),
    "unparseable.eml": Expected(Outcome.REVIEW, Reason.UNPARSEABLE),
    "forged_tag_mac.eml": Expected(Outcome.REVIEW, Reason.BAD_TAG),
    "subject_hint_only.eml": Expected(Outcome.REVIEW, Reason.HINT_ONLY),
    "sent_to_no_department.eml": Expected(Outcome.REVIEW, Reason.NO_ADDRESS),
    # ---- Machines: dropped with the reason, never answered -----------------------------------
    "out_of_office_gmail_en.eml": Expected(Outcome.DROPPED, Reason.AUTO_REPLY),
    "out_of_office_outlook_pt.eml": Expected(Outcome.DROPPED, Reason.AUTO_REPLY),
    "vacation_precedence_bulk.eml": Expected(Outcome.DROPPED, Reason.AUTO_REPLY),
    "x_autoreply.eml": Expected(Outcome.DROPPED, Reason.AUTO_REPLY),
    "bounce_dsn.eml": Expected(Outcome.DROPPED, Reason.BOUNCE),
    "bounce_postmaster_plain.eml": Expected(Outcome.DROPPED, Reason.BOUNCE),
    "own_notice_looped_back.eml": Expected(Outcome.DROPPED, Reason.LOOP),
}


def test_the_corpus_is_large_and_every_file_has_an_expected_outcome() -> None:
    files = sorted(path.name for path in CORPUS.glob("*.eml"))
    assert len(files) >= 30
    assert files == sorted(CASES), "each corpus file needs its line in CASES, and no more"
    outcomes = {expected.outcome for expected in CASES.values()}
    assert outcomes == {Outcome.REPLY, Outcome.TICKET, Outcome.REVIEW, Outcome.DROPPED}


@pytest.mark.parametrize("name", sorted(CASES))
def test_corpus_email_has_its_expected_outcome(world: MailWorld, name: str) -> None:
    expected = CASES[name]
    tickets_before = set(Ticket.objects.values_list("pk", flat=True))
    messages_before = Message.objects.count()

    taken = inbound_receive(world.corpus(name), source=PIPE)

    inbound = taken.inbound
    assert inbound is not None and not taken.duplicate
    assert (inbound.outcome, inbound.reason) == (expected.outcome, expected.reason), inbound.detail
    assert inbound.raw.name and inbound.size > 0  # the raw message is kept for the log
    new_tickets = Ticket.objects.exclude(pk__in=tickets_before)
    if expected.outcome == Outcome.REPLY:
        message = Message.objects.get(pk=inbound.message_id)
        assert message.ticket_id == world.ticket.pk and inbound.ticket_id == world.ticket.pk
        assert message.source == Message.Source.EMAIL
        assert message.from_agent is expected.from_agent
        assert message.author == (world.agent if expected.from_agent else world.ana)
        assert not new_tickets.exists()
        text = message.body
    elif expected.outcome == Outcome.TICKET:
        ticket = new_tickets.get()
        assert inbound.ticket_id == ticket.pk
        assert (ticket.account_id, ticket.contact_id) == (world.ana.account_id, world.ana.pk)
        assert ticket.department == world.support
        assert ticket.subject == expected.subject
        assert ticket.service is not None  # Acme's only service
        message = ticket.messages.get()
        assert message.source == Message.Source.EMAIL
        text = message.body
    else:
        # Nothing reached any account: no ticket, no message, nobody is answered.
        assert not new_tickets.exists()
        assert Message.objects.count() == messages_before
        assert inbound.ticket_id is None and inbound.message_id is None
        assert inbound.notice == ""
        text = inbound.body
    for wanted in expected.contains:
        assert wanted in text, f"{wanted!r} missing from:\n{text}"
    for unwanted in expected.excludes:
        assert unwanted not in text, f"{unwanted!r} kept in:\n{text}"
    stored = Attachment.objects.filter(message_id=inbound.message_id) if inbound.message_id else []
    assert len(stored) == expected.attachments
    assert len(inbound.notice.splitlines()) == expected.refused


def test_refused_files_are_named_in_the_notice(world: MailWorld) -> None:
    inbound = inbound_receive(world.corpus("reply_with_refused_attachments.eml"), source=PIPE)
    assert inbound.inbound is not None
    notice = inbound.inbound.notice
    assert "setup.exe" in notice and "photo.png" in notice
    assert "report.pdf" not in notice
    kept = Attachment.objects.get(message_id=inbound.inbound.message_id)
    assert (kept.original_name, kept.content_type) == ("report.pdf", "application/pdf")
