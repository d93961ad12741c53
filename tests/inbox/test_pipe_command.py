"""`chamado mail_pipe` as an MTA runs it: a real process, one message on standard input, exit
0 when the message was taken (whatever the rules made of it), 75 (EX_TEMPFAIL) when the
database is unreachable, so the MTA keeps the message and tries again."""

from pathlib import Path

import pytest

from tests.inbox.conftest import CORPUS, free_port
from tests.inbox.processes import SEED, fill, processes_for_test, processes_without_database

EX_TEMPFAIL = 75

COUNTS = """
import json, django
django.setup()
from chamado.inbox.models import InboundMessage
from chamado.tickets.models import Message
print(json.dumps({
    "outcomes": sorted(InboundMessage.objects.values_list("outcome", flat=True)),
    "email_messages": Message.objects.filter(source="email").count(),
}))
"""


def test_the_pipe_exits_75_when_the_database_is_unreachable(tmp_path: Path) -> None:
    processes = processes_without_database(tmp_path, free_port())
    raw = (CORPUS / "new_ticket_gmail_en.eml").read_bytes()
    result = processes.run("mail_pipe", stdin=raw, timeout=60)
    assert result.returncode == EX_TEMPFAIL, result.stderr.decode(errors="replace")
    assert b"try again later" in result.stderr


@pytest.mark.django_db(transaction=True)
def test_the_pipe_exits_0_for_every_message_it_took_whatever_became_of_it(
    tmp_path: Path,
) -> None:
    processes = processes_for_test(tmp_path)
    placeholders = processes.python(SEED)["placeholders"]

    results = {
        name: processes.run("mail_pipe", stdin=fill((CORPUS / name).read_bytes(), placeholders))
        for name in (
            "gmail_reply_en.eml",
            "new_ticket_gmail_en.eml",
            "unknown_sender_to_support.eml",
            "bounce_dsn.eml",
        )
    }
    again = processes.run(
        "mail_pipe", stdin=fill((CORPUS / "gmail_reply_en.eml").read_bytes(), placeholders)
    )

    for name, result in [*results.items(), ("again", again)]:
        assert result.returncode == 0, (name, result.stderr.decode(errors="replace"))
    said = {name: result.stdout.decode().strip() for name, result in results.items()}
    assert said == {
        "gmail_reply_en.eml": "reply",
        "new_ticket_gmail_en.eml": "ticket",
        "unknown_sender_to_support.eml": "review (unknown_sender)",
        "bounce_dsn.eml": "dropped (bounce)",
    }
    assert again.stdout.decode().strip() == "duplicate"
    counts = processes.python(COUNTS)
    assert counts == {
        "outcomes": ["dropped", "reply", "review", "ticket"],
        "email_messages": 2,
    }
