"""IMAP polling against a real Dovecot (tests/inbox/conftest.py starts a throw-away one): mail
is read without being marked, taken once, moved to the processed folder; a bad message never
stops the others; two pollers and the pipe racing on the same mail store each effect once."""

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from chamado.inbox.imap import mailbox_poll
from chamado.inbox.models import InboundMessage, Mailbox
from chamado.inbox.tasks import mailboxes_poll
from tests.inbox.conftest import CORPUS, IMAP_PASSWORD, ImapServer, MailWorld
from tests.inbox.processes import SEED, fill, processes_for_test

Outcome = InboundMessage.Outcome
SUPPORT_BOX = "support@chamado.example"
SALES_BOX = "sales@chamado.example"
# Unreadable in every way Python's parser allows: a From without an address, a charset that
# does not exist, a multipart without a boundary, a transfer encoding that is not one.
MALFORMED = (
    b"From: <<<>>>\r\nTo: support@chamado.example\r\nSubject: =?x-bogus?Q?=ZZ=ZZ?=\r\n"
    b"Message-ID: <malformed-0001@broken.example>\r\nContent-Type: multipart/mixed\r\n"
    b"Content-Transfer-Encoding: x-unknown\r\n\r\n--nothing\r\n\x7f\x1b garbage ===\r\n"
)


def mailbox_for(server: ImapServer, user: str, **fields: Any) -> Mailbox:
    return Mailbox.objects.create(
        name=user,
        host=server.host,
        port=server.port,
        use_ssl=False,
        username=user,
        password=IMAP_PASSWORD,
        **fields,
    )


def test_polling_takes_each_message_once_and_moves_it_unread(
    world: MailWorld, imap_server: ImapServer
) -> None:
    for name in ("gmail_reply_en.eml", "new_ticket_gmail_en.eml", "bounce_dsn.eml"):
        imap_server.deliver(SUPPORT_BOX, world.corpus(name))
    imap_server.deliver(SUPPORT_BOX, MALFORMED)
    mailbox = mailbox_for(imap_server, SUPPORT_BOX)

    report = mailbox_poll(mailbox)

    assert report.error == ""
    assert report.taken == {"reply": 1, "ticket": 1, "dropped": 1, "review": 1}
    assert imap_server.count(SUPPORT_BOX, "INBOX") == 0
    assert imap_server.count(SUPPORT_BOX, "Processed") == 4
    assert imap_server.seen_flags(SUPPORT_BOX, "Processed") == [False] * 4  # BODY.PEEK[]
    assert set(InboundMessage.objects.values_list("source", flat=True)) == {"imap"}
    assert InboundMessage.objects.filter(mailbox=mailbox).count() == 4
    mailbox.refresh_from_db()
    assert mailbox.last_polled_at is not None and mailbox.last_error == ""

    # Nothing new: nothing happens. The same message delivered again is recorded once.
    assert str(mailbox_poll(mailbox)) == f"{SUPPORT_BOX}: nothing new"
    imap_server.deliver(SUPPORT_BOX, world.corpus("gmail_reply_en.eml"))
    again = mailbox_poll(mailbox)
    assert (again.duplicates, again.taken) == (1, {})
    assert imap_server.count(SUPPORT_BOX, "INBOX") == 0
    assert InboundMessage.objects.count() == 4
    assert world.ticket.messages.count() == 2


def test_a_mailbox_another_poller_holds_is_left_to_it(
    world: MailWorld, imap_server: ImapServer
) -> None:
    imap_server.deliver(SUPPORT_BOX, world.corpus("new_ticket_gmail_en.eml"))
    mailbox = mailbox_for(imap_server, SUPPORT_BOX)
    Mailbox.objects.filter(pk=mailbox.pk).update(polled_until=timezone.now() + timedelta(minutes=5))
    report = mailbox_poll(mailbox)
    assert report.busy and "another poller is at work" in str(report)
    assert imap_server.count(SUPPORT_BOX, "INBOX") == 1
    # A hold that ran out (its poller died) is taken over.
    Mailbox.objects.filter(pk=mailbox.pk).update(polled_until=timezone.now() - timedelta(seconds=1))
    assert mailbox_poll(mailbox).taken == {"ticket": 1}
    mailbox.refresh_from_db()
    assert mailbox.polled_until is None


def test_a_wrong_password_is_reported_and_the_mail_stays(
    world: MailWorld, imap_server: ImapServer
) -> None:
    imap_server.deliver(SUPPORT_BOX, world.corpus("new_ticket_gmail_en.eml"))
    mailbox = mailbox_for(imap_server, SUPPORT_BOX)
    mailbox.password = "wrong"
    mailbox.save()
    report = mailbox_poll(mailbox)
    assert report.error and "LoginError" in report.error
    mailbox.refresh_from_db()
    assert mailbox.last_error == report.error
    assert imap_server.count(SUPPORT_BOX, "INBOX") == 1
    assert not InboundMessage.objects.exists()


def test_the_schedule_polls_every_active_mailbox_even_when_one_fails(
    world: MailWorld, imap_server: ImapServer
) -> None:
    imap_server.deliver(SUPPORT_BOX, world.corpus("new_ticket_gmail_en.eml"))
    imap_server.deliver(SALES_BOX, world.corpus("unknown_sender_to_support.eml"))
    broken = mailbox_for(imap_server, SUPPORT_BOX, folder="Missing")
    mailbox_for(imap_server, SUPPORT_BOX)
    mailbox_for(imap_server, SALES_BOX, is_active=False)

    reports = mailboxes_poll.call()

    assert len(reports) == 2
    broken.refresh_from_db()
    assert broken.last_error  # the folder does not exist
    assert list(InboundMessage.objects.values_list("outcome", flat=True)) == [Outcome.TICKET]
    assert imap_server.count(SALES_BOX, "INBOX") == 1  # inactive: left alone


def test_the_poll_task_is_on_the_workers_schedule() -> None:
    from crontask import scheduler

    jobs = {job.name: str(job.trigger) for job in scheduler.get_jobs()}
    assert any("mailboxes_poll" in name for name in jobs), jobs


# ---- Two pollers and the pipe, at once, as processes -----------------------------------------

SUMMARY = """
import json, django
django.setup()
from chamado.inbox.models import InboundMessage
from chamado.tickets.models import Message, Ticket
inbound = InboundMessage.objects.all()
print(json.dumps({
    "inbound": inbound.count(),
    "outcomes": {o: inbound.filter(outcome=o).count() for o in ("reply", "ticket", "review")},
    "keys": inbound.values("key").distinct().count(),
    "messages_on_ticket": Message.objects.filter(ticket_id=%d).count(),
    "email_messages": Message.objects.filter(source="email").count(),
    "tickets": Ticket.objects.count(),
    "sources": sorted(set(inbound.values_list("source", flat=True))),
}))
"""

LANDING = [
    "gmail_reply_en.eml",
    "gmail_reply_pt.eml",
    "outlook_reply_en.eml",
    "outlook_reply_pt_windows1252.eml",
    "apple_mail_reply_en.eml",
    "apple_mail_reply_pt.eml",
    "thunderbird_reply_en.eml",
    "thunderbird_reply_pt_latin1.eml",
    "outlook_html_only_reply.eml",
    "gmail_html_only_pt.eml",
    "thunderbird_bottom_posted.eml",
    "gmail_reply_with_attachments.eml",
    "reply_with_refused_attachments.eml",
    "apple_mail_inline_image.eml",
    "agent_reply_by_email.eml",
    "outlook_mislabelled_latin1.eml",
    "mobile_reply_base64_utf8.eml",
    "new_ticket_gmail_en.eml",
    "new_ticket_outlook_pt_qp.eml",
]


@pytest.mark.django_db(transaction=True)
def test_two_pollers_and_the_pipe_racing_on_twenty_messages_store_each_once(
    tmp_path: Path, imap_server: ImapServer
) -> None:
    processes = processes_for_test(tmp_path)
    seeded = processes.python(SEED)
    messages = [fill((CORPUS / name).read_bytes(), seeded["placeholders"]) for name in LANDING]
    messages.insert(7, MALFORMED)  # among the others, not last
    assert len(messages) == 20
    processes.python(
        "import json, django\ndjango.setup()\n"
        "from chamado.inbox.models import Mailbox\n"
        + "".join(
            f"Mailbox.objects.create(name={user!r}, host='127.0.0.1', port={imap_server.port}, "
            f"use_ssl=False, username={user!r}, password={IMAP_PASSWORD!r})\n"
            for user in (SUPPORT_BOX, SALES_BOX)
        )
        + "print(json.dumps(Mailbox.objects.count()))"
    )
    # The same twenty in both mailboxes (two addresses, or a copy kept for a second poller).
    for raw in messages:
        imap_server.deliver(SUPPORT_BOX, raw)
        imap_server.deliver(SALES_BOX, raw)

    pollers = [processes.start("mail_poll") for _ in range(2)]
    with ThreadPoolExecutor(max_workers=2) as pool:  # an MTA delivers a few at a time
        piped = list(pool.map(lambda raw: processes.run("mail_pipe", stdin=raw), messages))
    deadline = time.monotonic() + 180
    outputs = []
    for poller in pollers:
        stdout, stderr = poller.communicate(timeout=max(deadline - time.monotonic(), 1))
        outputs.append((poller.returncode, stdout.decode(), stderr.decode(errors="replace")))

    assert [code for code, _out, _err in outputs] == [0, 0], outputs
    assert all(result.returncode == 0 for result in piped), [
        result.stderr.decode(errors="replace") for result in piped if result.returncode
    ]
    summary = processes.python(SUMMARY % seeded["ticket"])
    assert summary == {
        "inbound": 20,
        "outcomes": {"reply": 17, "ticket": 2, "review": 1},
        "keys": 20,
        "messages_on_ticket": 1 + 17,  # the first message, then each reply once
        "email_messages": 17 + 2,
        "tickets": 2 + 2,  # Ana's and Bruno's, then the two new ones
        "sources": summary["sources"],
    }
    assert set(summary["sources"]) <= {"imap", "pipe"}
    for user in (SUPPORT_BOX, SALES_BOX):
        assert imap_server.count(user, "INBOX") == 0
        assert imap_server.count(user, "Processed") == 20
