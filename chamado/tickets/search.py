"""Ticket search, accents and case ignored: PostgreSQL full text (GIN-indexed), or folded
matching on SQLite (core.search)."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchVector
from django.db import connection
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
    "ticket_search",
    "ticket_search_for_client",
]

CONFIG = SIMPLE_CONFIG  # language-neutral (tickets arrive in English and Portuguese alike)
INDEX_NAME = "ticket_search_unaccent_gin"


def _vector() -> SearchVector:
    return SearchVector("search_document", config=CONFIG)


def search_index() -> GinIndex:
    """The index the query below uses; created by migration 0010 on PostgreSQL only."""
    return GinIndex(_vector(), name=INDEX_NAME)


def ticket_search(tickets: QuerySet[Ticket], text: str) -> QuerySet[Ticket]:
    """Tickets matching every word of ``text`` (or its number), annotated with ``snippet``."""
    text = text.strip()
    number = workflow.number_in_text(text)
    if number is not None:
        # A merged ticket's old number still finds it (its page leads to the merged one).
        return tickets.filter(number=number).annotate(snippet=F("subject"))
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
    folded = tickets.alias(folded_document=Folded("search_document"))
    for word in text.split():
        folded = folded.filter(folded_document__contains=fold(word))
    return folded.annotate(snippet=F("search_document"))


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
