"""The knowledge base's rules that need no database (pure functions and limits)."""

import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.utils.translation import gettext as _

from chamado.core.search import fold
from chamado.kb.languages import ENGLISH, PORTUGUESE

# A suggestion opened from the ticket form, then no ticket from that client within this
# time, is a deflected ticket: the visit ended without one.
VISIT_LENGTH = timedelta(hours=1)
SUGGESTIONS_MAX = 5
# Addresses under /kb/ that a category slug would hide.
RESERVED_CATEGORY_SLUGS = frozenset({"search", "suggest", "images"})
SUGGESTION_MIN_CHARS = 3
COMMENT_MAX_LENGTH = 200
SEARCH_MAX_LENGTH = 200
SEARCH_PAGE_SIZE = 10
# Reader rows (one per visitor, article and day) are only needed to count each visitor once
# a day; the counter on the article keeps the total. Older rows are deleted.
VIEW_ROWS_KEPT = timedelta(days=90)

_ROBOT = re.compile(r"bot\b|crawl|spider|slurp|preview|monitor|curl|wget|python-", re.I)


def is_robot(user_agent: str) -> bool:
    """A client that says it is a program (search engines, link previews, monitors): its page
    loads are not reader views. Nothing is refused to it."""
    return not user_agent.strip() or bool(_ROBOT.search(user_agent))


def languages_check(
    *, title: str, body: str, title_pt_br: str, body_pt_br: str
) -> list[tuple[str, str]]:
    """(field, message) for each problem: a version needs a title and a text, and at least
    one language must be written."""
    names = {ENGLISH: _("English"), PORTUGUESE: _("Portuguese")}
    versions = [
        (ENGLISH, "title", title, "body", body),
        (PORTUGUESE, "title_pt_br", title_pt_br, "body_pt_br", body_pt_br),
    ]
    problems: list[tuple[str, str]] = []
    for language, title_field, title_value, body_field, body_value in versions:
        named = {"language": names[language]}
        if title_value.strip() and not body_value.strip():
            message = _("Write the %(language)s text, or remove the %(language)s title.")
            problems.append((body_field, message % named))
        if body_value.strip() and not title_value.strip():
            problems.append((title_field, _("Give the %(language)s text a title.") % named))
    if not any(value.strip() for value in (title, body, title_pt_br, body_pt_br)):
        problems.append(("title", _("Write the article in English, in Portuguese, or both.")))
    return problems


def search_key(text: str) -> str:
    """How searches are grouped in the report: folded, one space between words."""
    return " ".join(fold(text).split())[:SEARCH_MAX_LENGTH]


def visits_count(openings: Iterable[tuple[Any, datetime]]) -> int:
    """How many visits these (visitor, time) openings make: an opening within VISIT_LENGTH
    of the start of the same visitor's visit belongs to that visit."""
    count = 0
    started: dict[Any, datetime] = {}
    for visitor, when in sorted(openings, key=lambda opening: (str(opening[0]), opening[1])):
        start = started.get(visitor)
        if start is None or when >= start + VISIT_LENGTH:
            count += 1
            started[visitor] = when
    return count
