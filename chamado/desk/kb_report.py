"""The writers' report (administrators only): per article, views, helpful share, "No"
comments and deflected tickets; and the searches that found nothing.

Deflections are decided here because this is where both sides may be read: kb records that a
client opened an article from the ticket form's suggestions (kb never imports tickets), and
the tickets say whether that client then opened one. Reading the tickets at report time means
a ticket from any road (client area, API, email) cancels the deflection, and nothing is
written on the path that opens a ticket.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import DateTimeField, Exists, ExpressionWrapper, OuterRef, Value
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from chamado.core.errors import NotFound
from chamado.desk.views import agent_required
from chamado.kb import rules
from chamado.kb.models import SuggestionVisit
from chamado.kb.selectors import (
    article_list_with_feedback,
    search_miss_list,
    suggestion_visits_ended,
    vote_comment_list,
)
from chamado.tickets.models import Ticket


@dataclass(frozen=True)
class Deflections:
    by_article: dict[int, int]  # article id → suggestion visits followed by no ticket
    tickets: int  # client visits that ended without a ticket (several articles, one visit)


def deflections(*, now: datetime) -> Deflections:
    """Suggestion visits that are over and were followed by no ticket from that client."""
    visit_end = ExpressionWrapper(
        OuterRef("opened_at") + Value(rules.VISIT_LENGTH), output_field=DateTimeField()
    )
    ticket_followed = Ticket.objects.filter(
        contact_id=OuterRef("user_id"),
        created_at__gte=OuterRef("opened_at"),
        created_at__lt=visit_end,
    )
    visits: list[SuggestionVisit] = list(
        suggestion_visits_ended(now=now)
        .filter(~Exists(ticket_followed))
        .only("article_id", "user_id", "opened_at")
        .order_by("user_id", "opened_at")
    )
    by_article: dict[int, int] = {}
    for visit in visits:
        by_article[visit.article_id] = by_article.get(visit.article_id, 0) + 1
    return Deflections(
        by_article=by_article,
        tickets=rules.visits_count([(visit.user_id, visit.opened_at) for visit in visits]),
    )


@dataclass(frozen=True)
class ArticleRow:
    article: Any
    yes: int
    no: int
    deflections: int

    @property
    def helpful_share(self) -> int | None:
        """Per cent of "Yes" among the answers, None without any."""
        answers = self.yes + self.no
        return round(100 * self.yes / answers) if answers else None


@agent_required
def kb_report(request: HttpRequest) -> HttpResponse:
    if not request.user.is_superuser:  # type: ignore[union-attr]
        raise NotFound
    found = deflections(now=timezone.now())
    rows = [
        ArticleRow(
            article=article,
            yes=article.yes,  # type: ignore[attr-defined]
            no=article.no,  # type: ignore[attr-defined]
            deflections=found.by_article.get(article.pk, 0),
        )
        for article in article_list_with_feedback()
    ]
    yes, no = sum(row.yes for row in rows), sum(row.no for row in rows)
    return render(
        request,
        "desk/kb_report.html",
        {
            "rows": rows,
            "views": sum(row.article.view_count for row in rows),
            "helpful_share": round(100 * yes / (yes + no)) if yes + no else None,
            "deflected_tickets": found.tickets,
            "comments": vote_comment_list(),
            "misses": search_miss_list(),
            "visit_minutes": int(rules.VISIT_LENGTH.total_seconds() // 60),
        },
    )
