"""`chamado kb_render`, the pruning task, and images that leave no file behind."""

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from chamado.kb import rules
from chamado.kb.actions import article_view_record
from chamado.kb.models import Article, ArticleImage, ArticleView
from chamado.kb.tasks import kb_views_prune
from chamado.kb.visitors import visitor_for
from tests import factories
from tests.kb import builders

pytestmark = pytest.mark.django_db


def test_kb_render_renders_every_article_again_with_a_progress_bar(capsys: Any) -> None:
    articles = [builders.article(body=f"## Part {n}\n\nText.") for n in range(3)]
    Article.objects.update(toc=[], render_version=0)
    out = io.StringIO()
    call_command("kb_render", stdout=out)
    assert "3 articles rendered." in out.getvalue()
    assert "Articles: 100%" in capsys.readouterr().err  # tqdm's bar, as `chamado demo` shows
    for article in articles:
        article.refresh_from_db()
        assert article.toc and article.render_version > 0


def test_the_daily_task_forgets_old_reader_rows(owner: object) -> None:
    article = builders.article()
    old = (timezone.now() - rules.VIEW_ROWS_KEPT - timedelta(days=2)).date()
    article_view_record(article=article, visitor=visitor_for(owner, None), today=old)
    assert kb_views_prune.call() == 1
    assert not ArticleView.objects.exists()


def test_a_deleted_image_leaves_no_file(django_capture_on_commit_callbacks: object) -> None:
    article = builders.article()
    image = ArticleImage.objects.create(
        article=article,
        file=factories.upload("a.png", factories.png_bytes(), "image/png"),
        description="A",
        content_type="image/png",
    )
    name = image.file.name
    assert default_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        article.delete()
    assert not default_storage.exists(name)
