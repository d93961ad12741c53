"""Writes to the knowledge base (kb.actions): saving and publishing articles, views counted
once a visitor a day, changeable votes, suggestion visits, searches that found nothing."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from chamado.core.errors import ApplicationError
from chamado.core.models import AuditEvent
from chamado.kb import rules
from chamado.kb.actions import (
    article_render_all,
    article_save,
    article_status_set,
    article_view_record,
    article_views_prune,
    article_vote,
    search_miss_record,
    suggestion_visit_record,
)
from chamado.kb.models import Article, ArticleView, ArticleVote, SearchMiss, SuggestionVisit
from chamado.kb.visitors import visitor_for
from tests.kb import builders

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 25)


@pytest.fixture
def article(db: None) -> Article:
    return builders.article(title="Reset your password", body="Ask for a link.\n\n## Then\n\nGo.")


# ---- Saving ----------------------------------------------------------------------------


def test_saving_renders_both_languages_and_audits(admin: Any) -> None:
    article = Article(
        category=builders.category(),
        slug="both",
        title="Open a ticket",
        body="## Step\n\nLog in.",
        title_pt_br="Abrir um ticket",
        body_pt_br="## Passo\n\nEntre.",
    )
    article_save(actor=admin, article=article)
    article.refresh_from_db()
    assert article.toc[0]["id"] == "section-step"
    assert article.toc_pt_br[0]["title"] == "Passo"
    assert article.text_pt_br == "Passo\nEntre."
    assert AuditEvent.objects.filter(verb="kb_article_created", object_id=str(article.pk)).exists()


def test_titles_become_one_line_and_bodies_lose_control_characters(admin: Any) -> None:
    article = Article(
        category=builders.category(), slug="x", title="Two\nlines\u202e", body="Text\x00 here"
    )
    article_save(actor=admin, article=article)
    article.refresh_from_db()
    assert article.title == "Two lines"
    assert article.body == "Text here"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({}, "title"),
        ({"title": "Only a title"}, "body"),
        ({"body_pt_br": "Só texto"}, "title_pt_br"),
    ],
)
def test_an_article_without_a_whole_version_is_refused(admin: Any, fields: Any, field: str) -> None:
    article = Article(category=builders.category(), slug="refused", **fields)
    with pytest.raises(ApplicationError) as refused:
        article_save(actor=admin, article=article)
    assert refused.value.field == field
    assert not Article.objects.filter(slug="refused").exists()


def test_updated_moves_only_when_a_text_changes(admin: Any, article: Article) -> None:
    first = article.updated_at
    later = timezone.now() + timedelta(days=3)
    article.position = 9
    article_save(actor=admin, article=article, now=later)
    assert Article.objects.get(pk=article.pk).updated_at == first
    article.body = "A new text."
    article_save(actor=admin, article=article, now=later)
    assert Article.objects.get(pk=article.pk).updated_at == later


def test_publishing_sets_the_date_once_and_is_audited(admin: Any) -> None:
    draft = builders.article(status=Article.Status.DRAFT)
    assert draft.published_at is None
    assert article_status_set(actor=admin, articles=[draft], status="published") == 1
    published_at = Article.objects.get(pk=draft.pk).published_at
    assert published_at is not None
    assert article_status_set(actor=admin, articles=[draft], status="published") == 0
    article_status_set(actor=admin, articles=[draft], status="draft")
    article_status_set(actor=admin, articles=[draft], status="published")
    assert Article.objects.get(pk=draft.pk).published_at == published_at
    assert AuditEvent.objects.filter(verb="kb_article_status").count() == 3


def test_render_all_refreshes_stored_renders_without_touching_the_text(article: Article) -> None:
    Article.objects.filter(pk=article.pk).update(toc=[], text="stale", render_version=0)
    assert article_render_all() == 1
    article.refresh_from_db()
    assert article.text == "Ask for a link.\nThen\nGo." and article.toc and article.render_version


# ---- Views -----------------------------------------------------------------------------


def test_a_view_counts_once_a_visitor_a_day(article: Article, owner: Any) -> None:
    visitor = visitor_for(owner, None)
    assert article_view_record(article=article, visitor=visitor, today=TODAY)
    assert not article_view_record(article=article, visitor=visitor, today=TODAY)
    assert article_view_record(article=article, visitor=visitor, today=TODAY + timedelta(days=1))
    assert Article.objects.get(pk=article.pk).view_count == 2


def test_anonymous_visitors_are_told_apart_by_session(article: Article) -> None:
    one, two = visitor_for(None, "session-one"), visitor_for(None, "session-two")
    for visitor in (one, two, one, two):
        article_view_record(article=article, visitor=visitor, today=TODAY)
    assert Article.objects.get(pk=article.pk).view_count == 2
    assert all(
        v.startswith("session:") for v in ArticleView.objects.values_list("visitor", flat=True)
    )
    assert not ArticleView.objects.filter(visitor__contains="session-one").exists()  # hashed


def test_a_visitor_without_a_session_is_not_counted(article: Article) -> None:
    assert not article_view_record(article=article, visitor=visitor_for(None, None), today=TODAY)
    assert Article.objects.get(pk=article.pk).view_count == 0


def test_old_reader_rows_are_pruned_and_the_total_stays(article: Article, owner: Any) -> None:
    now = timezone.now()
    old_day = (now - rules.VIEW_ROWS_KEPT - timedelta(days=1)).date()
    article_view_record(article=article, visitor=visitor_for(owner, None), today=old_day)
    article_view_record(article=article, visitor=visitor_for(owner, None), today=now.date())
    assert article_views_prune(now=now) == 1
    assert list(ArticleView.objects.values_list("day", flat=True)) == [now.date()]
    assert Article.objects.get(pk=article.pk).view_count == 2


# ---- Votes -----------------------------------------------------------------------------


def test_a_vote_is_one_per_visitor_and_can_change(article: Article, owner: Any) -> None:
    visitor = visitor_for(owner, None)
    article_vote(article=article, visitor=visitor, helpful=True)
    article_vote(article=article, visitor=visitor, helpful=False, comment="Where is the link?")
    vote = ArticleVote.objects.get()
    assert (vote.helpful, vote.comment, vote.user) == (False, "Where is the link?", owner)
    article_vote(article=article, visitor=visitor, helpful=True, comment="ignored for a Yes")
    assert ArticleVote.objects.get().comment == ""


def test_a_no_without_comment_keeps_the_comment_given_before(article: Article, owner: Any) -> None:
    visitor = visitor_for(owner, None)
    article_vote(article=article, visitor=visitor, helpful=False, comment="Missing a screenshot")
    article_vote(article=article, visitor=visitor, helpful=False)
    assert ArticleVote.objects.get().comment == "Missing a screenshot"


def test_a_comment_is_one_line_and_short(article: Article) -> None:
    visitor = visitor_for(None, "s")
    article_vote(article=article, visitor=visitor, helpful=False, comment="one\ntwo\r\nthree")
    assert ArticleVote.objects.get().comment == "one two three"
    with pytest.raises(ApplicationError) as refused:
        article_vote(article=article, visitor=visitor, helpful=False, comment="x" * 201)
    assert refused.value.field == "comment"


def test_a_vote_without_a_visitor_is_refused_with_a_reason(article: Article) -> None:
    with pytest.raises(ApplicationError, match="cookie"):
        article_vote(article=article, visitor=None, helpful=True)


# ---- Suggestions and searches ----------------------------------------------------------


def test_a_suggestion_visit_is_recorded_once_in_a_visit(article: Article, owner: Any) -> None:
    now = timezone.now()
    assert suggestion_visit_record(article=article, user=owner, now=now)
    assert not suggestion_visit_record(article=article, user=owner, now=now + timedelta(minutes=5))
    later = now + rules.VISIT_LENGTH + timedelta(minutes=1)
    assert suggestion_visit_record(article=article, user=owner, now=later)
    assert SuggestionVisit.objects.count() == 2


def test_only_someone_who_may_open_tickets_makes_a_suggestion_visit(
    article: Article, agent: Any, contact_without_tickets: Any
) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert not suggestion_visit_record(article=article, user=AnonymousUser())
    assert not suggestion_visit_record(article=article, user=agent)
    assert not suggestion_visit_record(article=article, user=contact_without_tickets)
    assert not SuggestionVisit.objects.exists()


def test_searches_that_found_nothing_are_grouped_and_counted(db: None) -> None:
    search_miss_record(text="Transferir domínio", language="pt-br")
    search_miss_record(text="transferir   dominio", language="pt-br")
    search_miss_record(text="transferir dominio", language="en")
    search_miss_record(text="   ", language="en")
    rows = sorted(SearchMiss.objects.values_list("language", "count", "text"))
    assert rows == [("en", 1, "transferir dominio"), ("pt-br", 2, "transferir dominio")]
