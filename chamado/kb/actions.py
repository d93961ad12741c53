"""Every write to the knowledge base: articles (saved, rendered, published), reader views,
votes, suggestions opened from the ticket form, and searches that found nothing."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from chamado.core.audit import audit_record
from chamado.core.errors import ApplicationError
from chamado.core.text import body_clean, single_line
from chamado.kb import render, rules
from chamado.kb.languages import LANGUAGES, field_name
from chamado.kb.models import (
    Article,
    ArticleView,
    ArticleVote,
    Category,
    SearchMiss,
    SuggestionVisit,
)
from chamado.kb.visitors import Visitor

CONTENT_FIELDS = ("title", "body", "title_pt_br", "body_pt_br")


@dataclass(frozen=True)
class Outcome:
    """What an action did; ``notice`` is what to tell the person who acted."""

    article: Article
    notice: str = ""
    changed: bool = True


def _render_into(article: Article) -> list[str]:
    """Render both languages from their Markdown; returns the fields it set."""
    fields = []
    for language in LANGUAGES:
        rendered = render.render(getattr(article, field_name("body", language)))
        for name, value in (
            ("sections", rendered.sections),
            ("toc", rendered.toc),
            ("text", rendered.text),
        ):
            setattr(article, field_name(name, language), value)
            fields.append(field_name(name, language))
    article.render_version = render.RENDER_VERSION
    return [*fields, "render_version"]


def article_check(article: Article) -> None:
    """Raise ApplicationError (``messages``: one per problem) unless the article may be saved."""
    problems = rules.languages_check(
        title=article.title,
        body=article.body,
        title_pt_br=article.title_pt_br,
        body_pt_br=article.body_pt_br,
    )
    if problems:
        raise ApplicationError(
            problems[0][1], field=problems[0][0], messages=[message for _f, message in problems]
        )


def article_save(*, actor: Any, article: Article, now: datetime | None = None) -> Outcome:
    """Create or change an article (the admin builds it from its form): one-line titles,
    clean text, rendered HTML, "updated" moved only when a text changed, audited."""
    now = now or timezone.now()
    for language in LANGUAGES:
        title = field_name("title", language)
        body = field_name("body", language)
        setattr(article, title, single_line(getattr(article, title))[:160])
        setattr(article, body, body_clean(getattr(article, body)))
    article_check(article)
    before = (
        Article.objects.filter(pk=article.pk).values(*CONTENT_FIELDS, "status").first()
        if article.pk
        else None
    )
    content_changed = before is None or any(
        before[name] != getattr(article, name) for name in CONTENT_FIELDS
    )
    if content_changed:
        article.updated_at = now
    if article.is_published and article.published_at is None:
        article.published_at = now
    _render_into(article)
    with transaction.atomic():
        article.save()
        audit_record(
            actor=actor,
            verb="kb_article_saved" if before else "kb_article_created",
            target=article,
            before={"status": before["status"]} if before else {},
            after={"status": article.status, "slug": article.slug},
        )
    return Outcome(article=article, changed=content_changed or before is None)


def article_create(
    *,
    actor: Any,
    category: Category,
    slug: str,
    title: str = "",
    body: str = "",
    title_pt_br: str = "",
    body_pt_br: str = "",
    status: str = Article.Status.PUBLISHED,
    visibility: str = Article.Visibility.PUBLIC,
    position: int = 0,
    related: Iterable[Article] = (),
) -> Article:
    """A new article from its parts (the demo data and tests; the admin uses article_save)."""
    article = Article(
        category=category,
        slug=slug,
        title=title,
        body=body,
        title_pt_br=title_pt_br,
        body_pt_br=body_pt_br,
        status=status,
        visibility=visibility,
        position=position,
    )
    with transaction.atomic():
        article_save(actor=actor, article=article)
        if related:
            article.related.set(related)
    return article


def article_status_set(*, actor: Any, articles: Iterable[Article], status: str) -> int:
    """Publish or unpublish; returns how many articles changed."""
    now = timezone.now()
    changed = 0
    with transaction.atomic():
        for article in articles:
            if article.status == status:
                continue
            before = article.status
            article.status = status
            fields = ["status"]
            if article.is_published and article.published_at is None:
                article.published_at = now
                fields.append("published_at")
            article.save(update_fields=fields)
            audit_record(
                actor=actor,
                verb="kb_article_status",
                target=article,
                before={"status": before},
                after={"status": status},
            )
            changed += 1
    return changed


def article_render_all(*, progress: Callable[[int], object] = lambda n: None) -> int:
    """Render every article again (after an upgrade changed the rendering): `chamado
    kb_render`. The text an author wrote and the "updated" date are left as they are."""
    count = 0
    for article in Article.objects.order_by("pk").iterator(chunk_size=100):
        fields = _render_into(article)
        article.save(update_fields=fields)
        count += 1
        progress(1)
    return count


# ---- Readers ---------------------------------------------------------------------------


def article_view_record(*, article: Article, visitor: Visitor | None, today: date) -> bool:
    """Count this visitor's view once a day; True when it counted."""
    if visitor is None:
        return False
    seen = ArticleView.objects.filter(article=article, day=today, visitor=visitor.key)
    if seen.exists():
        return False
    try:
        with transaction.atomic():
            ArticleView.objects.create(article=article, day=today, visitor=visitor.key)
            Article.objects.filter(pk=article.pk).update(view_count=F("view_count") + 1)
    except IntegrityError:  # the same visitor's other tab counted it a moment ago
        return False
    article.view_count += 1
    return True


def article_vote(
    *, article: Article, visitor: Visitor | None, helpful: bool, comment: str = ""
) -> ArticleVote:
    """Record or change a visitor's answer. A "No" may carry a one-line comment; a "Yes"
    drops any comment."""
    if visitor is None:
        raise ApplicationError(
            _("Your browser did not keep our cookie, so your answer could not be counted."),
            field="helpful",
        )
    comment = single_line(comment) if not helpful else ""
    if len(comment) > rules.COMMENT_MAX_LENGTH:
        raise ApplicationError(
            _("Keep the comment to %(limit)d characters or fewer.")
            % {"limit": rules.COMMENT_MAX_LENGTH},
            field="comment",
        )
    now = timezone.now()
    with transaction.atomic():
        vote = (
            ArticleVote.objects.select_for_update()
            .filter(article=article, visitor=visitor.key)
            .first()
        )
        if vote is None:
            try:
                with transaction.atomic():
                    return ArticleVote.objects.create(
                        article=article,
                        visitor=visitor.key,
                        user=visitor.user,
                        helpful=helpful,
                        comment=comment,
                        created_at=now,
                        updated_at=now,
                    )
            except IntegrityError:  # a second click a moment earlier: change that vote
                vote = ArticleVote.objects.get(article=article, visitor=visitor.key)
        keep_comment = not helpful and not comment and vote.helpful is False
        vote.comment = vote.comment if keep_comment else comment
        vote.helpful = helpful
        vote.updated_at = now
        vote.save(update_fields=["helpful", "comment", "updated_at"])
    return vote


def suggestion_visit_record(*, article: Article, user: Any, now: datetime | None = None) -> bool:
    """A client who may open tickets opened ``article`` from the ticket form's suggestions.
    Once per article in a visit, so reloading the page changes nothing."""
    if not getattr(user, "is_authenticated", False) or not user.may_use_tickets:
        return False  # nobody else could have opened the ticket it may have spared
    now = now or timezone.now()
    recent = SuggestionVisit.objects.filter(
        article=article, user=user, opened_at__gt=now - rules.VISIT_LENGTH
    )
    if recent.exists():
        return False
    SuggestionVisit.objects.create(article=article, user=user, opened_at=now)
    return True


def search_miss_record(*, text: str, language: str, now: datetime | None = None) -> None:
    """A search that found nothing, grouped with the same words however they were typed."""
    key = rules.search_key(text)
    if not key:
        return
    now = now or timezone.now()
    typed = single_line(text)[: rules.SEARCH_MAX_LENGTH]
    misses = SearchMiss.objects.filter(key=key, language=language)
    if misses.update(count=F("count") + 1, text=typed, last_searched_at=now):
        return
    try:
        with transaction.atomic():
            SearchMiss.objects.create(key=key, language=language, text=typed, last_searched_at=now)
    except IntegrityError:  # the same words a moment ago, from someone else
        misses.update(count=F("count") + 1, last_searched_at=now)


def article_views_prune(*, now: datetime | None = None) -> int:
    """Forget which visitor read what after VIEW_ROWS_KEPT (the totals stay on the articles)."""
    now = now or timezone.now()
    deleted, _detail = ArticleView.objects.filter(
        day__lt=(now - rules.VIEW_ROWS_KEPT).date()
    ).delete()
    return deleted
