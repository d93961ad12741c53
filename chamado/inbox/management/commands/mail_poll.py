"""`chamado mail_poll`: take the new mail of the active mailboxes now (the worker's schedule
does it every minute), with a progress bar on a terminal."""

import sys
from collections.abc import Iterable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from chamado.inbox.imap import mailbox_poll
from chamado.inbox.models import Mailbox


class Command(BaseCommand):
    help = "Poll the active IMAP mailboxes once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--mailbox", default="", help="Only the mailbox of this name.")

    def handle(self, *args: Any, mailbox: str = "", **options: Any) -> None:
        mailboxes = Mailbox.objects.filter(is_active=True)
        if mailbox:
            mailboxes = mailboxes.filter(name=mailbox)
            if not mailboxes.exists():
                raise CommandError(f"no active mailbox called {mailbox!r}")
        failed = False
        for box in mailboxes:

            def progress(uids: Iterable[int], total: int, name: str = box.name) -> Iterable[int]:
                # On a terminal only: from cron or a test the output stays one line a mailbox.
                return tqdm(
                    uids, total=total, desc=name, unit="mail", disable=None, file=sys.stderr
                )

            report = mailbox_poll(box, progress=progress)
            failed = failed or bool(report.error)
            self.stdout.write(str(report))
        if failed:
            raise CommandError("some mailboxes could not be polled (see above)")
