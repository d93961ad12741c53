"""The desk dashboard: opened and answered per day, first response per department,
share within target, awaiting tickets per queue, for the agent's departments only.

People come from tests/conftest.py and tests/desk/conftest.py."""

import re
import time as clock
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from chamado.tickets import reports
from chamado.tickets.actions import ticket_merge, ticket_reply_by_agent
from chamado.tickets.models import Department, Message, SlaTarget, Ticket
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/desk/dashboard/"
# user, every department with whether it is the agent's (the menu's, shared), opened per day,
# answered per day, the SLA targets, the tickets opened in the period (first responses), the
# awaiting counts (the menu's, shared). Was 9 before issue 13 (the menu read departments and
# counts a second time; the session came from the database).
DASHBOARD_QUERIES = 7
# within the minute the period's figures are cached for: user, departments, awaiting counts
CACHED_DASHBOARD_QUERIES = 3


def local(day: date, hour: int = 12, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def today() -> date:
    return timezone.localdate()


def ticket_at(
    owner: Any,
    department: Department,
    opened: datetime,
    *,
    answered_by: Any = None,
    answered_after: timedelta | None = None,
    priority: int = Ticket.Priority.MEDIUM,
) -> Ticket:
    """A ticket opened (and answered) through the real actions, then moved to ``opened``."""
    ticket = factories.open_ticket(owner, department=department, priority=priority)
    Message.objects.filter(ticket=ticket).update(created_at=opened)
    first_response = None
    if answered_after is not None:
        reply = ticket_reply_by_agent(
            actor=answered_by, ticket=ticket, body="Here is the fix."
        ).message
        first_response = opened + answered_after
        Message.objects.filter(pk=reply.pk).update(created_at=first_response)
    Ticket.objects.filter(pk=ticket.pk).update(
        created_at=opened,
        first_response_at=first_response,
        waiting_since=None if first_response else opened,
    )
    ticket.refresh_from_db()
    return ticket


def report_for(client: Any, user: Any) -> Any:
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    return response.context["report"]


def nonzero_days(report: Any) -> dict[date, tuple[int, int]]:
    return {d.day: (d.opened, d.answered) for d in report.days if d.opened or d.answered}


def test_opened_and_answered_per_local_day_over_the_last_30_days(
    client, owner, agent, support
) -> None:
    day3, day1 = today() - timedelta(days=3), today() - timedelta(days=1)
    first = ticket_at(
        owner, support, local(day3, 9), answered_by=agent, answered_after=timedelta(hours=2)
    )
    ticket_at(owner, support, local(day3, 10), answered_by=agent, answered_after=timedelta(hours=3))
    # 22:30 in São Paulo is already the next day in UTC: it still counts for day 3.
    ticket_at(owner, support, local(day3, 22, 30))
    # Opened on day 3, answered on day 1.
    ticket_at(owner, support, local(day3, 8), answered_by=agent, answered_after=timedelta(days=2))
    ticket_at(owner, support, local(day1, 12))
    # An internal note is no answer to the client.
    note = ticket_reply_by_agent(
        actor=agent, ticket=first, body="Checked logs.", is_internal=True
    ).message
    Message.objects.filter(pk=note.pk).update(created_at=local(day3, 15))
    # The first day shown is 29 days ago from its local midnight; the day before is out.
    ticket_at(owner, support, local(today() - timedelta(days=29), 0, 30))
    ticket_at(owner, support, local(today() - timedelta(days=30), 23, 30))

    report = report_for(client, agent)

    assert len(report.days) == 30
    assert report.first_day == today() - timedelta(days=29)
    assert report.last_day == today()
    assert nonzero_days(report) == {
        today() - timedelta(days=29): (1, 0),
        day3: (4, 2),
        day1: (1, 1),
    }
    assert (report.opened, report.answered) == (6, 3)


def test_median_first_response_and_share_within_target_per_department(
    client, owner, agent, billing_agent, admin, support, billing
) -> None:
    SlaTarget.objects.create(
        department=support, priority=Ticket.Priority.HIGH, first_response_minutes=60
    )
    day = today() - timedelta(days=2)
    # Support: 2 h (Medium, 24 h target: in), 30 h (Medium: out), 30 min (High, 1 h: in).
    ticket_at(owner, support, local(day, 8), answered_by=agent, answered_after=timedelta(hours=2))
    ticket_at(owner, support, local(day, 9), answered_by=agent, answered_after=timedelta(hours=30))
    ticket_at(
        owner,
        support,
        local(day, 10),
        answered_by=agent,
        answered_after=timedelta(minutes=30),
        priority=Ticket.Priority.HIGH,
    )
    # Billing: 4 h and 6 h, both within the default 24 h.
    ticket_at(
        owner, billing, local(day, 8), answered_by=billing_agent, answered_after=timedelta(hours=4)
    )
    ticket_at(
        owner, billing, local(day, 9), answered_by=billing_agent, answered_after=timedelta(hours=6)
    )

    client.force_login(admin)
    response = client.get(URL)
    report = response.context["report"]
    rows = {row.department.slug: row for row in report.departments}

    assert set(rows) == {"support", "sales", "billing"}
    assert (rows["sales"].answered, rows["sales"].median, rows["sales"].share_within) == (
        0,
        None,
        None,
    )
    assert (rows["support"].answered, rows["support"].median) == (3, timedelta(hours=2))
    assert (rows["support"].within_target, rows["support"].measured) == (2, 3)
    assert rows["support"].share_within == 67
    assert (rows["billing"].answered, rows["billing"].median) == (2, timedelta(hours=5))
    assert rows["billing"].share_within == 100
    # All together: 30 min, 2 h, 4 h, 6 h, 30 h → 4 h; 4 of 5 within.
    assert report.median == timedelta(hours=4)
    assert report.share_within == 80
    page = response.content.decode()
    assert "67% (2 of 3)" in page
    assert "100% (2 of 2)" in page
    assert "2 h 00 min" in page and "5 h 00 min" in page


def test_unanswered_past_target_counts_outside_it_and_a_waiting_ticket_in_time_does_not(
    client, owner, agent, support
) -> None:
    SlaTarget.objects.create(
        department=support, priority=Ticket.Priority.HIGH, first_response_minutes=60
    )
    ticket_at(
        owner,
        support,
        local(today() - timedelta(days=2)),
        answered_by=agent,
        answered_after=timedelta(hours=1),
    )
    # Unanswered for two days: outside the 24 h target.
    ticket_at(owner, support, local(today() - timedelta(days=2)))
    # Opened a moment ago: still in time, not counted either way.
    factories.open_ticket(owner, department=support, priority=Ticket.Priority.HIGH)

    row = report_for(client, agent).departments[0]

    assert (row.answered, row.within_target, row.overdue, row.measured) == (1, 1, 1, 2)
    assert row.share_within == 50


def test_a_merged_ticket_is_opened_but_measured_once(client, owner, agent, support) -> None:
    day = today() - timedelta(days=1)
    kept = ticket_at(
        owner, support, local(day, 8), answered_by=agent, answered_after=timedelta(hours=1)
    )
    folded = ticket_at(owner, support, local(day, 9))
    ticket_merge(actor=agent, source=folded, target=kept)

    report = report_for(client, agent)
    row = report.departments[0]

    assert nonzero_days(report)[day] == (2, 1)
    assert (row.answered, row.overdue, row.share_within) == (1, 0, 100)


def test_awaiting_tickets_per_queue(client, owner, agent, support, sales, admin, billing) -> None:
    sales.agents.add(agent)
    factories.open_ticket(owner, department=support)
    factories.open_ticket(owner, department=support)
    answered = factories.open_ticket(owner, department=support)
    ticket_reply_by_agent(actor=agent, ticket=answered, body="Done, please check.")
    factories.open_ticket(owner, department=billing)

    assert [(q.department.slug, q.awaiting) for q in report_for(client, agent).queues] == [
        ("support", 2),
        ("sales", 0),
    ]
    assert [(q.department.slug, q.awaiting) for q in report_for(client, admin).queues] == [
        ("support", 2),
        ("sales", 0),
        ("billing", 1),
    ]


def test_billing_agent_sees_only_billings_numbers(
    client, owner, agent, billing_agent, support, billing
) -> None:
    day = today() - timedelta(days=1)
    for hour in (8, 9, 10):
        ticket_at(
            owner, support, local(day, hour), answered_by=agent, answered_after=timedelta(hours=1)
        )
    ticket_at(
        owner, billing, local(day, 11), answered_by=billing_agent, answered_after=timedelta(hours=3)
    )

    client.force_login(billing_agent)
    response = client.get(URL)
    report = response.context["report"]

    assert [row.department.slug for row in report.departments] == ["billing"]
    assert [queue.department.slug for queue in report.queues] == ["billing"]
    assert nonzero_days(report) == {day: (1, 1)}
    assert report.departments[0].median == timedelta(hours=3)
    assert "Support" not in response.content.decode()


def test_agent_without_departments_sees_empty_dashboard(client, owner, agent, support) -> None:
    factories.open_ticket(owner, department=support)
    loner = factories.AgentFactory()

    report = report_for(client, loner)

    assert (report.opened, report.answered, report.departments, report.queues) == (0, 0, [], [])


@pytest.mark.parametrize("who", ["owner", "contact", "contact_without_tickets"])
def test_clients_get_404(client, request, who) -> None:
    client.force_login(request.getfixturevalue(who))
    assert client.get(URL).status_code == 404


def test_anonymous_is_sent_to_log_in(client, db) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert "next=" + URL in response.url


def test_charts_have_no_inline_style_and_escape_department_names(client, owner, admin) -> None:
    ops = Department.objects.create(name="<b>Ops</b>", slug="ops")
    ticket_at(
        owner,
        ops,
        local(today() - timedelta(days=1)),
        answered_by=admin,
        answered_after=timedelta(hours=1),
    )

    client.force_login(admin)
    page = client.get(URL).content.decode()
    svgs = re.findall(r'<svg(?![^>]*class="icon).*?</svg>', page, flags=re.S)

    assert len(svgs) == 4
    for svg in svgs:
        assert re.search(r"\sstyle\s*=", svg) is None
        assert "<style" not in svg
        assert 'role="img"' in svg and "aria-label=" in svg and "<title>" in svg
        assert "<b>" not in svg
    assert "&lt;b&gt;Ops&lt;/b&gt;" in svgs[1]
    assert re.search(r"\sstyle\s*=", page) is None
    assert "<b>Ops</b>" not in page


def test_department_names_and_days_follow_the_language(client, owner, agent, support) -> None:
    client.force_login(agent)
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="pt-BR")
    svgs = "".join(
        re.findall(r'<svg(?![^>]*class="icon).*?</svg>', response.content.decode(), flags=re.S)
    )

    assert "Suporte" in svgs and "Support" not in svgs
    assert today().strftime("%d/%m/%Y") in svgs


@pytest.mark.parametrize("count", [3, 9])
def test_dashboard_query_count_does_not_grow_with_tickets(
    client, owner, agent, support, sales, django_assert_num_queries, count
) -> None:
    sales.agents.add(agent)
    for n in range(count):
        opened = local(today() - timedelta(days=n % 28 + 1))
        department = support if n % 2 else sales
        ticket = ticket_at(
            owner, department, opened, answered_by=agent, answered_after=timedelta(hours=n + 1)
        )
        ticket_reply_by_agent(actor=agent, ticket=ticket, body="Internal.", is_internal=True)
        factories.open_ticket(owner, department=department)
    client.force_login(agent)

    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = client.get(URL)

    assert response.context["report"].opened == 2 * count
    assert response.context["report"].answered == count

    with django_assert_num_queries(CACHED_DASHBOARD_QUERIES):
        response = client.get(URL)
    assert response.context["report"].opened == 2 * count


def test_period_figures_are_cached_a_minute_and_awaiting_counts_are_live(
    client, owner, agent, support, monkeypatch
) -> None:
    monkeypatch.setattr(reports, "PERIOD_CACHE_SECONDS", 1)  # a minute, shortened to a second
    factories.open_ticket(owner, department=support)
    first = report_for(client, agent)
    factories.open_ticket(owner, department=support)

    again = report_for(client, agent)
    assert (first.opened, again.opened) == (1, 1)  # the period: as computed a moment ago
    assert [q.awaiting for q in again.queues] == [2]  # awaiting: now
    assert again.computed_at == first.computed_at
    page = client.get(URL).content.decode()
    assert "refreshed every minute" in page

    clock.sleep(1.5)  # past the cache's expiry
    assert report_for(client, agent).opened == 2


def test_cached_figures_are_never_another_departments(
    client, owner, agent, billing_agent, support, billing, admin
) -> None:
    factories.open_ticket(owner, department=support)
    factories.open_ticket(owner, department=support)
    assert report_for(client, agent).opened == 2  # Support's figures now cached

    billing_report = report_for(client, billing_agent)
    assert billing_report.opened == 0
    assert [row.department.slug for row in billing_report.departments] == ["billing"]
    support.agents.add(billing_agent)  # now of both: another set of departments
    assert report_for(client, billing_agent).opened == 2
    assert report_for(client, admin).opened == 2
