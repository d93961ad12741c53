"""The transition table: every (from, to, who), allowed or refused. No database.

The expectation is written out here as a grid, apart from the code's own table, so a change
to who may do what is a decision made twice (here and in tickets.workflow), never an accident.
Rows are the status a ticket is in, columns the status asked for, in this order:
open, answered, customer_reply, on_hold, in_progress, closed. "=" staying, "Y" allowed, "." no.
"""

import itertools

import pytest
from django.utils import translation

from chamado.core.errors import ApplicationError
from chamado.tickets import workflow
from chamado.tickets.workflow import AGENT, CLIENT, STATUSES, SYSTEM

GRID = {
    # Close any open ticket; a message puts it back in the agents' court (reopens a closed
    # one); a new ticket stays Open when its client writes again.
    CLIENT: """
        open           = . . . . Y
        answered       . = Y . . Y
        customer_reply . . = . . Y
        on_hold        . . Y = . Y
        in_progress    . . Y . = Y
        closed         . . Y . . =
    """,
    # Answer (a closed ticket too), hold, work on, close. Never "Open" (only where a ticket
    # starts) nor "Customer-Reply" (only what a client's message makes).
    AGENT: """
        open           = Y . Y Y Y
        answered       . = . Y Y Y
        customer_reply . Y = Y Y Y
        on_hold        . Y . = Y Y
        in_progress    . Y . Y = Y
        closed         . Y . Y Y =
    """,
    # Auto-close and a merged ticket's closing; a merge that brings a waiting client's
    # messages makes the target wait for an agent.
    SYSTEM: """
        open           = . . . . Y
        answered       . = Y . . Y
        customer_reply . . = . . Y
        on_hold        . . Y = . Y
        in_progress    . . . . = Y
        closed         . . Y . . =
    """,
}


def expected(who: str) -> dict[tuple[str, str], bool]:
    cells = {}
    for line in GRID[who].strip().splitlines():
        current, *marks = line.split()
        for new, mark in zip(STATUSES, marks, strict=True):
            cells[(current, new)] = mark in "=Y"
    return cells


CELLS = [
    (current, new, who, expected(who)[(current, new)])
    for who in (CLIENT, AGENT, SYSTEM)
    for current, new in itertools.product(STATUSES, STATUSES)
]


def test_the_grid_covers_every_cell() -> None:
    assert len(CELLS) == 6 * 6 * 3


@pytest.mark.parametrize(("current", "new", "who", "allowed"), CELLS)
def test_move(current: str, new: str, who: str, allowed: bool) -> None:
    assert workflow.move_allowed(current, new, who) is allowed
    if allowed:
        workflow.move_check(current, new, who)
    else:
        with pytest.raises(ApplicationError) as refused:
            workflow.move_check(current, new, who)
        assert refused.value.field == "status"


def test_a_refused_move_is_explained_in_the_users_language() -> None:
    with translation.override("en"), pytest.raises(ApplicationError) as refused:
        workflow.move_check(workflow.CLOSED, workflow.OPEN, AGENT)
    assert refused.value.message == "A ticket that is Closed cannot be set to Open."
    with translation.override("pt-br"), pytest.raises(ApplicationError) as refused:
        workflow.move_check(workflow.CLOSED, workflow.OPEN, AGENT)
    assert refused.value.message == "Um ticket Fechado não pode passar para Aberto."


def test_an_unknown_status_is_refused() -> None:
    with pytest.raises(ApplicationError, match="Choose a status"):
        workflow.move_check(workflow.OPEN, "deleted", AGENT)


def test_the_statuses_offered_are_the_allowed_moves() -> None:
    assert workflow.statuses_reachable(workflow.CLOSED, AGENT) == [
        workflow.ANSWERED,
        workflow.ON_HOLD,
        workflow.IN_PROGRESS,
        workflow.CLOSED,
    ]
    assert workflow.statuses_set_by(AGENT) == [
        workflow.ANSWERED,
        workflow.ON_HOLD,
        workflow.IN_PROGRESS,
        workflow.CLOSED,
    ]


def test_the_status_after_a_message_is_a_move_the_table_allows() -> None:
    for status in STATUSES:
        after_client = workflow.status_after_client_message(status)
        assert workflow.move_allowed(status, after_client, CLIENT)
        assert workflow.move_allowed(status, workflow.status_after_agent_reply(status), AGENT)


@pytest.mark.parametrize(
    ("template", "filled"),
    [
        ("Hi {client_name}, #{ticket_number}", "Hi Ana, #592110"),
        # A value that itself reads like a placeholder is not filled in again.
        ("Re: {subject}. {agent_name}", "Re: Call {agent_name} now. Bruno"),
        ("{unknown} and {client_name", "{unknown} and {client_name"),
    ],
)
def test_canned_placeholders_are_filled_in_one_pass(template: str, filled: str) -> None:
    values = {
        "client_name": "Ana",
        "ticket_number": "592110",
        "subject": "Call {agent_name} now",
        "agent_name": "Bruno",
    }
    assert workflow.canned_fill(template, values) == filled
