"""Pure ticket rules: statuses and who may move a ticket between them, ticket numbers, message
limits, canned-reply placeholders. No ORM here: the models reuse these names."""

import random
import re
from collections.abc import Callable, Iterator

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from chamado.core.errors import ApplicationError

# ---- Statuses (Ticket.Status reuses these values and labels)

OPEN = "open"  # new, awaiting an agent
ANSWERED = "answered"  # an agent replied, awaiting the client
CUSTOMER_REPLY = "customer_reply"  # the client replied, awaiting an agent
ON_HOLD = "on_hold"
IN_PROGRESS = "in_progress"
CLOSED = "closed"

STATUS_LABELS: dict[str, Promise] = {
    OPEN: _("Open"),
    ANSWERED: _("Answered"),
    CUSTOMER_REPLY: _("Customer-Reply"),
    ON_HOLD: _("On Hold"),
    IN_PROGRESS: _("In Progress"),
    CLOSED: _("Closed"),
}
STATUSES = tuple(STATUS_LABELS)

# ---- Who moves a ticket

CLIENT = "client"  # the account's owner or an authorized contact
AGENT = "agent"  # an agent of the ticket's department, or an administrator
SYSTEM = "system"  # Chamado itself: auto-close, the consequences of a merge
MOVERS = (CLIENT, AGENT, SYSTEM)

_NOT_CLOSED = frozenset(STATUSES) - {CLOSED}


def _moves(sources: frozenset[str] | set[str], target: str) -> set[tuple[str, str]]:
    return {(source, target) for source in sources if source != target}


# Every allowed move, by who may make it. Anything not listed is refused; staying in the
# same status is not a move. "Open" is only where a ticket starts, and "Customer-Reply" is
# only what a client's message (or a merge that brings one) makes.
TRANSITIONS: dict[str, frozenset[tuple[str, str]]] = {
    CLIENT: frozenset(
        _moves(_NOT_CLOSED, CLOSED)  # Close Ticket
        # A message: the ticket waits for an agent again (a closed one reopens, when its
        # department allows it; a new ticket stays Open).
        | _moves({ANSWERED, ON_HOLD, IN_PROGRESS, CLOSED}, CUSTOMER_REPLY)
    ),
    AGENT: frozenset(
        _moves(set(STATUSES), ANSWERED)  # a reply (to a closed ticket too)
        | _moves(set(STATUSES), ON_HOLD)
        | _moves(set(STATUSES), IN_PROGRESS)
        | _moves(_NOT_CLOSED, CLOSED)
    ),
    SYSTEM: frozenset(
        _moves(_NOT_CLOSED, CLOSED)  # auto-close; a merged ticket closes
        # A merge whose source was waiting makes the target wait for an agent.
        | _moves({ANSWERED, ON_HOLD, CLOSED}, CUSTOMER_REPLY)
    ),
}


def statuses_set_by(who: str) -> list[str]:
    """Every status ``who`` may move a ticket to, from some status."""
    targets = {new for _current, new in TRANSITIONS[who]}
    return [status for status in STATUSES if status in targets]


def move_allowed(current: str, new: str, who: str) -> bool:
    """Whether ``who`` may move a ticket from ``current`` to ``new`` (the same: always)."""
    return current == new or (current, new) in TRANSITIONS[who]


def move_check(current: str, new: str, who: str) -> None:
    """Raise ApplicationError, in the user's language, when the move is not allowed."""
    if new not in STATUS_LABELS:
        raise ApplicationError(gettext("Choose a status."), field="status")
    if not move_allowed(current, new, who):
        raise ApplicationError(
            gettext("A ticket that is %(current)s cannot be set to %(new)s.")
            % {"current": STATUS_LABELS[current], "new": STATUS_LABELS[new]},
            field="status",
        )


def statuses_reachable(current: str, who: str) -> list[str]:
    """The statuses ``who`` may choose for a ticket in ``current`` (itself included)."""
    return [status for status in STATUSES if move_allowed(current, status, who)]


def status_after_client_message(current: str) -> str:
    """A client writing means the ticket waits for an agent again."""
    return CUSTOMER_REPLY if current != OPEN else OPEN


def status_after_agent_reply(current: str, chosen: str | None = None) -> str:
    return chosen or ANSWERED


def client_may_reply(status: str, *, reopen_on_reply: bool) -> bool:
    """A client may write to an open ticket, and to a closed one when its department lets a
    reply reopen it (otherwise they are offered a new ticket)."""
    return status != CLOSED or reopen_on_reply


def service_required(*, allows_no_service: bool, account_has_services: bool) -> bool:
    """A new ticket names one of the account's services, unless the account has none or the
    department allows "none" (Sales, by default). ``ticket_open`` decides it the same way,
    asking the database only when the department needs a service."""
    return account_has_services and not allows_no_service


WAITING = frozenset({OPEN, CUSTOMER_REPLY, IN_PROGRESS})


def client_waits(status: str) -> bool:
    """Statuses in which the next move is the company's (the SLA clock runs)."""
    return status in WAITING


# ---- Ticket numbers

# Numbers are random, never sequential, and never run out: a new ticket gets the shortest
# length (at least the policy's) whose space is less than the policy's share used; a number
# never changes once given. Six digits by default, then seven past half of the six-digit space.
NUMBER_DIGITS_MIN = 4
NUMBER_DIGITS_MAX = 9
NUMBER_MIN = 100_000  # the six-digit space, the default
NUMBER_MAX = 999_999
_system_random = random.SystemRandom()


def number_space(digits: int) -> tuple[int, int]:
    """The lowest and highest number of ``digits`` digits."""
    return 10 ** (digits - 1), 10**digits - 1


def number_digits(used: Callable[[int], int], *, min_digits: int, grow_at_percent: int) -> int:
    """How many digits a new ticket's number gets: the first length from ``min_digits`` whose
    space is used less than ``grow_at_percent`` (``used(digits)``: numbers given so far)."""
    for digits in range(max(min_digits, NUMBER_DIGITS_MIN), NUMBER_DIGITS_MAX):
        low, high = number_space(digits)
        if used(digits) * 100 < (high - low + 1) * grow_at_percent:
            return digits
    return NUMBER_DIGITS_MAX


def ticket_number_candidates(rng: random.Random | None = None, digits: int = 6) -> Iterator[int]:
    """Endless random numbers of ``digits`` digits; the database's unique constraint settles
    clashes (rare: the space is at most about half used)."""
    source = rng or _system_random
    low, high = number_space(digits)
    while True:
        yield source.randint(low, high)


def number_in_text(text: str) -> int | None:
    """A ticket number typed as such ("592110", "#1234567"), or None."""
    digits = text.strip().lstrip("#")
    if digits.isdigit() and NUMBER_DIGITS_MIN <= len(digits) <= NUMBER_DIGITS_MAX:
        return int(digits)
    return None


# ---- Messages

SUBJECT_MAX_LENGTH = 120
MESSAGE_MIN_LENGTH = 20


def message_too_short(body: str) -> bool:
    return len(body.strip()) < MESSAGE_MIN_LENGTH


PLACEHOLDERS = ("client_name", "ticket_number", "subject", "agent_name")
_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")


def canned_fill(template: str, values: dict[str, str]) -> str:
    """Fill {placeholders} in one pass, so a value that itself reads "{agent_name}" stays as
    written; unknown placeholders and stray braces are left as written too."""
    return _PLACEHOLDER.sub(lambda match: values.get(match.group(1), ""), template)
