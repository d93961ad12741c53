"""One page of the desk's search: the matches shown, never every match sorted or counted.

``tickets.search.ticket_search_ids`` finds the pks of the matches up to the end of the page asked
(most recently active first, window by window); only the page's rows are then read, with their
snippets. Pages go up to ``cap`` matches; the total is known only when the matches end before.
"""

from dataclasses import dataclass

from django.db.models import QuerySet

from chamado.tickets.models import Ticket
from chamado.tickets.search import snippets_annotate, ticket_search_ids

PAGE_SIZE = 25


@dataclass
class SearchPage:
    """What the template shows: ``object_list`` (tickets with ``snippet``), the page's number,
    whether there are pages before and after it, ``total`` when known (the matches ended on or
    before this page), and ``capped`` when the last page the cap allows has more after it."""

    object_list: list[Ticket]
    number: int
    has_next: bool
    total_pages: int | None
    capped: bool
    cap: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1


def _page_number(raw: str | None, last: int) -> int:
    try:
        number = int(raw or 1)
    except ValueError:
        return 1
    return min(max(number, 1), last)


def search_page(
    tickets: QuerySet[Ticket], text: str, page: str | None, *, cap: int, per_page: int = PAGE_SIZE
) -> SearchPage:
    """Page ``page`` (a number in the URL; out of range: the nearest) of the matches of
    ``text`` among ``tickets``, at most ``cap`` matches in all."""
    last_page = max(1, -(-cap // per_page))
    number = _page_number(page, last_page)
    end = min(number * per_page, cap)
    ids, complete = ticket_search_ids(tickets, text, end)
    if len(ids) <= (number - 1) * per_page:  # past the matches (all found): their last page
        number = max(1, -(-len(ids) // per_page))
    shown = ids[(number - 1) * per_page : end]
    rows = {t.pk: t for t in snippets_annotate(tickets.filter(pk__in=shown), text)}
    more = not complete  # at least one match after ``end``
    return SearchPage(
        object_list=[rows[pk] for pk in shown if pk in rows],
        number=number,
        has_next=more and end < cap,
        total_pages=None if more else max(1, -(-len(ids) // per_page)),
        capped=more and end >= cap,
        cap=cap,
    )
