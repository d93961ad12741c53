"""Who may read what in the knowledge base. A table: reader by article kind by address. Anyone
who may not read a clients-only article or a draft gets 404, exactly as for an article that
does not exist, and no list, search or suggestion mentions it."""

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from chamado.kb.models import Article, ArticleImage
from tests import factories
from tests.kb import builders

pytestmark = pytest.mark.django_db

SECRET = "Zanzibar"  # a word only the hidden articles contain


@pytest.fixture
def kinds(db: None) -> dict[str, Article]:
    category = builders.category("hidden-things")
    public = builders.category("public-things")
    made = {
        "public": builders.article(public, slug="open-to-all", title="Open to all"),
        "clients": builders.article(
            category,
            slug="clients-only",
            title=f"{SECRET} for clients",
            body=f"{SECRET} details.",
            visibility=Article.Visibility.CLIENTS,
        ),
        "draft": builders.article(
            category,
            slug="still-a-draft",
            title=f"{SECRET} draft",
            body=f"{SECRET} unfinished.",
            status=Article.Status.DRAFT,
        ),
    }
    for article in made.values():
        ArticleImage.objects.create(
            article=article,
            file=factories.upload("shot.png", factories.png_bytes(), "image/png"),
            description="A screenshot",
            content_type="image/png",
        )
    return made


READERS = {
    "anonymous": lambda: None,
    "logged-in non-client": lambda: factories.UserFactory(),
    "inactive client": lambda: factories.OwnerFactory(is_active=False),
    "client owner": lambda: factories.OwnerFactory(),
    "contact without tickets": lambda: factories.ContactFactory(can_tickets=False),
    "agent": lambda: factories.AgentFactory(),
    "writer (staff)": lambda: factories.AgentFactory(is_staff=True, is_superuser=True),
}
# reader → the kinds they may read
MAY_READ = {
    "anonymous": {"public"},
    "logged-in non-client": {"public"},
    "inactive client": {"public"},
    "client owner": {"public", "clients"},
    "contact without tickets": {"public", "clients"},
    "agent": {"public", "clients"},
    "writer (staff)": {"public", "clients", "draft"},
}


def browser(client: Client, reader: str) -> Client:
    user = READERS[reader]()
    if user is not None:
        client.force_login(user)
    return client


def article_url(article: Article) -> str:
    return reverse("kb:article", args=[article.category.slug, article.slug])


def image_url(article: Article) -> str:
    image = article.images.get()
    return reverse("kb:image", args=[image.pk, image.filename])


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("kind", ["public", "clients", "draft"])
def test_article_image_and_vote_answer_404_to_who_may_not_read(
    client: Client, kinds: Any, reader: str, kind: str
) -> None:
    client = browser(client, reader)
    article = kinds[kind]
    allowed = kind in MAY_READ[reader]
    page = client.get(article_url(article))
    image = client.get(image_url(article))
    vote = client.post(
        reverse("kb:vote", args=[article.category.slug, article.slug]), {"helpful": "yes"}
    )
    expected = 200 if allowed else 404
    assert (page.status_code, image.status_code) == (expected, expected)
    assert vote.status_code == (302 if allowed else 404)
    if not allowed:
        assert SECRET not in page.content.decode()
        assert article.votes.count() == 0
        article.refresh_from_db()
        assert article.view_count == 0


@pytest.mark.parametrize("reader", READERS)
def test_lists_search_and_suggestions_never_mention_what_the_reader_may_not_read(
    client: Client, kinds: Any, reader: str
) -> None:
    client = browser(client, reader)
    pages = [
        client.get(reverse("kb:index")),
        client.get(reverse("kb:search"), {"q": SECRET}),
        client.get(reverse("kb:suggest"), {"q": SECRET}),
        client.get(reverse("kb:category", args=["public-things"])),
    ]
    hidden_category = client.get(reverse("kb:category", args=["hidden-things"]))
    mentions = {
        kind
        for kind, article in kinds.items()
        for page in pages
        if re.search(rf"/{article.slug}/", page.content.decode())
    }
    readable = MAY_READ[reader]
    assert mentions == readable
    if readable == {"public"}:
        assert hidden_category.status_code == 404
        hidden_titles = (kinds["clients"].title, kinds["draft"].title)
        assert not any(t in page.content.decode() for t in hidden_titles for page in pages)
    else:
        assert hidden_category.status_code == 200


def test_a_missing_article_and_a_hidden_one_answer_alike(client: Client, kinds: Any) -> None:
    hidden = client.get(article_url(kinds["clients"]))
    missing = client.get(reverse("kb:article", args=["hidden-things", "no-such-article"]))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content


def test_an_unknown_image_id_is_404(client: Client, kinds: Any) -> None:
    assert client.get(reverse("kb:image", args=["not-a-uuid", "x.png"])).status_code == 404
    assert (
        client.get(
            reverse("kb:image", args=["00000000-0000-0000-0000-000000000000", "x.png"])
        ).status_code
        == 404
    )


def test_public_images_may_be_cached_and_the_others_not(client: Client, kinds: Any) -> None:
    public = client.get(image_url(kinds["public"]))
    assert public["Content-Type"] == "image/png"
    assert "public" in public["Cache-Control"]
    assert public["X-Content-Type-Options"] == "nosniff"
    assert b"".join(public.streaming_content).startswith(b"\x89PNG")
    client.force_login(factories.OwnerFactory())
    private = client.get(image_url(kinds["clients"]))
    assert "private" in private["Cache-Control"] and "no-store" in private["Cache-Control"]
