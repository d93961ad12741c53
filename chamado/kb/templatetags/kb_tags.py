"""Knowledge-base template helpers: an article's title in the reader's language, snippets."""

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from chamado.core.search import marked_html
from chamado.kb.languages import PORTUGUESE, field_name, html_lang, language_shown, reader_language
from chamado.kb.render import excerpt
from chamado.kb.search import snippet_of

register = template.Library()


@register.simple_tag
def kb_title(article: Any) -> SafeString:
    """The title in the reader's language; else the other one, marked with its language."""
    wanted = reader_language(get_language())
    shown = language_shown(wanted, article.written_in)
    title = getattr(article, field_name("title", shown))
    if shown == wanted:
        return format_html("{}", title)
    note = _("in Portuguese") if shown == PORTUGUESE else _("in English")
    return format_html(
        '<span lang="{}">{}</span> <small class="kb-lang">({})</small>',
        html_lang(shown),
        title,
        note,
    )


@register.simple_tag
def kb_excerpt(article: Any, limit: int = 180) -> str:
    return excerpt(article.text_shown(get_language()), limit)


@register.simple_tag
def kb_snippet(article: Any, text: str) -> SafeString:
    """The matching part of the article, escaped, matches in <mark>."""
    return marked_html(snippet_of(article, text, get_language() or ""))
