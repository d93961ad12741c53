"""Polling an IMAP mailbox: each message is read without marking it (BODY.PEEK[]), taken, then
moved to the processed folder. A message taken twice (two pollers, a crash before the move)
is recorded once all the same; one that cannot be taken stays for the next poll, and never
stops the messages behind it."""

import contextlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from chamado.inbox.actions import InboxUnavailable, inbound_receive
from chamado.inbox.models import InboundMessage, Mailbox

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 60
BATCH_LIMIT = 500  # messages per poll; the rest wait for the next one
HOLD = timedelta(minutes=15)  # longer than a poll of BATCH_LIMIT messages takes
Progress = Callable[[Iterable[int], int], Iterable[int]]


@dataclass
class PollReport:
    mailbox: str
    taken: dict[str, int] = field(default_factory=dict)  # outcome -> count
    duplicates: int = 0
    left: int = 0  # could not be taken now; still in the folder
    busy: bool = False  # another poller holds the mailbox: nothing was done
    error: str = ""

    def count(self, outcome: str) -> None:
        self.taken[outcome] = self.taken.get(outcome, 0) + 1

    def __str__(self) -> str:
        parts = [f"{outcome} {count}" for outcome, count in sorted(self.taken.items())]
        if self.duplicates:
            parts.append(f"already taken {self.duplicates}")
        if self.left:
            parts.append(f"left for later {self.left}")
        if self.busy:
            parts.append("another poller is at work")
        if self.error:
            parts.append(f"error: {self.error}")
        return f"{self.mailbox}: " + (", ".join(parts) or "nothing new")


def _connect(mailbox: Mailbox) -> IMAPClient:
    client = IMAPClient(
        mailbox.host, port=mailbox.port, ssl=mailbox.use_ssl, timeout=TIMEOUT_SECONDS
    )
    client.login(mailbox.username, mailbox.password)
    return client


def _processed_folder_ensure(client: IMAPClient, folder: str) -> None:
    if client.folder_exists(folder):
        return
    try:
        client.create_folder(folder)
    except IMAPClientError:
        if not client.folder_exists(folder):  # another poller made it meanwhile: fine
            raise


def _move(client: IMAPClient, uid: int, folder: str) -> None:
    if client.has_capability("MOVE"):
        client.move([uid], folder)
        return
    client.copy([uid], folder)
    client.add_flags([uid], [b"\\Deleted"], silent=True)
    if client.has_capability("UIDPLUS"):
        client.uid_expunge([uid])
    else:
        client.expunge()


def _hold(mailbox: Mailbox) -> bool:
    """Take the mailbox for this poll, unless another poller holds it."""
    now = timezone.now()
    free = Q(polled_until__isnull=True) | Q(polled_until__lt=now)
    return Mailbox.objects.filter(free, pk=mailbox.pk).update(polled_until=now + HOLD) == 1


def mailbox_poll(mailbox: Mailbox, *, progress: Progress | None = None) -> PollReport:
    """Take every message waiting in the mailbox's folder (at most BATCH_LIMIT)."""
    report = PollReport(mailbox=mailbox.name)
    if not _hold(mailbox):
        report.busy = True
        return report
    client: IMAPClient | None = None
    try:
        client = _connect(mailbox)
        _processed_folder_ensure(client, mailbox.processed_folder)
        client.select_folder(mailbox.folder)
        uids: list[int] = list(client.search(["NOT", "DELETED"]))[:BATCH_LIMIT]
        for uid in progress(uids, len(uids)) if progress else uids:
            if not _take_one(client, mailbox, uid, report):
                break
    except (OSError, IMAPClientError) as error:
        report.error = f"{type(error).__name__}: {error}"
        logger.warning("mailbox %s: %s", mailbox.name, report.error)
    finally:
        if client is not None:
            with contextlib.suppress(Exception):
                client.logout()
        Mailbox.objects.filter(pk=mailbox.pk).update(
            last_polled_at=timezone.now(), last_error=report.error, polled_until=None
        )
    return report


def _take_one(client: IMAPClient, mailbox: Mailbox, uid: int, report: PollReport) -> bool:
    """Take one message; False when the database is unreachable (stop: all would fail)."""
    fetched: dict[int, Any] = client.fetch([uid], ["BODY.PEEK[]"])
    raw = fetched.get(uid, {}).get(b"BODY[]")
    if raw is None:
        return True  # moved away by another poller since the search
    try:
        taken = inbound_receive(bytes(raw), source=InboundMessage.Source.IMAP, mailbox=mailbox)
    except InboxUnavailable as error:
        report.left += 1
        report.error = f"database: {error}"
        logger.warning("mailbox %s: database unavailable, mail left in place", mailbox.name)
        return False
    except Exception:
        # Not even recorded for review (see inbound_receive): leave it for the next poll.
        report.left += 1
        logger.exception("mailbox %s: message %s left in place", mailbox.name, uid)
        return True
    if taken.duplicate:
        report.duplicates += 1
    elif taken.inbound is not None:
        report.count(taken.inbound.outcome)
    try:
        _move(client, uid, mailbox.processed_folder)
    except IMAPClientError as error:
        # Taken already: the next poll finds it recorded and moves it then.
        logger.warning("mailbox %s: could not move message %s: %s", mailbox.name, uid, error)
    return True
