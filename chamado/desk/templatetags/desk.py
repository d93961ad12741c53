"""Desk template helpers: SLA badges, durations, search highlights, the queue's sortable
columns and links that keep the page's filters."""

from datetime import datetime
from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from chamado.core.templatetags.chamado_tags import duration
from chamado.tickets import sla
from chamado.tickets.search import MARK_END, MARK_START, snippet_for

register = template.Library()


register.filter("duration", duration)


@register.filter
def since(moment: datetime | None, now: datetime) -> str:
    """How long ago ``moment`` was, as ``duration`` says it ('2 h 05 min')."""
    return duration(now - moment) if moment is not None else ""


@register.inclusion_tag("desk/_sla.html")
def sla_badge(ticket: Any, now: datetime) -> dict[str, Any]:
    state = sla.state(now, ticket.response_due_at, ticket.response_warn_at)
    return {"state": str(state), "left": sla.time_left(now, ticket.response_due_at)}


@register.simple_tag
def search_snippet(ticket: Any, text: str) -> SafeString:
    """The matching part, escaped, with the match in <mark>."""
    raw = ticket.snippet or ""
    if MARK_START not in raw:
        raw = snippet_for(raw, text)
    html = escape(raw).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    return mark_safe(html)


def _query(context: Any, **changes: Any) -> str:
    query = context["request"].GET.copy()
    query.pop("fragment", None)
    if "sort" in changes:  # a cursor belongs to one order: a new order starts at its top
        for key in ("page", "after", "before"):
            query.pop(key, None)
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return str(query.urlencode())


@register.simple_tag(takes_context=True)
def query_without(context: Any, key: str) -> str:
    """This page's query string without ``key`` (escaped by the template)."""
    return _query(context, **{key: None})


@register.simple_tag(takes_context=True)
def query_url(context: Any, **changes: Any) -> str:
    """This page's path and query string with ``changes`` (None removes a key)."""
    query = _query(context, **changes)
    return f"{context['request'].path}?{query}" if query else str(context["request"].path)


# A first click on these columns puts the most pressing first.
DESCENDING_FIRST = {"priority"}


@register.inclusion_tag("desk/_sort_header.html", takes_context=True)
def sort_header(context: Any, key: str, label: str) -> dict[str, Any]:
    """A column heading that orders the queue by ``key``, keeping the filters and the page; a
    second click reverses it. ``aria-sort`` says the order in force."""
    current = context.get("sort")  # (key, descending) from queue_sort_parse, or None
    active = bool(current and current[0] == key)
    descending = bool(active and current[1])
    next_descending = not descending if active else key in DESCENDING_FIRST
    return {
        "key": key,
        "label": label,
        "url": "?" + _query(context, sort=("-" if next_descending else "") + key),
        "aria_sort": ("descending" if descending else "ascending") if active else "",
    }
