"""Pure SLA rules: deadlines, near-breach, time left, expected wait. No ORM here."""

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

DEFAULT_TARGET = timedelta(hours=24)
NEAR_BREACH_SHARE = 0.2  # the last 20 % of the target
MIN_SAMPLES = 5


@dataclass(frozen=True)
class Targets:
    first_response: timedelta = DEFAULT_TARGET
    next_response: timedelta = DEFAULT_TARGET


class State(StrEnum):
    NONE = "none"  # nobody waits for the company
    OK = "ok"
    NEAR = "near"
    BREACHED = "breached"


def response_deadline(
    *, waiting_since: datetime | None, answered_before: bool, targets: Targets
) -> tuple[datetime | None, datetime | None]:
    """(due, warn): when the answer is due and when the near-breach warning starts."""
    if waiting_since is None:
        return None, None
    target = targets.next_response if answered_before else targets.first_response
    due = waiting_since + target
    return due, due - target * NEAR_BREACH_SHARE


def state(now: datetime, due: datetime | None, warn: datetime | None) -> State:
    if due is None:
        return State.NONE
    if now >= due:
        return State.BREACHED
    if warn is not None and now >= warn:
        return State.NEAR
    return State.OK


def time_left(now: datetime, due: datetime | None) -> timedelta | None:
    """Positive while in time, negative once over."""
    return None if due is None else due - now


def recent_median(samples: list[timedelta]) -> timedelta | None:
    """The median of recent first responses; None when there are too few to tell."""
    if len(samples) < MIN_SAMPLES:
        return None
    seconds = statistics.median(sample.total_seconds() for sample in samples)
    return timedelta(seconds=round(seconds))


def expected_wait(samples: list[timedelta], *, fallback: timedelta) -> timedelta:
    """The median of recent first responses, or the target when there are too few."""
    median = recent_median(samples)
    return fallback if median is None else median


def within_target(response: timedelta, target: timedelta) -> bool:
    return response <= target
