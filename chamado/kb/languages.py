"""The two languages an article may be written in, and which one a reader gets (pure)."""

from collections.abc import Callable

ENGLISH = "en"
PORTUGUESE = "pt-br"
LANGUAGES = (ENGLISH, PORTUGUESE)
_SUFFIXES = {ENGLISH: "", PORTUGUESE: "_pt_br"}


def reader_language(active: str | None) -> str:
    """The article language for the page's active language (Django's "pt-br", "en"...)."""
    return PORTUGUESE if (active or "").lower().startswith("pt") else ENGLISH


def other_language(language: str) -> str:
    return ENGLISH if language == PORTUGUESE else PORTUGUESE


def field_name(name: str, language: str) -> str:
    """The model field holding ``name`` in ``language``: title, title_pt_br..."""
    return name + _SUFFIXES[language]


def language_shown(language: str, written_in: Callable[[str], bool]) -> str:
    """The reader's language when the article has it, else the other one."""
    return language if written_in(language) else other_language(language)


def html_lang(language: str) -> str:
    """The value of an HTML lang attribute."""
    return "pt-BR" if language == PORTUGUESE else "en"
