"""Desk template helpers: SLA badges, durations, search highlights."""

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
