"""Response targets: deadlines and near-breach as pure rules, the SLA clock the actions
keep on each ticket, and the expected wait shown to clients. The clock is controlled by passing
instants (``now=``) and by moving stored timestamps, never by patching time."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from chamado.tickets import sla
from chamado.tickets.actions import (
    ticket_reply_by_agent,
    ticket_reply_by_client,
    ticket_transfer,
    ticket_update,
)
from chamado.tickets.models import Department, SlaTarget, Ticket
from chamado.tickets.selectors import department_expected_wait, queue_for_agent, sla_targets
from tests import factories

H = timedelta(hours=1)
M = timedelta(minutes=1)
S = timedelta(seconds=1)
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
High, Medium = Ticket.Priority.HIGH, Ticket.Priority.MEDIUM


# Pure rules -------------------------------------------------------------------------------


def test_first_response_is_due_24_hours_after_the_client_started_waiting() -> None:
    due, warn = sla.response_deadline(
        waiting_since=START, answered_before=False, targets=sla.Targets()
    )
    assert due == START + 24 * H
    assert warn == START + 24 * H - 24 * H / 5  # the last 20 %: 4 h 48 min before


def test_next_response_uses_the_next_response_target() -> None:
    targets = sla.Targets(first_response=60 * M, next_response=4 * H)
    assert sla.response_deadline(waiting_since=START, answered_before=False, targets=targets) == (
        START + 60 * M,
        START + 48 * M,
    )
    assert sla.response_deadline(waiting_since=START, answered_before=True, targets=targets) == (
        START + 4 * H,
        START + 4 * H - 48 * M,
    )


def test_nobody_waiting_means_no_deadline() -> None:
    assert sla.response_deadline(
        waiting_since=None, answered_before=False, targets=sla.Targets()
    ) == (None, None)


@pytest.mark.parametrize(
    ("elapsed", "state"),
    [
        (timedelta(0), sla.State.OK),
        (19 * H + 11 * M, sla.State.OK),
        (19 * H + 12 * M, sla.State.NEAR),  # 80 % of 24 h
        (23 * H + 59 * M, sla.State.NEAR),
        (24 * H, sla.State.BREACHED),
        (30 * H, sla.State.BREACHED),
    ],
)
def test_state_at_a_given_instant(elapsed, state) -> None:
    due, warn = sla.response_deadline(
        waiting_since=START, answered_before=False, targets=sla.Targets()
    )
    assert sla.state(START + elapsed, due, warn) == state


def test_state_without_deadline_is_none() -> None:
    assert sla.state(START, None, None) == sla.State.NONE


def test_time_left_is_positive_in_time_and_negative_once_over() -> None:
    due = START + 24 * H
    assert sla.time_left(START + 20 * H, due) == 4 * H
    assert sla.time_left(START + 26 * H, due) == -2 * H
    assert sla.time_left(START, None) is None


def test_expected_wait_falls_back_to_the_target_below_five_samples() -> None:
    samples = [10 * M, 20 * M, 30 * M, 40 * M]
    assert sla.expected_wait(samples, fallback=24 * H) == 24 * H
    assert sla.expected_wait([], fallback=2 * H) == 2 * H


def test_expected_wait_is_the_median_of_five_or_more_samples() -> None:
    assert sla.expected_wait([50 * M, 10 * M, 40 * M, 20 * M, 30 * M], fallback=H) == 30 * M
    six = [10 * M, 20 * M, 30 * M, 40 * M, 50 * M, 600 * M]  # one slow answer does not weigh
    assert sla.expected_wait(six, fallback=H) == 35 * M


def test_within_target_includes_the_deadline_itself() -> None:
    assert sla.within_target(24 * H, 24 * H)
    assert not sla.within_target(24 * H + timedelta(seconds=1), 24 * H)


# Targets ----------------------------------------------------------------------------------


@pytest.fixture
def tight_high(support: Department) -> SlaTarget:
    """Support answers High tickets within 1 h, and follow-ups within 2 h."""
    return SlaTarget.objects.create(
        department=support,
        priority=High,
        first_response_minutes=60,
        next_response_minutes=120,
    )


@pytest.mark.django_db
def test_targets_default_to_24_hours(support) -> None:
    assert sla_targets(support.pk, Medium) == sla.Targets(24 * H, 24 * H)


@pytest.mark.django_db
def test_target_is_set_per_department_and_priority(support, tight_high) -> None:
    sales = factories.department("sales")
    assert sla_targets(support.pk, High) == sla.Targets(60 * M, 120 * M)
    assert sla_targets(support.pk, Medium) == sla.Targets(24 * H, 24 * H)
    assert sla_targets(sales.pk, High) == sla.Targets(24 * H, 24 * H)


# The clock the actions keep ---------------------------------------------------------------


def clock(ticket: Ticket) -> tuple[Any, Any]:
    ticket.refresh_from_db()
    return ticket.response_due_at, ticket.response_warn_at


@pytest.mark.django_db
def test_opening_starts_the_first_response_clock(ticket) -> None:
    assert clock(ticket) == (ticket.created_at + 24 * H, ticket.created_at + 19 * H + 12 * M)


@pytest.mark.django_db
def test_opening_uses_the_departments_target_for_the_priority(owner, service, tight_high):
    high = factories.open_ticket(owner, service=service, priority=High)
    medium = factories.open_ticket(owner, service=service, priority=Medium)
    sales_high = factories.open_ticket(
        owner, department=factories.department("sales"), priority=High
    )
    assert clock(high) == (high.created_at + 60 * M, high.created_at + 48 * M)
    assert clock(medium)[0] == medium.created_at + 24 * H
    assert clock(sales_high)[0] == sales_high.created_at + 24 * H


@pytest.mark.django_db
def test_more_client_messages_keep_the_deadline(ticket, owner) -> None:
    before = clock(ticket)
    ticket_reply_by_client(actor=owner, ticket=ticket, body="Another detail: it is the cart.")
    ticket_reply_by_client(actor=owner, ticket=ticket, body="And the login page fails too.")
    assert clock(ticket) == before


@pytest.mark.django_db
def test_agent_reply_stops_the_clock_and_a_note_does_not(ticket, agent) -> None:
    before = clock(ticket)
    ticket_reply_by_agent(actor=agent, ticket=ticket, body="Checking the logs.", is_internal=True)
    assert clock(ticket) == before
    ticket_reply_by_agent(actor=agent, ticket=ticket, body="Fixed, please check.")
    assert clock(ticket) == (None, None)


@pytest.mark.django_db
def test_clients_next_reply_starts_the_next_response_clock(owner, agent, service, tight_high):
    ticket = factories.open_ticket(owner, service=service, priority=High)
    ticket_reply_by_agent(actor=agent, ticket=ticket, body="Please try again now.")

    reply = ticket_reply_by_client(actor=owner, ticket=ticket, body="Still failing, sorry.").message

    assert clock(ticket) == (reply.created_at + 120 * M, reply.created_at + 96 * M)


@pytest.mark.django_db
def test_priority_change_and_transfer_recompute_the_deadline(ticket, agent, tight_high):
    ticket_update(actor=agent, ticket=ticket, priority=High)
    assert clock(ticket)[0] == ticket.waiting_since + 60 * M
    ticket_transfer(actor=agent, ticket=ticket, department=factories.department("billing"))
    assert clock(ticket)[0] == ticket.waiting_since + 24 * H


@pytest.mark.django_db
def test_queue_breach_filters_at_given_instants(ticket, agent) -> None:
    opened = ticket.created_at

    def found(hours: float, breach: str) -> bool:
        now = opened + timedelta(hours=hours)
        return ticket in queue_for_agent(agent, now=now, breach=breach)

    no, yes = False, True
    assert [found(h, "near") for h in (1, 19.1, 19.3, 23.9, 24)] == [no, no, yes, yes, no]
    assert [found(h, "breached") for h in (19.3, 23.9, 24, 48)] == [no, no, yes, yes]
    assert [found(h, "near_or_breached") for h in (19.1, 19.3, 48)] == [no, yes, yes]
    assert sla.state(opened + 20 * H, *clock(ticket)) == sla.State.NEAR


# Expected wait ----------------------------------------------------------------------------


def answered(owner: Any, agent: Any, department: Department, took: timedelta, days_ago: float):
    """A ticket of ``department`` answered through the real action, then moved back in time so
    its first response came ``days_ago`` days ago, ``took`` after it was opened."""
    ticket = factories.open_ticket(owner, department=department)
    ticket_reply_by_agent(actor=agent, ticket=ticket, body="Here is the answer.")
    first = timezone.now() - timedelta(days=days_ago)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=first - took, first_response_at=first)


@pytest.fixture
def history(owner, agent, support) -> None:
    """Four answers in the last week, and some that must not count."""
    for minutes in (10, 20, 40, 50):
        answered(owner, agent, support, minutes * M, days_ago=1)
    answered(owner, agent, support, 10 * H, days_ago=8)  # older than a week
    answered(owner, agent, factories.department("sales"), 1 * M, days_ago=1)  # another queue
    factories.open_ticket(owner, department=support)  # not answered yet


@pytest.mark.django_db
def test_expected_wait_is_the_target_with_fewer_than_five_recent_answers(history, support):
    now = timezone.now()
    assert department_expected_wait(support.pk, Medium, now=now) == 24 * H
    SlaTarget.objects.create(department=support, priority=Medium, first_response_minutes=90)
    assert department_expected_wait(support.pk, Medium, now=now) == 90 * M


@pytest.mark.django_db
def test_expected_wait_is_the_median_of_the_last_weeks_first_responses(
    history, owner, agent, support
) -> None:
    answered(owner, agent, support, 30 * M, days_ago=6.9)
    now = timezone.now()
    assert department_expected_wait(support.pk, Medium, now=now) == 30 * M
    # A little later the oldest answer is still within the week; a week later none is.
    assert department_expected_wait(support.pk, Medium, now=now + timedelta(days=0.05)) == 30 * M
    assert department_expected_wait(support.pk, Medium, now=now + timedelta(days=7)) == 24 * H


@pytest.mark.django_db
def test_expected_wait_is_computed_once_a_minute(
    history, owner, agent, support, django_assert_num_queries
) -> None:
    answered(owner, agent, support, 30 * M, days_ago=2)
    now = timezone.now().replace(second=1)
    assert department_expected_wait(support.pk, Medium, now=now) == 30 * M
    answered(owner, agent, support, 50 * H, days_ago=1)
    answered(owner, agent, support, 50 * H, days_ago=1)
    with django_assert_num_queries(0):  # the same minute: the median as computed
        assert department_expected_wait(support.pk, Medium, now=now + 30 * S) == 30 * M
    assert department_expected_wait(support.pk, Medium, now=now + 1 * M) == 40 * M
