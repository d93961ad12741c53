"""Ticket search, accents and case ignored: PostgreSQL full text (GIN-indexed), or folded
matching on SQLite (core.search)."""

from datetime import datetime
from typing import cast

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchVector
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from chamado.core.search import (
    MARK_END,
    MARK_START,
    SIMPLE_CONFIG,
    Folded,
    fold,
    query_words,
    snippet,
)
from chamado.tickets import workflow
from chamado.tickets.models import Message, Ticket

__all__ = [
    "MARK_END",
    "MARK_START",
    "search_index",
    "snippet_for",
    "snippets_annotate",
    "ticket_search",
    "ticket_search_for_client",
    "ticket_search_ids",
]

CONFIG = SIMPLE_CONFIG  # language-neutral (tickets arrive in English and Portuguese alike)
INDEX_NAME = "ticket_search_unaccent_gin"


def _vector() -> SearchVector:
    return SearchVector("search_document", config=CONFIG)


def search_index() -> GinIndex:
    """The index the query below uses; created by migration 0010 on PostgreSQL only."""
    return GinIndex(_vector(), name=INDEX_NAME)


def ticket_search(tickets: QuerySet[Ticket], text: str) -> QuerySet[Ticket]:
    """Tickets matching every word of ``text`` (or its number): every match, unordered, without
    snippets (``snippets_annotate`` adds them to the rows shown). A page of results over the
    whole desk is ``ticket_search_ids``'s, which never reads more matches than it shows."""
    return _matches(tickets, text)


def _matches(tickets: QuerySet[Ticket], text: str) -> QuerySet[Ticket]:
    text = text.strip()
    number = workflow.number_in_text(text)
    if number is not None:
        # A merged ticket's old number still finds it (its page leads to the merged one).
        return tickets.filter(number=number)
    if connection.vendor == "postgresql":
        query = SearchQuery(text, config=CONFIG, search_type="websearch")
        # alias, not annotate: the vector is the index's expression, never a selected column.
        return tickets.alias(search=_vector()).filter(search=query)
    folded = tickets.alias(folded_document=Folded("search_document"))
    for word in text.split():
        folded = folded.filter(folded_document__contains=fold(word))
    return folded


def snippets_annotate(tickets: QuerySet[Ticket], text: str) -> QuerySet[Ticket]:
    """``snippet`` on each row: PostgreSQL's headline with the matches marked, or (a number,
    SQLite) the subject or document, which ``snippet_for`` cuts around the first match."""
    if workflow.number_in_text(text.strip()) is not None:
        return tickets.annotate(snippet=F("subject"))
    if connection.vendor == "postgresql":
        query = SearchQuery(text.strip(), config=CONFIG, search_type="websearch")
        return tickets.annotate(
            snippet=SearchHeadline(
                "search_document",
                query,
                config=CONFIG,
                start_sel=MARK_START,
                stop_sel=MARK_END,
                max_words=20,
                min_words=8,
            )
        )
    return tickets.annotate(snippet=F("search_document"))


# The most recently active tickets, in rows, that each step of a search covers before the next
# one widens it; the last step covers the rest. A common word fills a page in the first window,
# so the page costs the same whatever the size of the desk; a rare word has few matches, cheap
# to read wherever they are.
SEARCH_WINDOWS = (2_000, 20_000, 200_000)
WINDOW_CACHE_SECONDS = 300  # a window's start moves slowly; a stale one is only a wider window
WINDOW_CACHE_KEY = "tickets:search-window:{rows}"


def _window_start(rows: int) -> datetime | None:
    """The last activity of the ``rows``-th most recently active ticket (None: fewer tickets)."""
    key = WINDOW_CACHE_KEY.format(rows=rows)
    cached = cache.get(key)
    if cached is not None:
        return None if cached == "" else cast(datetime, cached)
    start = (
        Ticket.objects.order_by("-last_activity_at")
        .values_list("last_activity_at", flat=True)[rows : rows + 1]
        .first()
    )
    cache.set(key, "" if start is None else start, WINDOW_CACHE_SECONDS)
    return start


def _planner_for_windows() -> None:
    """For this transaction: no plain index walk (PostgreSQL would walk the last-activity index
    computing every ticket's text vector, about a millisecond each, instead of intersecting it
    with the GIN index), and memory enough for both bitmaps to stay exact (a lossy one makes
    PostgreSQL recompute the vector of every ticket on its pages)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('enable_indexscan', 'off', true), set_config('work_mem', %s, true)",
            [SEARCH_WORK_MEM],
        )


SEARCH_WORK_MEM = "64MB"


def ticket_search_ids(tickets: QuerySet[Ticket], text: str, limit: int) -> tuple[list[int], bool]:
    """The pks of the first ``limit`` matches, most recently active first (ties: newest pk),
    and whether they are all the matches. Never sorts or counts every match."""
    ordered = _matches(tickets, text).order_by("-last_activity_at", "-pk")
    ids: list[int] = []
    if connection.vendor != "postgresql" or workflow.number_in_text(text.strip()) is not None:
        ids = list(ordered.values_list("pk", flat=True)[: limit + 1])
        return ids[:limit], len(ids) <= limit
    with transaction.atomic():
        _planner_for_windows()
        newer_than: datetime | None = None  # the start of the window covered before
        for rows in (*SEARCH_WINDOWS, None):
            start = _window_start(rows) if rows is not None else None
            step = ordered
            if newer_than is not None:
                step = step.filter(last_activity_at__lt=newer_than)
            if start is not None:
                step = step.filter(last_activity_at__gte=start)
            ids += step.values_list("pk", flat=True)[: limit + 1 - len(ids)]
            if len(ids) > limit:
                return ids[:limit], False
            if start is None:
                break
            newer_than = start
    return ids, True


def snippet_for(document: str, text: str) -> str:
    """On SQLite: the text around the first match, for showing why a ticket matched."""
    return snippet(document, text)


CLIENT_SEARCH_WORDS = 10  # more words than this in one client search: the first ten count


def _client_word(tickets: QuerySet[Ticket], word: str, n: int) -> QuerySet[Ticket]:
    """Those of ``tickets`` whose subject, or a message their client sees, holds ``word``."""
    visible = Message.objects.filter(ticket=OuterRef("pk"), is_internal=False)
    if connection.vendor == "postgresql":
        query = SearchQuery(word, config=CONFIG, search_type="plain")
        found = visible.alias(found=SearchVector("body", config=CONFIG)).filter(found=query)
        return tickets.alias(**{f"subject_{n}": SearchVector("subject", config=CONFIG)}).filter(
            Q(**{f"subject_{n}": query}) | Q(Exists(found))
        )
    folded = fold(word)
    body = visible.alias(folded_body=Folded("body")).filter(folded_body__contains=folded)
    return tickets.alias(**{f"subject_{n}": Folded("subject")}).filter(
        Q(**{f"subject_{n}__contains": folded}) | Q(Exists(body))
    )


def ticket_search_for_client(tickets: QuerySet[Ticket], text: str) -> QuerySet[Ticket]:
    """Tickets (of a client's account) matching ``text``: its number, or every word in the
    subject or in a message the client sees. Never ``search_document``, which holds internal
    notes: a client's search must not tell which tickets a note mentions a word in."""
    number = workflow.number_in_text(text.strip())
    if number is not None:
        return tickets.filter(number=number)
    words = query_words(text)[:CLIENT_SEARCH_WORDS]
    if not words:
        return tickets.none()
    for n, word in enumerate(words):
        tickets = _client_word(tickets, word, n)
    return tickets
