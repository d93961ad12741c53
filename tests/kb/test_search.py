"""Article search: title and text in the reader's language, accents and case ignored, best
first, only articles the reader may see. Runs on SQLite (folded matching) and on PostgreSQL
(full text with stemming and unaccent, on one GIN index per language)."""

from typing import Any

import pytest
from django.db import connection

from chamado.core.search import MARK_START
from chamado.kb.access import articles_visible_to
from chamado.kb.models import Article
from chamado.kb.search import article_search, index_name, snippet_of
from chamado.kb.selectors import article_search_for_reader, article_suggestions
from tests.kb import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles(db: None) -> dict[str, Article]:
    hosting = builders.category("hosting")
    return {
        "slow": builders.article(
            hosting,
            slug="slow-site",
            title="When the site is slow",
            body="Check the cache first.\n\n## Images\n\nLarge pictures make pages heavy.",
            title_pt_br="Quando o site está lento",
            body_pt_br="Verifique o cache.\n\n## Imagens\n\nAs páginas ficam pesadas com imagens "
            "grandes. Configuração do servidor também importa.",
        ),
        "mail": builders.article(
            hosting,
            slug="mailbox",
            title="Create a mailbox",
            body="Open cPanel and choose Email Accounts.",
            title_pt_br="Criar uma caixa de e-mail",
            body_pt_br="Abra o cPanel e escolha Contas de e-mail.",
        ),
        "english_only": builders.article(
            hosting,
            slug="dns-zone",
            title="Edit the DNS zone",
            body="Every record of the zone, including the kerberos entry.",
        ),
        "portuguese_only": builders.article(
            hosting,
            slug="backup-completo",
            title_pt_br="Backup completo",
            body_pt_br="Gere a cópia de segurança pelo cPanel; a restauração leva minutos.",
        ),
    }


def slugs(text: str, language: str, user: Any = None) -> list[str]:
    found = article_search(articles_visible_to(user), text, language)
    return [article.slug for article in found]


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("heavy", "en", ["slow-site"]),  # a word only in the body
        ("HEAVY", "en", ["slow-site"]),
        ("paginas", "pt-br", ["slow-site"]),  # the text has "páginas"
        ("páginas", "pt-br", ["slow-site"]),
        ("configuracao", "pt-br", ["slow-site"]),
        ("CONFIGURAÇÃO servidor", "pt-br", ["slow-site"]),
        ("restauracao", "pt-br", ["backup-completo"]),
        ("mailbox", "en", ["mailbox"]),
        ("caixa", "pt-br", ["mailbox"]),
    ],
)
def test_search_finds_body_words_with_and_without_accents(
    articles: Any, text: str, language: str, expected: list[str]
) -> None:
    assert slugs(text, language) == expected


def test_each_reader_searches_the_version_they_read(articles: Any) -> None:
    assert slugs("heavy", "pt-br") == []  # a Portuguese reader reads the Portuguese text
    assert slugs("pesadas", "en") == []
    # ...and where there is none, the other language's text.
    assert slugs("kerberos", "pt-br") == ["dns-zone"]
    assert slugs("restauração", "en") == ["backup-completo"]


def test_every_word_must_match(articles: Any) -> None:
    assert slugs("cache heavy", "en") == ["slow-site"]
    assert slugs("cache mailbox", "en") == []


def test_a_title_match_ranks_first(articles: Any) -> None:
    builders.article(slug="mentions", title="Quotas", body="A mailbox has a quota.")
    assert slugs("mailbox", "en") == ["mailbox", "mentions"]


def test_drafts_and_clients_only_articles_are_found_only_by_who_may_read_them(
    articles: Any, owner: Any
) -> None:
    builders.article(slug="secret-draft", title="Zebra draft", status=Article.Status.DRAFT)
    builders.article(
        slug="clients-zebra", title="Zebra for clients", visibility=Article.Visibility.CLIENTS
    )
    assert slugs("zebra", "en") == []
    assert slugs("zebra", "en", owner) == ["clients-zebra"]


def test_nothing_to_search_finds_nothing(articles: Any) -> None:
    assert slugs("  ", "en") == []
    assert slugs("?!", "en") == []


def test_the_matching_part_is_marked(articles: Any) -> None:
    found = list(article_search_for_reader(None, "paginas", "pt-br"))
    marked = snippet_of(found[0], "paginas", "pt-br")
    assert MARK_START + "páginas" in marked


def test_suggestions_need_three_letters_and_stop_at_five(db: None) -> None:
    category = builders.category()
    for n in range(7):
        builders.article(category, title=f"Password tip {n}", body="About passwords.")
    assert article_suggestions(None, "pa", "en") == []
    assert len(article_suggestions(None, "password", "en")) == 5


# PostgreSQL: the plan uses the GIN indexes ---------------------------------------------


@pytest.mark.postgres
@pytest.mark.parametrize("language", ["en", "pt-br"])
def test_search_uses_a_gin_index_per_language(articles: Any, language: str) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): SQLite searches without the GIN indexes")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s ORDER BY 1",
            [Article._meta.db_table],
        )
        definitions = dict(cursor.fetchall())
    assert "USING gin" in definitions[index_name("en")]
    assert "chamado_english" in definitions[index_name("en")]
    assert "chamado_portuguese" in definitions[index_name("pt-br")]

    results = article_search(Article.objects.all(), "paginas", language)
    with connection.cursor() as cursor:
        # A handful of rows are read faster without an index; forbid that to see if it can.
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = results.explain()
    assert index_name("en") in plan and index_name("pt-br") in plan, plan
    expected = ["slow-site"] if language == "pt-br" else []
    assert [article.slug for article in results] == expected


@pytest.mark.postgres
def test_postgresql_stems_each_language(articles: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): SQLite matches words without stemming")
    assert slugs("pictures picture", "en") == ["slow-site"]  # english_stem: picture(s)
    assert slugs("pesada", "pt-br") == ["slow-site"]  # portuguese_stem: pesada(s)
    assert slugs("pagina", "pt-br") == ["slow-site"]  # unaccent, then portuguese_stem
