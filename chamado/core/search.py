"""Accent-insensitive search shared by the ticket search and the knowledge base.

PostgreSQL: text-search configurations that run ``unaccent`` before their dictionary (made by
core's migration 0002), so "paginas" and "páginas" are the same word. SQLite: the function
``chamado_fold`` registered on every connection (``fold`` below), so a query can compare folded
text. Matches are marked with two control characters, escaped, then turned into ``<mark>``,
so no stored text is ever rendered as HTML.
"""

import re
import unicodedata
from typing import Any

from django.db.models import Func, TextField
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Text-search configurations (core/migrations/0002_text_search.py creates them on PostgreSQL).
SIMPLE_CONFIG = "chamado_simple"  # language-neutral: tickets arrive in both languages
LANGUAGE_CONFIGS = {"en": "chamado_english", "pt-br": "chamado_portuguese"}
CONFIG_SOURCES = {  # each configuration: (copied from, dictionary after unaccent)
    SIMPLE_CONFIG: ("simple", "simple"),
    "chamado_english": ("english", "english_stem"),
    "chamado_portuguese": ("portuguese", "portuguese_stem"),
}

MARK_START, MARK_END = "\x02", "\x03"
SNIPPET_CHARS = 80
SQLITE_FOLD = "chamado_fold"


def fold(text: str) -> str:
    """Lower case without accents: "Páginas" → "paginas", "Straße" → "strasse"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _fold_or_none(text: Any) -> str | None:
    return None if text is None else fold(str(text))


def sqlite_functions_register(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver: SQLite gets ``chamado_fold`` (PostgreSQL has unaccent)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_FOLD, 1, _fold_or_none, deterministic=True)


class Folded(Func):
    """``chamado_fold(expression)`` on SQLite: compare with ``fold(words)``."""

    function = SQLITE_FOLD
    output_field = TextField()


def query_words(text: str) -> list[str]:
    """The folded words of a query, without websearch punctuation, each once."""
    words = re.findall(r"\w[\w@.+'-]*", fold(text))
    return list(dict.fromkeys(word.strip(".'-") for word in words if word.strip(".'-")))


def _folded_with_positions(document: str) -> tuple[str, list[int]]:
    """The folded document, and for each of its characters the index it came from."""
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(document):
        piece = fold(char)
        folded.append(piece)
        origin.extend([index] * len(piece))
    return "".join(folded), origin


def snippet(document: str, text: str, chars: int = SNIPPET_CHARS) -> str:
    """The text around the first match of any word of ``text``, accents and case ignored,
    with every match inside it between MARK_START and MARK_END."""
    words = query_words(text)
    folded, origin = _folded_with_positions(document)
    spans: list[tuple[int, int]] = []
    if words:
        pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))
        for match in pattern.finditer(folded):
            spans.append((origin[match.start()], origin[match.end() - 1] + 1))
    if not spans:
        return document[: chars * 2] + ("…" if len(document) > chars * 2 else "")
    start = max(spans[0][0] - chars, 0)
    end = min(spans[0][1] + chars, len(document))
    pieces, cursor = [], start
    for span_start, span_end in spans:
        if span_start < cursor or span_end > end:
            continue
        pieces += [document[cursor:span_start], MARK_START, document[span_start:span_end], MARK_END]
        cursor = span_end
    pieces.append(document[cursor:end])
    return ("…" if start else "") + "".join(pieces) + ("…" if end < len(document) else "")


def marked_html(raw: str) -> SafeString:
    """Escape the text, then turn the match markers into <mark>."""
    html = escape(raw).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    return mark_safe(html)
