"""The pure ticket rules: statuses, numbers, message length. No database (the flood guard,
now a rate limit, is tested in tests/tickets/test_actions.py)."""

import itertools
import random

import pytest

from chamado.tickets import workflow
from chamado.tickets.models import Ticket

Status = Ticket.Status


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (Status.OPEN, Status.OPEN),
        (Status.ANSWERED, Status.CUSTOMER_REPLY),
        (Status.CUSTOMER_REPLY, Status.CUSTOMER_REPLY),
        (Status.ON_HOLD, Status.CUSTOMER_REPLY),
        (Status.IN_PROGRESS, Status.CUSTOMER_REPLY),
        (Status.CLOSED, Status.CUSTOMER_REPLY),
    ],
)
def test_client_message_puts_the_ticket_back_in_the_agents_court(before, after) -> None:
    assert workflow.status_after_client_message(before) == after


def test_agent_reply_answers_unless_another_status_is_chosen() -> None:
    assert workflow.status_after_agent_reply(Status.CUSTOMER_REPLY) == Status.ANSWERED
    assert workflow.status_after_agent_reply(Status.OPEN, Status.ON_HOLD) == Status.ON_HOLD


@pytest.mark.parametrize(
    ("status", "waits"),
    [
        (Status.OPEN, True),
        (Status.CUSTOMER_REPLY, True),
        (Status.IN_PROGRESS, True),
        (Status.ANSWERED, False),
        (Status.ON_HOLD, False),
        (Status.CLOSED, False),
    ],
)
def test_client_waits_only_while_the_next_move_is_the_companys(status, waits) -> None:
    assert workflow.client_waits(status) is waits


def test_ticket_numbers_are_six_digits() -> None:
    numbers = list(itertools.islice(workflow.ticket_number_candidates(), 2000))
    assert all(100_000 <= number <= 999_999 for number in numbers)
    assert all(len(str(number)) == 6 for number in numbers)


def test_ticket_numbers_are_not_sequential() -> None:
    numbers = list(itertools.islice(workflow.ticket_number_candidates(), 50))
    steps = {b - a for a, b in itertools.pairwise(numbers)}
    assert len(steps) > 40


def test_seeded_rng_gives_a_repeatable_sequence() -> None:
    first = list(itertools.islice(workflow.ticket_number_candidates(random.Random(7)), 5))
    again = list(itertools.islice(workflow.ticket_number_candidates(random.Random(7)), 5))
    assert first == again
    assert first[0] == random.Random(7).randint(100_000, 999_999)


@pytest.mark.parametrize(
    ("body", "too_short"),
    [
        ("Help!", True),
        ("x" * 19, True),
        ("   " + "x" * 19 + "   \n", True),
        ("x" * 20, False),
        ("The site answers 500 since this morning.", False),
    ],
)
def test_message_under_twenty_characters_is_too_short(body, too_short) -> None:
    assert workflow.message_too_short(body) is too_short
