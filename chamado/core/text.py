"""Text that enters Chamado from any surface, made safe to store, search and mail.

One-line values (subjects, names, labels) end up in email headers and in lists: a line break
there made every email of a ticket fail, and a bidirectional override makes a subject read
differently from what it is. Message bodies keep their lines but lose what no person types:
NUL (PostgreSQL refuses it), the search highlighter's markers, other control characters."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Bidirectional embeddings, overrides and isolates, and the marks that steer them.
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_LINE_BREAKS = "\u2028\u2029\u0085"
_SINGLE_LINE_REFUSED = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f{_BIDI}{_LINE_BREAKS}]")
# Bodies keep tab and newline; carriage returns become newlines first.
_BODY_REFUSED = re.compile(f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x84\\x86-\\x9f{_BIDI}]")
_SPACES = re.compile(r"\s+")


def single_line(text: str) -> str:
    """Control characters, line breaks and bidi overrides become spaces; runs of white space
    become one; the ends are trimmed."""
    return _SPACES.sub(" ", _SINGLE_LINE_REFUSED.sub(" ", text)).strip()


def body_clean(text: str) -> str:
    """Line endings become \\n; other control characters and bidi overrides are dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    return _BODY_REFUSED.sub("", text.replace("\u2029", "\n\n")).strip()


def validate_single_line(value: str) -> None:
    """For model fields edited in the admin: refuse what single_line would change inside."""
    if _SINGLE_LINE_REFUSED.search(value):
        raise ValidationError(
            _("Use one line of plain text: no line breaks or control characters."),
            code="single_line",
        )
