"""Ticket search: PostgreSQL full text (GIN-indexed), or plain matching on SQLite."""

import re

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchVector
from django.db import connection
from django.db.models import F, QuerySet

from chamado.tickets.models import Ticket

CONFIG = "simple"  # language-neutral: tickets arrive in English and Portuguese alike
SNIPPET_CHARS = 80
# Plain-text markers around matches; the template escapes the text, then turns them into
# <mark>, so nothing a client wrote is ever rendered as HTML.
MARK_START, MARK_END = "\x02", "\x03"


def _vector() -> SearchVector:
    return SearchVector("search_document", config=CONFIG)


def search_index() -> GinIndex:
    """The index the query below uses; created by migration 0004 on PostgreSQL only."""
    return GinIndex(_vector(), name="ticket_search_gin")


def ticket_search(tickets: QuerySet[Ticket], text: str) -> QuerySet[Ticket]:
    """Tickets matching every word of ``text`` (or its number), annotated with ``snippet``."""
    text = text.strip()
    digits = text.lstrip("#")
    if digits.isdigit() and len(digits) == 6:
        # A merged ticket's old number still finds it (its page leads to the merged one).
        return tickets.filter(number=int(digits)).annotate(snippet=F("subject"))
    if connection.vendor == "postgresql":
        query = SearchQuery(text, config=CONFIG, search_type="websearch")
        return (
            tickets.annotate(search=_vector())
            .filter(search=query)
            .annotate(
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
        )
    for word in text.split():
        tickets = tickets.filter(search_document__icontains=word)
    return tickets.annotate(snippet=F("search_document"))


def snippet_for(document: str, text: str) -> str:
    """On SQLite: the text around the first match, for showing why a ticket matched."""
    words = [w for w in text.split() if w]
    if not words:
        return document[: SNIPPET_CHARS * 2]
    match = re.search("|".join(re.escape(w) for w in words), document, flags=re.IGNORECASE)
    if match is None:
        return document[: SNIPPET_CHARS * 2]
    start = max(match.start() - SNIPPET_CHARS, 0)
    end = match.end() + SNIPPET_CHARS
    marked = (
        document[start : match.start()]
        + MARK_START
        + match.group(0)
        + MARK_END
        + document[match.end() : end]
    )
    return ("…" if start else "") + marked + ("…" if end < len(document) else "")
