"""The only ways to reach an article, a category or an image. Missing, draft and clients-only
(for someone who may not read it) all look the same: NotFound, so nothing hints they exist."""

import uuid
from typing import Any

from django.db.models import QuerySet

from chamado.core.errors import NotFound
from chamado.kb.models import Article, ArticleImage, Category


def _active_user(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def may_read_clients_only(user: Any) -> bool:
    """Logged-in client contacts (any permission), and the company's agents and staff."""
    return _active_user(user) and bool(user.is_client or user.is_agent or user.is_staff)


def may_read_drafts(user: Any) -> bool:
    """Writers: staff allowed to change articles in the admin (they preview drafts)."""
    return _active_user(user) and user.is_staff and user.has_perm("kb.change_article")


def articles_visible_to(user: Any) -> QuerySet[Article]:
    articles = Article.objects.all()
    if not may_read_drafts(user):
        articles = articles.filter(status=Article.Status.PUBLISHED)
    if not may_read_clients_only(user):
        articles = articles.filter(visibility=Article.Visibility.PUBLIC)
    return articles


def access_article(user: Any, slug: str) -> Article:
    article = articles_visible_to(user).select_related("category").filter(slug=slug).first()
    if article is None:
        raise NotFound
    return article


def access_category(user: Any, slug: str) -> Category:
    """A category with at least one article this reader may see."""
    category = Category.objects.filter(slug=slug, articles__in=articles_visible_to(user)).first()
    if category is None:
        raise NotFound
    return category


def access_image(user: Any, image_id: uuid.UUID | str) -> ArticleImage:
    try:
        pk = uuid.UUID(str(image_id))
    except ValueError:
        raise NotFound from None
    image = (
        ArticleImage.objects.select_related("article")
        .filter(pk=pk, article__in=articles_visible_to(user))
        .first()
    )
    if image is None:
        raise NotFound
    return image
