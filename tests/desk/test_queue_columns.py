"""The queue's columns: ordered by a whitelisted column (never raw input to order_by), with a
stable tiebreak, links that keep the filters and the page; "waiting since" as a relative
time; the rows alone for desk.js's refresh."""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from chamado.desk import views
from chamado.tickets.actions import ticket_close, ticket_reply_by_agent, ticket_update
from chamado.tickets.models import Ticket
from chamado.tickets.selectors import QUEUE_SORTS, queue_for_agent, queue_sort_parse, queue_sorted
from tests import factories
from tests.clock import hours_ago

pytestmark = pytest.mark.django_db

High, Medium, Low = Ticket.Priority.HIGH, Ticket.Priority.MEDIUM, Ticket.Priority.LOW
QUEUE = reverse("desk:queue")


def numbers(response: Any) -> list[int]:
    assert response.status_code == 200
    return [int(n) for n in re.findall(r'id="pick-(\d+)"', response.content.decode())]


def subjects(response: Any) -> list[str]:
    by_number = dict(Ticket.objects.values_list("number", "subject"))
    return [by_number[n] for n in numbers(response)]


@pytest.fixture
def board(owner, other_owner, service, support, agent, colleague) -> dict[str, Ticket]:
    """Four tickets that each column orders differently."""
    factories.ServiceFactory(account=other_owner.account)
    tickets = {
        "b": hours_ago(factories.open_ticket(owner, subject="b Email bounces", priority=Low), 1),
        "a": hours_ago(factories.open_ticket(other_owner, subject="a DNS", priority=High), 3),
        "d": hours_ago(factories.open_ticket(owner, subject="D invoice", priority=Medium), 5),
        "c": hours_ago(factories.open_ticket(other_owner, subject="c SSL", priority=Medium), 2),
    }
    ticket_update(actor=agent, ticket=tickets["c"], status=Ticket.Status.IN_PROGRESS)
    ticket_reply_by_agent(actor=agent, ticket=tickets["d"], body="Answered: please check now.")
    return tickets


ALL = {"status": "all"}


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("", ["a", "c", "d", "b"]),  # the queue's own order: priority, then the oldest wait
        ("subject", ["a", "b", "c", "d"]),  # case ignored
        ("-subject", ["d", "c", "b", "a"]),
        ("client", ["d", "b", "a", "c"]),  # Acme Hospedagem, then Beta Sites; queue order within
        ("-client", ["a", "c", "d", "b"]),
        ("priority", ["b", "c", "d", "a"]),
        ("-priority", ["a", "c", "d", "b"]),
        ("status", ["a", "b", "d", "c"]),  # open, answered, in progress: the workflow's order
        ("-status", ["c", "d", "a", "b"]),
        ("waiting", ["a", "c", "b", "d"]),  # oldest wait first; not waiting (answered) last
        ("-waiting", ["b", "c", "a", "d"]),
        ("sla", ["a", "c", "b", "d"]),  # the soonest due first; no clock last either way
        ("-sla", ["b", "c", "a", "d"]),
    ],
)
def test_each_column_orders_the_queue(agent_client, board, sort, expected) -> None:
    response = agent_client.get(QUEUE, {**ALL, "sort": sort})
    assert [s[0].lower() for s in subjects(response)] == expected


@pytest.mark.parametrize(
    "sort",
    ["password", "-contact__password", "account__name", "id", "pk", "?", "number;", "--number", ""],
)
def test_a_sort_outside_the_whitelist_is_the_queue_order(agent_client, agent, board, sort):
    assert queue_sort_parse(sort) is None
    response = agent_client.get(QUEUE, {**ALL, "sort": sort})
    default = agent_client.get(QUEUE, ALL)
    assert numbers(response) == numbers(default)
    assert "aria-sort" not in response.content.decode()


def test_the_whitelist_is_the_columns() -> None:
    assert QUEUE_SORTS == ("number", "subject", "client", "priority", "status", "waiting", "sla")
    assert queue_sort_parse("-sla") == ("sla", True)
    assert queue_sort_parse(" number ") == ("number", False)


def test_sorting_never_repeats_or_skips_a_ticket_across_pages(
    agent_client, agent, owner, service, monkeypatch
) -> None:
    """Equal values (one priority, one subject) are ordered by the queue's order and the id."""
    monkeypatch.setattr(views, "QUEUE_PAGE_SIZE", 3)
    made = [factories.open_ticket(owner, service=service, subject="Same") for _ in range(8)]
    for sort in ("priority", "-subject", "client", "-status", "", "waiting", "-sla", "number"):
        seen: list[int] = []
        url = f"{QUEUE}?sort={sort}"
        while url:
            response = agent_client.get(url)
            seen += numbers(response)
            url = next_link(response, "next")
        assert len(seen) == len(made), sort
        assert sorted(seen) == sorted(t.number for t in made), sort
        # And back: the previous pages, in the same order.
        backwards: list[int] = []
        url = previous = next_link(response, "prev")
        while url:
            response = agent_client.get(url)
            backwards = numbers(response) + backwards
            url = next_link(response, "prev")
        assert previous
        assert backwards == seen[: len(backwards)], sort
        assert len(seen) - len(backwards) == 2  # 8 tickets, 3 a page: the last page had 2


def next_link(response: Any, rel: str) -> str:
    link = re.search(rf'<a href="([^"]*)" rel="{rel}">', response.content.decode())
    return f"{QUEUE}{link.group(1).replace('&amp;', '&')}" if link else ""


def test_ties_keep_the_queue_order(agent, owner, service) -> None:
    later = hours_ago(factories.open_ticket(owner, service=service, subject="Same"), 1)
    earlier = hours_ago(factories.open_ticket(owner, service=service, subject="Same"), 4)
    tickets = queue_sorted(queue_for_agent(agent, now=timezone.now()), "subject")
    assert [t.pk for t in tickets] == [earlier.pk, later.pk]


def header_link(page: str, label: str) -> str:
    link = re.search(rf'<a class="desk-sort" href="([^"]*)">{label}<', page)
    assert link, label
    return link.group(1).replace("&amp;", "&")


def test_column_links_keep_the_filters_and_flip_the_order(agent_client, board, support) -> None:
    query = {"status": "all", "department": support.pk, "after": "WzEsMl0"}
    page = agent_client.get(QUEUE, query).content.decode()
    link = header_link(page, "Subject")
    assert link.startswith("?")
    assert set(link[1:].split("&")) == {  # a new order starts at its first page
        "status=all",
        f"department={support.pk}",
        "sort=subject",
    }
    # Priority starts with the most pressing.
    assert "sort=-priority" in header_link(page, "Priority")

    page = agent_client.get(QUEUE, {**query, "sort": "subject"}).content.decode()
    assert 'aria-sort="ascending"><a class="desk-sort"' in page
    assert "sort=-subject" in header_link(page, "Subject")
    assert page.count("aria-sort=") == 1
    # The filter form keeps the order too, and there is a way back to the queue's own.
    assert '<input type="hidden" name="sort" value="subject">' in page
    assert "Back to the queue&#x27;s order" in page or "Back to the queue's order" in page

    page = agent_client.get(QUEUE, {**query, "sort": "-subject"}).content.decode()
    assert 'aria-sort="descending"' in page
    assert "sort=subject" in header_link(page, "Subject")


def test_waiting_since_is_relative_with_the_exact_time_in_its_title(agent_client, board) -> None:
    page = agent_client.get(QUEUE, {"sort": "waiting"}).content.decode()
    waited = board["a"].waiting_since
    stamp = re.escape(timezone.localtime(waited).isoformat(timespec="seconds")[:19])
    found = re.search(rf'<time datetime="{stamp}[^"]*" title="([^"]+)">([^<]+)</time>', page)
    assert found, page
    assert re.fullmatch(r"3 h 0\d min ago", found.group(2).strip())
    assert str(timezone.localtime(waited).year) in found.group(1)


def test_the_rows_alone_for_the_refresh(agent_client, board) -> None:
    response = agent_client.get(QUEUE, {"fragment": "rows", "sort": "subject", **ALL})
    text = response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert text.lstrip().startswith("<tr")
    assert "<html" not in text and "<thead" not in text
    assert [s[0].lower() for s in subjects(response)] == ["a", "b", "c", "d"]


def test_an_empty_queue_still_has_its_table_for_the_refresh(agent_client, board) -> None:
    for ticket in board.values():
        ticket_close(actor=ticket.contact, ticket=ticket)
    page = agent_client.get(QUEUE).content.decode()
    assert "data-queue-rows" in page
    assert "Nothing in this queue. Well done." in page
    assert 'id="bulk-form"' in page and "desk-bulk" not in page


def test_the_rows_are_refreshed_from_the_same_address(agent_client, board, support) -> None:
    page = agent_client.get(QUEUE, {"department": support.pk, "sort": "sla"}).content.decode()
    refresh = re.search(r'data-queue-refresh="([^"]+)"', page)
    assert refresh
    url = refresh.group(1).replace("&amp;", "&")
    assert url.startswith(QUEUE + "?")
    assert set(url.split("?")[1].split("&")) == {
        f"department={support.pk}",
        "sort=sla",
        "fragment=rows",
    }


def test_a_long_wait_reads_in_days(agent_client, owner, service) -> None:
    ticket = factories.open_ticket(owner, service=service)
    Ticket.objects.filter(pk=ticket.pk).update(
        waiting_since=timezone.now() - timedelta(days=2, hours=3)
    )
    assert "2 days 3 h ago" in agent_client.get(QUEUE).content.decode()
