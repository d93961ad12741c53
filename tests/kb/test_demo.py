"""The demo knowledge base (`chamado demo`): categories and at least six articles in both
languages, among them the three the issue names, readable and searchable."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from chamado.kb.models import Article, Category
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(db: None) -> None:
    for slug in factories.DEPARTMENTS:
        factories.department(slug)
    call_command("demo", stdout=io.StringIO(), stderr=io.StringIO())


def test_demo_has_six_articles_in_both_languages_in_categories(loaded: None) -> None:
    bilingual = Article.objects.filter(status="published").exclude(title="").exclude(title_pt_br="")
    assert bilingual.count() >= 6
    assert Category.objects.count() >= 3
    titles = set(bilingual.values_list("title", flat=True))
    assert {
        "How to open a ticket",
        "How to reset your client area password",
        "Which department should I choose?",
    } <= titles
    assert all(article.toc and article.toc_pt_br for article in bilingual)


def test_demo_shows_every_kind_of_article(loaded: None) -> None:
    assert Article.objects.filter(visibility="clients").exists()
    assert Article.objects.filter(status="draft").exists()
    assert Article.objects.filter(title="").exclude(title_pt_br="").exists()  # Portuguese only


def test_demo_articles_read_and_search_in_both_languages(client: Client, loaded: None) -> None:
    article = Article.objects.get(slug="how-to-open-a-ticket")
    url = reverse("kb:article", args=[article.category.slug, article.slug])
    english = client.get(url).content.decode()
    portuguese = client.get(url, HTTP_ACCEPT_LANGUAGE="pt-BR").content.decode()
    assert "How to open a ticket" in english and "Como abrir um ticket" in portuguese
    found = client.get(reverse("kb:search"), {"q": "senha"}, HTTP_ACCEPT_LANGUAGE="pt-BR")
    assert "Como redefinir a senha da área do cliente" in found.content.decode()
