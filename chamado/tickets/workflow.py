"""Pure ticket rules: status transitions and ticket numbers. No ORM here."""

import random
from collections.abc import Iterator

from chamado.tickets.models import Ticket

Status = Ticket.Status

NUMBER_MIN = 100_000
NUMBER_MAX = 999_999
_system_random = random.SystemRandom()


def ticket_number_candidates(rng: random.Random | None = None) -> Iterator[int]:
    """Endless random six-digit numbers; the database's unique constraint settles clashes."""
    source = rng or _system_random
    while True:
        yield source.randint(NUMBER_MIN, NUMBER_MAX)


def status_after_client_message(current: str) -> str:
    """A client writing means the ticket waits for an agent again."""
    return Status.CUSTOMER_REPLY if current != Status.OPEN else Status.OPEN


def status_after_agent_reply(current: str, chosen: str | None = None) -> str:
    return chosen or Status.ANSWERED


WAITING = frozenset({Status.OPEN, Status.CUSTOMER_REPLY, Status.IN_PROGRESS})


def client_waits(status: str) -> bool:
    """Statuses in which the next move is the company's (the SLA clock runs)."""
    return status in WAITING


SUBJECT_MAX_LENGTH = 120
MESSAGE_MIN_LENGTH = 20


def message_too_short(body: str) -> bool:
    return len(body.strip()) < MESSAGE_MIN_LENGTH


def flood_exceeded(recent_client_messages: int, *, limit: int) -> bool:
    """True when one more client message would pass the limit for the window."""
    return recent_client_messages >= limit


PLACEHOLDERS = ("client_name", "ticket_number", "subject", "agent_name")


def canned_fill(template: str, values: dict[str, str]) -> str:
    """Fill {placeholders}; unknown ones and stray braces are left as written."""
    text = template
    for key in PLACEHOLDERS:
        text = text.replace("{" + key + "}", values.get(key, ""))
    return text
