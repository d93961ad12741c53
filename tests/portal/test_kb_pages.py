"""The knowledge base in the client area: reading without logging in, the table of contents
and Back to top, views counted once a visitor a day, helpful votes with an optional comment,
search, the language a reader gets, the menu and the login page."""

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from chamado.kb.models import Article, ArticleView, ArticleVote, SearchMiss
from tests import factories
from tests.kb import builders

pytestmark = pytest.mark.django_db

BROWSER = {"HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36"}
GUIDE = """\
A short introduction.

## Before you start

Have your domain at hand.

### A detail

Even more.

## Open the form

Choose Open Ticket.
"""


@pytest.fixture
def guide(db: None) -> Article:
    return builders.article(
        builders.category("support", name="Tickets and support", name_pt_br="Tickets e suporte"),
        slug="how-to-open-a-ticket",
        title="How to open a ticket",
        body=GUIDE,
        title_pt_br="Como abrir um ticket",
        body_pt_br="Uma introdução.\n\n## Antes de começar\n\nTenha o domínio em mãos.",
    )


def url(article: Article, **query: str) -> str:
    address = reverse("kb:article", args=[article.category.slug, article.slug])
    if query:
        address += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return address


def page(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# ---- Reading ---------------------------------------------------------------------------


def test_a_public_article_is_read_without_logging_in(client: Client, guide: Article) -> None:
    html = page(client.get(url(guide), **BROWSER))
    assert '<h1 id="article-title" lang="en">How to open a ticket</h1>' in html
    assert "A short introduction." in html


def test_table_of_contents_links_each_section_and_each_has_back_to_top(
    client: Client, guide: Article
) -> None:
    html = page(client.get(url(guide), **BROWSER))
    toc = html[html.index('class="kb-toc"') : html.index("</nav>", html.index('class="kb-toc"'))]
    assert re.findall(r'href="#([\w-]+)"', toc) == [
        "section-before-you-start",
        "section-a-detail",
        "section-open-the-form",
    ]
    for anchor in ("section-before-you-start", "section-a-detail", "section-open-the-form"):
        assert f'id="{anchor}"' in html
    assert html.count('<a href="#article-top">Back to top</a>') == 2  # one per section
    assert 'id="article-top"' in html


def test_the_article_shows_its_views_and_updated_date(client: Client, guide: Article) -> None:
    html = page(client.get(url(guide), **BROWSER))
    assert "Views: 1" in html
    assert "Updated on" in html


def test_reloads_count_one_view_per_visitor_a_day(client: Client, guide: Article) -> None:
    for _reload in range(3):
        client.get(url(guide), **BROWSER)
    other = Client()
    other.get(url(guide), **BROWSER)
    other.get(url(guide), **BROWSER)
    guide.refresh_from_db()
    assert guide.view_count == 2
    assert ArticleView.objects.count() == 2
    assert "Views: 2" in page(client.get(url(guide), **BROWSER))


def test_a_logged_in_reader_counts_once_on_every_device(guide: Article, owner: Any) -> None:
    for _device in range(2):
        device = Client()
        device.force_login(owner)
        device.get(url(guide), **BROWSER)
    guide.refresh_from_db()
    assert guide.view_count == 1


def test_robots_do_not_count_as_readers(client: Client, guide: Article) -> None:
    response = client.get(url(guide), HTTP_USER_AGENT="Googlebot/2.1 (+http://www.google.com/bot)")
    assert response.status_code == 200
    guide.refresh_from_db()
    assert guide.view_count == 0


def test_a_moved_article_leads_to_its_new_address(client: Client, guide: Article) -> None:
    response = client.get(
        reverse("kb:article", args=["old-category", guide.slug]) + "?from=ticket", **BROWSER
    )
    assert response.status_code == 301
    assert response["Location"] == url(guide) + "?from=ticket"


# ---- Languages -------------------------------------------------------------------------


def test_a_portuguese_reader_gets_the_portuguese_text(client: Client, guide: Article) -> None:
    html = page(client.get(url(guide), HTTP_ACCEPT_LANGUAGE="pt-BR", **BROWSER))
    assert 'lang="pt-BR">Como abrir um ticket</h1>' in html
    for words in ("Este artigo foi útil?", ">Sim<", ">Não<", ">Subir<", "Visualizações: 1"):
        assert words in html, words
    assert "Base de Conhecimento" in html
    assert "Have your domain" not in html


def test_an_article_in_one_language_is_shown_with_a_notice(client: Client, db: None) -> None:
    only_english = builders.article(slug="english-only", title="Edit DNS", body="Zone records.")
    html = page(client.get(url(only_english), HTTP_ACCEPT_LANGUAGE="pt-BR", **BROWSER))
    assert "ainda não está disponível em português" in html
    assert '<h1 id="article-title" lang="en">Edit DNS</h1>' in html
    assert '<div class="kb-text" lang="en">' in html
    only_portuguese = builders.article(slug="so-pt", title_pt_br="Backup", body_pt_br="Cópia.")
    english = page(client.get(url(only_portuguese), **BROWSER))
    assert "not available in English yet" in english
    index = page(client.get(reverse("kb:index"), **BROWSER))
    assert (
        '<span lang="pt-BR">Backup</span> <small class="kb-lang">(in Portuguese)</small>' in index
    )


# ---- Votes -----------------------------------------------------------------------------


def vote(client: Client, article: Article, **data: str) -> Any:
    return client.post(reverse("kb:vote", args=[article.category.slug, article.slug]), data)


def test_a_visitor_votes_once_and_can_change_their_answer(client: Client, guide: Article) -> None:
    client.get(url(guide), **BROWSER)
    response = vote(client, guide, helpful="yes")
    assert response.status_code == 302
    assert response["Location"] == url(guide) + "#feedback"
    assert "you found this article helpful" in page(client.get(url(guide), **BROWSER))
    vote(client, guide, helpful="yes")
    vote(client, guide, helpful="no")
    assert list(ArticleVote.objects.values_list("helpful", flat=True)) == [False]


def test_a_no_offers_a_one_line_comment_for_the_writers(client: Client, guide: Article) -> None:
    vote(client, guide, helpful="no")
    html = page(client.get(url(guide), **BROWSER))
    assert '<label for="id_comment">What were you looking for? (optional)</label>' in html
    vote(client, guide, helpful="no", comment="How to change the department afterwards")
    assert ArticleVote.objects.get().comment == "How to change the department afterwards"
    assert "the writers will read your comment" in page(client.get(url(guide), **BROWSER))


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Keep the comment to 200 characters or fewer."),
        ("pt-BR", "O comentário deve ter no máximo 200 caracteres."),
    ],
)
def test_a_too_long_comment_is_refused_in_the_readers_language(
    client: Client, guide: Article, language: str, message: str
) -> None:
    response = client.post(
        reverse("kb:vote", args=[guide.category.slug, guide.slug]),
        {"helpful": "no", "comment": "x" * 201},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'value="' + "x" * 201 + '"' in html  # what was typed stays
    assert not ArticleVote.objects.exists()


def test_a_vote_that_is_neither_yes_nor_no_is_refused(client: Client, guide: Article) -> None:
    response = vote(client, guide, helpful="maybe")
    assert response.status_code == 400
    assert "Choose Yes or No." in response.content.decode()
    assert not ArticleVote.objects.exists()


def test_votes_need_a_post(client: Client, guide: Article) -> None:
    response = client.get(reverse("kb:vote", args=[guide.category.slug, guide.slug]))
    assert response.status_code == 405


# ---- Index, category, search -----------------------------------------------------------


def test_index_lists_categories_with_their_first_articles(client: Client, guide: Article) -> None:
    for n in range(6):
        builders.article(guide.category, title=f"Support tip {n}")
    html = page(client.get(reverse("kb:index"), **BROWSER))
    assert "Tickets and support" in html
    assert "How to open a ticket" in html
    assert "Support tip 3" in html and "Support tip 4" not in html  # five per category
    assert "See all 7 articles" in html


def test_category_page_lists_its_articles_in_order(client: Client, guide: Article) -> None:
    builders.article(guide.category, title="Comes first", position=0)
    Article.objects.filter(pk=guide.pk).update(position=5)
    html = page(client.get(reverse("kb:category", args=["support"]), **BROWSER))
    assert html.index("Comes first") < html.index("How to open a ticket")
    assert "A short introduction." in html  # the excerpt
    assert client.get(reverse("kb:category", args=["nothing"])).status_code == 404


def test_search_page_finds_and_marks_without_accents(client: Client, guide: Article) -> None:
    html = page(client.get(reverse("kb:search"), {"q": "dominio"}, HTTP_ACCEPT_LANGUAGE="pt-BR"))
    assert "1 artigo encontrado." in html
    assert "Como abrir um ticket" in html
    assert "<mark>domínio</mark>" in html
    assert not SearchMiss.objects.exists()


def test_a_search_that_finds_nothing_is_kept_for_the_writers(
    client: Client, guide: Article
) -> None:
    html = page(client.get(reverse("kb:search"), {"q": "Transferir domínio"}))
    assert "No article matches." in html
    client.get(reverse("kb:search"), {"q": "transferir dominio"})
    assert SearchMiss.objects.get().count == 2


def test_a_too_long_search_is_refused_with_a_message(client: Client, guide: Article) -> None:
    response = client.get(reverse("kb:search"), {"q": "x" * 201}, HTTP_ACCEPT_LANGUAGE="pt-BR")
    assert response.status_code == 400
    assert "A busca deve ter no máximo 200 caracteres." in response.content.decode()


def test_search_results_are_paginated(client: Client, db: None) -> None:
    category = builders.category()
    for n in range(12):
        builders.article(category, title=f"Backup tip {n}", body="About backups.")
    first = page(client.get(reverse("kb:search"), {"q": "backups"}))
    assert first.count('<li><h2><a href="/kb/') == 10
    assert "Page 1 of 2" in first
    second = page(client.get(reverse("kb:search"), {"q": "backups", "page": 2}))
    assert second.count('<li><h2><a href="/kb/') == 2


# ---- Menu and login page ---------------------------------------------------------------


def test_menu_and_login_page_lead_to_the_knowledge_base(client: Client, owner: Any) -> None:
    kb = f'href="{reverse("kb:index")}"'
    assert kb in page(client.get(reverse("login")))
    client.force_login(owner)
    home = page(client.get(reverse("portal:home")))
    menu = home[home.index('<ul class="menu">') : home.index("</nav>")]
    assert kb in menu and ">Knowledge Base<" in menu


def test_anonymous_visitors_see_the_knowledge_base_and_log_in_in_the_menu(
    client: Client, guide: Article
) -> None:
    html = page(client.get(url(guide), **BROWSER))
    menu = html[html.index('<ul class="menu">') : html.index("</nav>")]
    assert ">Knowledge Base<" in menu and ">Log in<" in menu
    assert f'href="{reverse("login")}?next={url(guide)}"' in html


def test_article_images_are_served_by_the_app(client: Client, guide: Article) -> None:
    image = guide.images.create(
        file=factories.upload("steps.png", factories.png_bytes(), "image/png"),
        description="The form",
        content_type="image/png",
    )
    response = client.get(reverse("kb:image", args=[image.pk, image.filename]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
