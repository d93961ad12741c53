"""Accent-insensitive matching shared by the ticket search and the knowledge base (pure)."""

import pytest

from chamado.core.search import MARK_END, MARK_START, fold, marked_html, query_words, snippet


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Páginas", "paginas"),
        ("CONFIGURAÇÃO", "configuracao"),
        ("Straße", "strasse"),
        ("São Paulo", "sao paulo"),
        ("e\u0301", "e"),  # a combining accent typed apart
        ("plain", "plain"),
    ],
)
def test_fold_drops_accents_and_case(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_query_words_are_folded_and_unique() -> None:
    assert query_words('Páginas "lentas" -paginas  E-mail') == ["paginas", "lentas", "e-mail"]
    assert query_words("  ¿? ") == []


def test_snippet_marks_the_accented_original_for_an_unaccented_query() -> None:
    document = "Desde ontem as páginas do site demoram. Outras páginas também."
    marked = snippet(document, "paginas", chars=20)
    assert f"{MARK_START}páginas{MARK_END}" in marked
    assert marked.startswith("Desde ontem as ")


def test_snippet_cuts_around_the_first_match() -> None:
    document = "x" * 300 + " kerberos " + "y" * 300
    marked = snippet(document, "KERBEROS", chars=10)
    assert marked == "…" + "x" * 9 + f" {MARK_START}kerberos{MARK_END} " + "y" * 9 + "…"


def test_snippet_without_a_match_is_the_beginning() -> None:
    assert snippet("short text", "absent") == "short text"


def test_marked_html_escapes_before_marking() -> None:
    html = marked_html(f"<b>{MARK_START}x{MARK_END}</b>")
    assert html == "&lt;b&gt;<mark>x</mark>&lt;/b&gt;"
