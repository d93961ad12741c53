"""`chamado mail_pipe`: one email on standard input, from an MTA's pipe transport.

Exit 0 when the message was taken, whatever became of it (a ticket, a reply, review, dropped
by a rule): the MTA must not bounce or retry it. Exit 75 (EX_TEMPFAIL) when it could not be
recorded (the database is unreachable): the MTA keeps it and tries again later."""

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chamado.inbox.actions import InboxUnavailable, inbound_receive
from chamado.inbox.models import InboundMessage

EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Take one email from standard input (for an MTA pipe transport)."
    requires_system_checks: list[str] = []  # the checks touch nothing an MTA needs, and cost time
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--recipient",
            default="",
            help="The envelope recipient (for example Postfix's ${original_recipient}).",
        )

    def handle(self, *args: Any, recipient: str = "", **options: Any) -> None:
        stream = options.get("stdin") or sys.stdin.buffer
        raw = stream.read()
        if not raw.strip():
            raise CommandError("no message on standard input", returncode=1)
        try:
            taken = inbound_receive(
                raw, source=InboundMessage.Source.PIPE, envelope_recipient=recipient
            )
        except InboxUnavailable as error:
            raise CommandError(
                f"database unavailable, try again later: {error}", returncode=EX_TEMPFAIL
            ) from error
        except Exception as error:  # anything unforeseen: let the MTA keep the message
            raise CommandError(
                f"{type(error).__name__}: {error}", returncode=EX_TEMPFAIL
            ) from error
        self.stdout.write(str(taken))
