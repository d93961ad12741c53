"""A write that fails after its attachments were stored removes them again."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from chamado.tickets import signals
from chamado.tickets.actions import ticket_open, ticket_reply_by_client
from chamado.tickets.models import Attachment, Ticket
from tests.factories import png_bytes, upload
from tests.object_storage import stored_names

pytestmark = pytest.mark.django_db


class ListenerFailed(Exception):
    pass


def _fail(**kwargs: Any) -> None:
    raise ListenerFailed


@contextmanager
def failing_listener() -> Iterator[None]:
    """A ticket-event listener that fails (as a broken integration would), after the files
    were written, inside the action's transaction."""
    signals.ticket_event.connect(_fail, dispatch_uid="test-failing-listener")
    try:
        yield
    finally:
        signals.ticket_event.disconnect(dispatch_uid="test-failing-listener")


def stored_files() -> list[str]:
    """On disk or in the bucket (the scale-out pass): what this test stored."""
    return stored_names()


def test_failed_open_leaves_no_ticket_and_no_file(owner, service, support) -> None:
    with failing_listener(), pytest.raises(ListenerFailed):
        ticket_open(
            actor=owner,
            department=support,
            service=service,
            subject="Screenshot attached",
            priority=Ticket.Priority.MEDIUM,
            body="The panel shows this error since this morning, see the screenshot.",
            files=[upload("error.png", png_bytes())],
        )
    assert not Ticket.objects.exists() and not Attachment.objects.exists()
    assert stored_files() == []


def test_failed_reply_leaves_no_file_and_keeps_earlier_ones(owner, ticket) -> None:
    ticket_reply_by_client(
        actor=owner,
        ticket=ticket,
        body="Here is the first screenshot you asked for.",
        files=[upload("first.png", png_bytes())],
    )
    assert len(stored_files()) == 1

    with failing_listener(), pytest.raises(ListenerFailed):
        ticket_reply_by_client(
            actor=owner,
            ticket=ticket,
            body="And a second screenshot, of the other page.",
            files=[upload("second.png", png_bytes())],
        )
    assert len(stored_files()) == 1
    assert Attachment.objects.get().original_name == "first.png"
