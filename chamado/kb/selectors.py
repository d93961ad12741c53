"""Reads of the knowledge base, shaped for the pages that show them (query counts pinned)."""

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from chamado.kb import rules
from chamado.kb.access import articles_visible_to
from chamado.kb.models import Article, ArticleVote, Category, SearchMiss, SuggestionVisit
from chamado.kb.search import article_search
from chamado.kb.visitors import Visitor

# What lists of articles need; the Markdown and the other columns stay in the database.
LIST_FIELDS = (
    "id",
    "slug",
    "category_id",
    "status",
    "visibility",
    "position",
    "title",
    "title_pt_br",
    "view_count",
    "updated_at",
)


def category_list_for_reader(user: Any, *, articles_each: int = 5) -> QuerySet[Category]:
    """Categories with an article this reader may see, each with ``article_count`` and its
    first ``top_articles``."""
    visible = articles_visible_to(user)
    first = visible.only(*LIST_FIELDS).order_by("position", "pk")[:articles_each]
    return (
        Category.objects.annotate(
            article_count=Count("articles", filter=Q(articles__in=visible.values("pk")))
        )
        .filter(article_count__gt=0)
        .prefetch_related(Prefetch("articles", queryset=first, to_attr="top_articles"))
        .order_by("position", "name")
    )


def article_list_for_category(user: Any, category: Category) -> QuerySet[Article]:
    return (
        articles_visible_to(user)
        .filter(category=category)
        .only(*LIST_FIELDS, "text", "text_pt_br")
        .order_by("position", "pk")
    )


def article_list_popular(user: Any, *, limit: int = 5) -> QuerySet[Article]:
    return (
        articles_visible_to(user)
        .select_related("category")
        .only(*LIST_FIELDS, "category__slug")
        .order_by("-view_count", "position", "pk")[:limit]
    )


def article_list_related(user: Any, article: Article) -> QuerySet[Article]:
    return (
        articles_visible_to(user)
        .filter(related=article)
        .exclude(pk=article.pk)
        .select_related("category")
        .only(*LIST_FIELDS, "category__slug")
        .order_by("category__position", "position", "pk")
    )


def article_vote_of(article: Article, visitor: Visitor | None) -> ArticleVote | None:
    if visitor is None:
        return None
    return ArticleVote.objects.filter(article=article, visitor=visitor.key).first()


def article_search_for_reader(user: Any, text: str, language: str) -> QuerySet[Article]:
    return article_search(
        articles_visible_to(user)
        .select_related("category")
        .defer("body", "body_pt_br", "sections", "sections_pt_br", "toc", "toc_pt_br"),
        text,
        language,
    )


def article_suggestions(user: Any, text: str, language: str) -> list[Article]:
    """Up to SUGGESTIONS_MAX articles for a ticket's subject (nothing for a word or two of
    letters: the client has not said anything yet)."""
    if len(text.strip()) < rules.SUGGESTION_MIN_CHARS:
        return []
    return list(article_search_for_reader(user, text, language)[: rules.SUGGESTIONS_MAX])


# ---- The writers' report -------------------------------------------------------------


def article_list_with_feedback() -> QuerySet[Article]:
    """Every article, with ``yes`` and ``no`` votes, most read first."""
    return (
        Article.objects.select_related("category")
        .only(*LIST_FIELDS, "category__slug", "category__name", "category__name_pt_br")
        .annotate(
            yes=Count("votes", filter=Q(votes__helpful=True)),
            no=Count("votes", filter=Q(votes__helpful=False)),
        )
        .order_by("-view_count", "category__position", "position", "pk")
    )


def vote_comment_list(*, limit: int = 50) -> QuerySet[ArticleVote]:
    """The latest "No" answers that say what was missing."""
    return (
        ArticleVote.objects.filter(helpful=False)
        .exclude(comment="")
        .select_related("article__category")
        .only(
            "comment",
            "updated_at",
            "article__slug",
            "article__title",
            "article__title_pt_br",
            "article__category__slug",
        )
        .order_by("-updated_at", "-pk")[:limit]
    )


def search_miss_list(*, limit: int = 50) -> QuerySet[SearchMiss]:
    return SearchMiss.objects.order_by("-count", "-last_searched_at", "pk")[:limit]


def suggestion_visits_ended(*, now: Any) -> QuerySet[SuggestionVisit]:
    """Suggestion visits whose visit is over (rules.VISIT_LENGTH ago or more): the ones a
    deflection can be decided for. Whether a ticket followed is read where tickets are."""
    return SuggestionVisit.objects.filter(opened_at__lte=now - rules.VISIT_LENGTH)
