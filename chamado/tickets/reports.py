"""Reads for the desk dashboard: a few aggregate queries over the agent's departments."""

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from chamado.core.cache import cache_get, cache_set
from chamado.tickets import sla
from chamado.tickets.access import departments_for_agent, tickets_visible_to_agent
from chamado.tickets.models import Department, Message, SlaTarget
from chamado.tickets.selectors import queue_counts_for_agent

REPORT_DAYS = 30
# The period's figures are shared by every agent of the same departments for this long.
PERIOD_CACHE_SECONDS = 60
PERIOD_CACHE_KEY = "chamado:dashboard-period:v1:{zone}:{day}:{days}:{departments}"


@dataclass(frozen=True)
class DayCount:
    day: date
    opened: int
    answered: int  # replies agents sent to clients that day (internal notes left out)


@dataclass(frozen=True)
class DepartmentResponse:
    """First responses of one department's tickets opened in the period."""

    department: Department
    answered: int  # tickets with a first response
    median: timedelta | None  # of first_response_at - created_at
    within_target: int
    overdue: int  # no answer yet (or closed unanswered) after the target had passed

    @property
    def measured(self) -> int:
        """Tickets whose outcome is known: answered, or already past the target unanswered."""
        return self.answered + self.overdue

    @property
    def share_within(self) -> int | None:
        return percent(self.within_target, self.measured)


@dataclass(frozen=True)
class QueueCount:
    department: Department
    awaiting: int


@dataclass(frozen=True)
class PeriodResponse:
    """``DepartmentResponse``'s figures as cached: the department by its id."""

    department_id: int
    answered: int
    median: timedelta | None
    within_target: int
    overdue: int


@dataclass(frozen=True)
class Period:
    """What the dashboard computes over the period, cached for ``PERIOD_CACHE_SECONDS``."""

    days: list[DayCount]
    departments: list[PeriodResponse]
    median: timedelta | None
    computed_at: datetime


@dataclass(frozen=True)
class Dashboard:
    first_day: date
    last_day: date
    days: list[DayCount]
    departments: list[DepartmentResponse]
    queues: list[QueueCount]
    median: timedelta | None  # all the agent's departments together
    computed_at: datetime  # when the period's figures were computed (awaiting: live)

    @property
    def opened(self) -> int:
        return sum(day.opened for day in self.days)

    @property
    def answered(self) -> int:
        return sum(day.answered for day in self.days)

    @property
    def within_target(self) -> int:
        return sum(row.within_target for row in self.departments)

    @property
    def measured(self) -> int:
        return sum(row.measured for row in self.departments)

    @property
    def share_within(self) -> int | None:
        return percent(self.within_target, self.measured)

    @property
    def awaiting(self) -> int:
        return sum(queue.awaiting for queue in self.queues)


def percent(part: int, whole: int) -> int | None:
    """Whole percent, halves rounded up (2 of 3 → 67); None when there is nothing to count."""
    if whole == 0:
        return None
    return math.floor(part * 100 / whole + 0.5)


def _median(samples: list[timedelta]) -> timedelta | None:
    if not samples:
        return None
    seconds = statistics.median(sample.total_seconds() for sample in samples)
    return timedelta(seconds=round(seconds))


def _first_response_targets(department_ids: list[int]) -> dict[tuple[int, int], timedelta]:
    """Every SLA target of these departments in one query; missing ones mean the default."""
    rows = SlaTarget.objects.filter(department_id__in=department_ids).values_list(
        "department_id", "priority", "first_response_minutes"
    )
    return {(dept, priority): timedelta(minutes=minutes) for dept, priority, minutes in rows}


def dashboard_for_agent(
    actor: Any,
    *,
    now: datetime,
    days: int = REPORT_DAYS,
    departments: list[Department] | None = None,
    awaiting: dict[int, int] | None = None,
) -> Dashboard:
    """The last ``days`` local days (today included) of the agent's departments (all of them
    for administrators). The period's figures are computed at most once a minute for each set
    of departments (``PERIOD_CACHE_SECONDS``: at a million tickets they read a month of
    tickets and messages); what awaits an answer is counted live. ``departments`` (the agent's,
    by position) and ``awaiting`` (``queue_counts_for_agent``'s), when the caller has them
    already, save their queries: none left when the period is cached, four when it is
    computed."""
    if departments is None:
        departments = list(departments_for_agent(actor).order_by("position", "name", "pk"))
    zone = timezone.get_current_timezone()
    last_day = timezone.localdate(now, zone)
    key = PERIOD_CACHE_KEY.format(
        zone=str(zone),
        day=last_day.isoformat(),
        days=days,
        departments=",".join(str(department.pk) for department in departments) or "-",
    )
    period = cache_get(key)
    if not isinstance(period, Period):
        period = _period(actor, departments, now=now, last_day=last_day, zone=zone, days=days)
        cache_set(key, period, PERIOD_CACHE_SECONDS)
    by_id = {department.pk: department for department in departments}
    if awaiting is None:
        awaiting = queue_counts_for_agent(actor)
    return Dashboard(
        first_day=period.days[0].day,
        last_day=last_day,
        days=period.days,
        # The departments read now (their names may have changed since the period's figures).
        departments=[
            DepartmentResponse(
                department=by_id[row.department_id],
                answered=row.answered,
                median=row.median,
                within_target=row.within_target,
                overdue=row.overdue,
            )
            for row in period.departments
            if row.department_id in by_id
        ],
        queues=[
            QueueCount(department=department, awaiting=awaiting.get(department.pk, 0))
            for department in departments
        ],
        median=period.median,
        computed_at=period.computed_at,
    )


def _period(
    actor: Any,
    departments: list[Department],
    *,
    now: datetime,
    last_day: date,
    zone: Any,
    days: int,
) -> Period:
    """Tickets opened and replies sent per local day, and first responses per department (with
    the departments' SLA targets), over the period: four queries."""
    first_day = last_day - timedelta(days=days - 1)
    start = timezone.make_aware(datetime.combine(first_day, time.min), zone)
    end = timezone.make_aware(datetime.combine(last_day + timedelta(days=1), time.min), zone)
    tickets = tickets_visible_to_agent(actor)

    opened = dict(
        tickets.filter(created_at__gte=start, created_at__lt=end)
        .annotate(day=TruncDate("created_at", tzinfo=zone))
        .values("day")
        .annotate(count=Count("pk"))
        .order_by()
        .values_list("day", "count")
    )
    answered = dict(
        Message.objects.filter(
            ticket__in=tickets.values("pk"),
            from_agent=True,
            is_internal=False,
            created_at__gte=start,
            created_at__lt=end,
        )
        .annotate(day=TruncDate("created_at", tzinfo=zone))
        .values("day")
        .annotate(count=Count("pk"))
        .order_by()
        .values_list("day", "count")
    )
    series = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        series.append(DayCount(day=day, opened=opened.get(day, 0), answered=answered.get(day, 0)))

    # A merged ticket's conversation (and its first response) lives on in the ticket it was
    # merged into, so only the surviving ticket is measured.
    rows = tickets.filter(created_at__gte=start, created_at__lt=end, merged_into=None).values_list(
        "department_id", "priority", "created_at", "first_response_at", "closed_at"
    )
    targets = _first_response_targets([department.pk for department in departments])
    samples: dict[int, list[timedelta]] = defaultdict(list)
    within: dict[int, int] = defaultdict(int)
    overdue: dict[int, int] = defaultdict(int)
    for department_id, priority, created_at, first_response_at, closed_at in rows:
        target = targets.get((department_id, priority), sla.DEFAULT_TARGET)
        if first_response_at is not None:
            response = first_response_at - created_at
            samples[department_id].append(response)
            if sla.within_target(response, target):
                within[department_id] += 1
        else:
            # Unanswered: a miss once the target has passed while the client still waited
            # (a ticket the client closed in time is no miss; one still in time is undecided).
            waited_until = closed_at or now
            if waited_until - created_at > target:
                overdue[department_id] += 1

    return Period(
        days=series,
        departments=[
            PeriodResponse(
                department_id=department.pk,
                answered=len(samples[department.pk]),
                median=_median(samples[department.pk]),
                within_target=within[department.pk],
                overdue=overdue[department.pk],
            )
            for department in departments
        ],
        median=_median([sample for values in samples.values() for sample in values]),
        computed_at=now,
    )
