"""Pinned query counts of the knowledge-base pages: the same for 3 articles as for 9.

A changed number here is a decision, not noise: update it only when a page truly needs one
more query, and never let it grow with the data.
"""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from chamado.kb.models import Article, Category
from tests.kb import builders

pytestmark = pytest.mark.django_db

SIZES = [3, 9]  # N and 3N
BROWSER = {"HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36"}

# (the session comes from the cache) user, the article with its category, today's view by
# this reader (counted already), the reader's vote, the related articles with their categories
ARTICLE_QUERIES = 5
# the article, today's view, the vote, the related articles (no user to load)
ARTICLE_ANONYMOUS_QUERIES = 4
# user, the category (with a readable article), its articles
CATEGORY_QUERIES = 3
# user, categories with their counts, their first articles, the most read
INDEX_QUERIES = 4
# user, COUNT for the pager, the page of results with their categories
SEARCH_QUERIES = 3
# user, up to five suggestions
SUGGEST_QUERIES = 2


def library(count: int) -> tuple[Category, Article]:
    """``count`` categories of ``count`` articles; the first article relates to the others."""
    categories = [builders.category() for _ in range(count)]
    articles = [
        builders.article(
            category,
            title=f"Password help {n}",
            body=f"How to reset a password, part {n}.\n\n## Steps\n\nAsk for a link.",
            title_pt_br=f"Ajuda com senha {n}",
            body_pt_br="Como redefinir a senha.",
        )
        for category in categories
        for n in range(count)
    ]
    first = articles[0]
    first.related.add(*articles[1:])
    return categories[0], first


@pytest.fixture
def reader(client: Client, owner: Any) -> Client:
    client.force_login(owner)
    return client


def article_url(article: Article) -> str:
    return reverse("kb:article", args=[article.category.slug, article.slug])


@pytest.mark.parametrize("count", SIZES)
def test_article_page_query_count_does_not_grow_with_related_articles(
    reader: Client, django_assert_num_queries: Any, count: int
) -> None:
    _category, article = library(count)
    reader.get(article_url(article), **BROWSER)  # the first view of the day is counted
    with django_assert_num_queries(ARTICLE_QUERIES):
        response = reader.get(article_url(article), **BROWSER)
    html = response.content.decode()
    related = html[html.index('class="kb-related"') : html.index('class="kb-help"')]
    assert related.count('<li><a href="/kb/') == count * count - 1


@pytest.mark.parametrize("count", SIZES)
def test_anonymous_article_page_query_count(
    client: Client, django_assert_num_queries: Any, count: int
) -> None:
    _category, article = library(count)
    client.get(article_url(article), **BROWSER)  # starts the session, counts the view
    with django_assert_num_queries(ARTICLE_ANONYMOUS_QUERIES):
        response = client.get(article_url(article), **BROWSER)
    assert "Views: 1" in response.content.decode()


@pytest.mark.parametrize("count", SIZES)
def test_category_page_query_count_does_not_grow_with_articles(
    reader: Client, django_assert_num_queries: Any, count: int
) -> None:
    category, _article = library(count)
    with django_assert_num_queries(CATEGORY_QUERIES):
        response = reader.get(reverse("kb:category", args=[category.slug]))
    assert response.content.decode().count('class="snippet"') == count


@pytest.mark.parametrize("count", SIZES)
def test_index_query_count_does_not_grow_with_categories(
    reader: Client, django_assert_num_queries: Any, count: int
) -> None:
    library(count)
    with django_assert_num_queries(INDEX_QUERIES):
        response = reader.get(reverse("kb:index"))
    assert response.content.decode().count('<li class="card">') == count


@pytest.mark.parametrize("count", SIZES)
def test_search_page_query_count_does_not_grow_with_results(
    reader: Client, django_assert_num_queries: Any, count: int
) -> None:
    library(count)
    with django_assert_num_queries(SEARCH_QUERIES):
        response = reader.get(reverse("kb:search"), {"q": "password"})
    assert response.content.decode().count('class="snippet"') == min(count * count, 10)


@pytest.mark.parametrize("count", SIZES)
def test_suggestions_query_count(
    reader: Client, django_assert_num_queries: Any, count: int
) -> None:
    library(count)
    with django_assert_num_queries(SUGGEST_QUERIES):
        response = reader.get(reverse("kb:suggest"), {"q": "password"})
    assert response.content.decode().count("<li>") == min(count * count, 5)
