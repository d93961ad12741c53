"""Article search over title and text in the reader's language, accents ignored, ranked.

Each article is searched in the language its reader gets (their own when it is written in
it, else the other one), with that language's configuration: PostgreSQL full text with
stemming and unaccent (core.search), on one GIN index per language; SQLite, every word must
appear in the folded title or text, a title match ranking first. Each result carries
``snippet``: the matching part, between core.search's markers.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    F,
    FloatField,
    IntegerField,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Concat

from chamado.core.search import (
    LANGUAGE_CONFIGS,
    MARK_END,
    MARK_START,
    Folded,
    query_words,
    snippet,
)
from chamado.kb.languages import LANGUAGES, field_name, other_language, reader_language
from chamado.kb.models import Article


def _vector(language: str) -> CombinedExpression:
    """Title (weight A) and text (weight B), with the language's configuration."""
    config = LANGUAGE_CONFIGS[language]
    title = SearchVector(field_name("title", language), weight="A", config=config)
    return title + SearchVector(field_name("text", language), weight="B", config=config)


def index_name(language: str) -> str:
    return f"kb_article_search_{language.replace('-', '_')}"


def search_indexes() -> list[GinIndex]:
    """The indexes the query below uses (kb migration 0002 makes them on PostgreSQL)."""
    return [GinIndex(_vector(language), name=index_name(language)) for language in LANGUAGES]


def _written_in(language: str) -> Q:
    return ~Q(**{field_name("title", language): ""})


def article_search(articles: QuerySet[Article], text: str, language: str) -> QuerySet[Article]:
    """``articles`` matching ``text``, best first, each with ``snippet`` and ``rank``."""
    wanted = reader_language(language)
    other = other_language(wanted)
    if not query_words(text):
        return articles.none()
    if connection.vendor == "postgresql":
        return _postgresql(articles, text, wanted, other)
    return _sqlite(articles, text, wanted, other)


def _headline(language: str, query: SearchQuery) -> SearchHeadline:
    return SearchHeadline(
        field_name("text", language),
        query,
        config=LANGUAGE_CONFIGS[language],
        start_sel=MARK_START,
        stop_sel=MARK_END,
        max_words=30,
        min_words=12,
        max_fragments=2,
        fragment_delimiter=" … ",
    )


def _postgresql(
    articles: QuerySet[Article], text: str, wanted: str, other: str
) -> QuerySet[Article]:
    queries = {
        language: SearchQuery(text, config=LANGUAGE_CONFIGS[language], search_type="websearch")
        for language in (wanted, other)
    }
    in_wanted = _written_in(wanted)
    return (
        articles.alias(wanted_vector=_vector(wanted), other_vector=_vector(other))
        .filter(
            (in_wanted & Q(wanted_vector=queries[wanted]))
            | (~in_wanted & Q(other_vector=queries[other]))
        )
        .annotate(
            rank=Case(
                When(in_wanted, then=SearchRank(F("wanted_vector"), queries[wanted])),
                default=SearchRank(F("other_vector"), queries[other]),
                output_field=FloatField(),
            ),
            snippet=Case(
                When(in_wanted, then=_headline(wanted, queries[wanted])),
                default=_headline(other, queries[other]),
                output_field=TextField(),
            ),
        )
        .order_by("-rank", "position", "pk")
    )


def _sqlite(articles: QuerySet[Article], text: str, wanted: str, other: str) -> QuerySet[Article]:
    in_wanted = _written_in(wanted)

    def shown(name: str) -> Case:
        return Case(
            When(in_wanted, then=F(field_name(name, wanted))),
            default=F(field_name(name, other)),
            output_field=TextField(),
        )

    found = articles.alias(
        folded_title=Folded(shown("title")),
        folded_all=Folded(Concat(shown("title"), Value(" "), shown("text"))),
    )
    words = query_words(text)
    for word in words:
        found = found.filter(folded_all__contains=word)
    title_hits = sum(
        (
            Case(When(folded_title__contains=word, then=Value(1)), default=Value(0))
            for word in words
        ),
        start=Value(0, output_field=IntegerField()),
    )
    return found.annotate(rank=title_hits, snippet=Value("", output_field=CharField())).order_by(
        "-rank", "position", "pk"
    )


def snippet_of(article: Article, text: str, language: str) -> str:
    """The matching part of the text the reader gets (PostgreSQL's headline when there)."""
    found = getattr(article, "snippet", "") or ""
    if MARK_START in found:
        return found
    return snippet(article.text_shown(language), text)
