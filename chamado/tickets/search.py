"""Ticket search, accents and case ignored: PostgreSQL full text (GIN-indexed), or folded
matching on SQLite (core.search)."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchVector
from django.db import connection
from django.db.models import F, QuerySet

from chamado.core.search import MARK_END, MARK_START, SIMPLE_CONFIG, Folded, fold, snippet
from chamado.tickets import workflow
from chamado.tickets.models import Ticket

__all__ = ["MARK_END", "MARK_START", "search_index", "snippet_for", "ticket_search"]

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
