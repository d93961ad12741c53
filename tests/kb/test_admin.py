"""Writing the knowledge base in the admin: saving goes through kb's actions, the live preview
renders like the site, publishing, positions, images checked by content."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from chamado.core.models import AuditEvent
from chamado.kb.models import Article, ArticleImage, Category
from tests import factories
from tests.kb import builders

pytestmark = pytest.mark.django_db

ADD = reverse("admin:kb_article_add")
PREVIEW = reverse("admin:kb_article_preview")


@pytest.fixture
def writer(client: Client, admin: Any) -> Client:
    client.force_login(admin)
    return client


def form(category: Category, **fields: Any) -> dict[str, Any]:
    data = {
        "category": category.pk,
        "slug": "how-to-open-a-ticket",
        "position": 1,
        "status": "published",
        "visibility": "public",
        "title": "How to open a ticket",
        "body": "Intro.\n\n## First\n\nLog in.",
        "title_pt_br": "",
        "body_pt_br": "",
        "images-TOTAL_FORMS": 0,
        "images-INITIAL_FORMS": 0,
        "images-MIN_NUM_FORMS": 0,
        "images-MAX_NUM_FORMS": 1000,
    }
    return {**data, **fields}


def test_an_article_saved_in_the_admin_is_rendered_and_audited(writer: Client) -> None:
    response = writer.post(ADD, form(builders.category()))
    assert response.status_code == 302, response.content.decode()[:3000]
    article = Article.objects.get()
    assert article.toc == [{"id": "section-first", "title": "First", "children": []}]
    assert article.published_at is not None
    assert AuditEvent.objects.filter(verb="kb_article_created").count() == 1


def test_the_admin_refuses_an_article_without_a_whole_version(writer: Client) -> None:
    response = writer.post(
        ADD,
        form(builders.category(), title="", body="", title_pt_br="Só título"),
        HTTP_ACCEPT_LANGUAGE="pt-BR",
    )
    assert response.status_code == 200
    assert (
        "Escreva o texto em Português, ou remova o título em Português."
        in response.content.decode()
    )
    assert not Article.objects.exists()


def test_the_change_page_has_the_live_preview_wired(writer: Client) -> None:
    article = builders.article(body="## Saved heading\n\nText.")
    html = writer.get(reverse("admin:kb_article_change", args=[article.pk])).content.decode()
    assert 'data-kb-preview="en"' in html and 'data-kb-preview="pt-br"' in html
    assert f'data-kb-preview-target="en" data-url="{PREVIEW}"' in html
    assert 'id="section-saved-heading"' in html  # the saved text, before any typing
    assert "/static/kb/admin-preview.js" in html


def test_the_preview_renders_markdown_like_the_site(writer: Client) -> None:
    response = writer.post(
        PREVIEW,
        {"body": "## Steps\n\n<script>alert(1)</script>[x](javascript:alert(1))", "language": "en"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert '<h2 id="section-steps">Steps</h2>' in html
    assert "<script>" not in html and "javascript:" not in html
    assert "Back to top" in html and "no-store" in response["Cache-Control"]


def test_the_preview_is_for_writers_only(client: Client, agent: Any) -> None:
    assert client.post(PREVIEW, {"body": "x"}).status_code == 302  # to the admin login
    client.force_login(agent)
    assert client.post(PREVIEW, {"body": "x"}).status_code == 302
    client.force_login(factories.AgentFactory(is_staff=True, is_superuser=True))
    assert client.get(PREVIEW).status_code == 405


def test_publish_and_unpublish_actions(writer: Client) -> None:
    drafts = [builders.article(status=Article.Status.DRAFT) for _ in range(2)]
    changelist = reverse("admin:kb_article_changelist")
    response = writer.post(
        changelist, {"action": "publish", "_selected_action": [a.pk for a in drafts]}, follow=True
    )
    assert "2 articles published." in response.content.decode()
    assert set(Article.objects.values_list("status", flat=True)) == {"published"}
    writer.post(changelist, {"action": "unpublish", "_selected_action": [drafts[0].pk]})
    assert Article.objects.get(pk=drafts[0].pk).status == "draft"


def test_positions_are_edited_in_the_list(writer: Client) -> None:
    builders.article()
    html = writer.get(reverse("admin:kb_article_changelist")).content.decode()
    assert 'name="form-0-position"' in html


def image_form(article_fields: dict[str, Any], upload: Any) -> dict[str, Any]:
    return {
        **article_fields,
        "images-TOTAL_FORMS": 1,
        "images-0-file": upload,
        "images-0-description": "The ticket form",
    }


def test_an_uploaded_image_is_stored_and_its_markdown_offered(writer: Client) -> None:
    upload = factories.upload("form.png", factories.png_bytes(), "image/png")
    response = writer.post(ADD, image_form(form(builders.category()), upload))
    assert response.status_code == 302, response.content.decode()[:2000]
    image = ArticleImage.objects.get()
    assert image.content_type == "image/png"
    assert image.file.name.startswith("kb/") and "form" not in image.file.name
    change = writer.get(reverse("admin:kb_article_change", args=[image.article_id])).content
    assert f"![The ticket form](/kb/images/{image.pk}/".encode() in change


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("shot.png", b"GIF89a<script>alert(1)</script>"),
        ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("cut.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"),
    ],
)
def test_a_file_that_is_not_a_whole_image_is_refused(
    writer: Client, name: str, content: bytes
) -> None:
    upload = factories.upload(name, content, "image/png")
    response = writer.post(ADD, image_form(form(builders.category()), upload))
    assert response.status_code == 200
    assert f"“{name}” is not an image we accept" in response.content.decode()
    assert not Article.objects.exists() and not ArticleImage.objects.exists()


def test_a_category_slug_may_not_hide_a_page_of_the_knowledge_base(writer: Client) -> None:
    response = writer.post(
        reverse("admin:kb_category_add"),
        {"slug": "search", "name": "Search", "name_pt_br": "", "position": 0},
    )
    assert "is a page of the knowledge base" in response.content.decode()
    assert not Category.objects.exists()
