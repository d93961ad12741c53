"""The desk dashboard: charts drawn by the app, and the same numbers as tables."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from chamado.core.templatetags.chamado_tags import duration
from chamado.desk import charts
from chamado.desk.context_processors import desk_departments, desk_queue_counts
from chamado.desk.views import agent_required
from chamado.tickets.reports import dashboard_for_agent

WARN = "#8a5a00"


def _percent_text(share: int | None) -> str:
    if share is None:
        return _("nothing measured yet")
    return _("%(percent)s%%") % {"percent": share}


@agent_required
def dashboard(request: HttpRequest) -> HttpResponse:
    report = dashboard_for_agent(
        request.user,
        now=timezone.now(),
        # The menu's reads, shared: the agent's departments and their awaiting counts.
        departments=[d for d in desk_departments(request) if d.is_mine],  # type: ignore[attr-defined]
        awaiting=desk_queue_counts(request),
    )
    rows = report.departments
    context = {
        "report": report,
        "daily_chart": charts.opened_answered_chart(
            labels=[date_format(day.day, "SHORT_DATE_FORMAT") for day in report.days],
            opened=[day.opened for day in report.days],
            answered=[day.answered for day in report.days],
        ),
        "median_chart": charts.horizontal_bar_chart(
            title=_("Median first-response time per department"),
            bars=[
                charts.Bar(
                    label=row.department.title,
                    value=row.median.total_seconds() if row.median is not None else None,
                    text=duration(row.median) if row.median is not None else _("no answers yet"),
                )
                for row in rows
            ],
        ),
        "share_chart": charts.horizontal_bar_chart(
            title=_("Share of first responses within target per department"),
            bars=[
                charts.Bar(
                    label=row.department.title,
                    value=row.share_within,
                    text=_percent_text(row.share_within),
                )
                for row in rows
            ],
            maximum=100,
            color=charts.OK,
        ),
        "queue_chart": charts.horizontal_bar_chart(
            title=_("Tickets awaiting an answer per queue"),
            bars=[
                charts.Bar(
                    label=queue.department.title, value=queue.awaiting, text=str(queue.awaiting)
                )
                for queue in report.queues
            ],
            color=WARN,
        ),
    }
    return render(request, "desk/dashboard.html", context)
