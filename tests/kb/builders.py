"""Knowledge-base test data, made through kb's actions (rendered as the admin would)."""

from typing import Any

from chamado.kb.actions import article_create
from chamado.kb.models import Article, Category

_counter = {"n": 0}


def category(slug: str = "", **fields: Any) -> Category:
    _counter["n"] += 1
    slug = slug or f"category-{_counter['n']}"
    defaults = {"name": slug.replace("-", " ").title(), "name_pt_br": f"Categoria {slug}"}
    return Category.objects.create(slug=slug, **{**defaults, **fields})


def article(
    category_: Category | None = None,
    *,
    slug: str = "",
    title: str = "",
    body: str = "",
    title_pt_br: str = "",
    body_pt_br: str = "",
    **fields: Any,
) -> Article:
    """A published public article (English unless only Portuguese is given)."""
    _counter["n"] += 1
    slug = slug or f"article-{_counter['n']}"
    if not (title or title_pt_br):
        title = f"Article {_counter['n']}"
    if title and not body:
        body = f"Body of article {_counter['n']}."
    return article_create(
        actor=None,
        category=category_ or category(),
        slug=slug,
        title=title,
        body=body,
        title_pt_br=title_pt_br,
        body_pt_br=body_pt_br,
        **fields,
    )
