"""The queue's rows, shaped once in Python and written by one Jinja2 template
(``desk/jinja2/desk/queue_rows.html``): a row is the same few values whatever the page, so the
translations, URLs, dates and the SLA badge are worked out here, each label translated once a
page, instead of by template tags and includes fifty times a page."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.template.loader import get_template
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from chamado.core.templatetags.chamado_tags import duration
from chamado.tickets import sla
from chamado.tickets.models import Ticket

ROWS_TEMPLATE = "desk/queue_rows.html"  # a Jinja2 template


@dataclass(frozen=True)
class Row:
    number: int
    url: str
    take_url: str  # "" when the ticket is already the agent's
    pick_label: str
    subject: str
    client: str
    department: str
    priority: int
    priority_label: str
    status: str
    status_label: str
    assignee: str
    waiting_iso: str
    waiting_title: str
    waiting_text: str
    sla_class: str
    sla_text: str


def _url_maker(name: str) -> Any:
    """``reverse`` once, then the number put in its place: a row needs two links."""
    marker = 918273645
    pattern = reverse(name, args=[marker])
    head, tail = pattern.split(str(marker))
    return lambda number: f"{head}{number}{tail}"


def queue_rows(
    tickets: Iterable[Ticket], *, now: datetime, user_pk: Any, departments: Mapping[int, Any]
) -> list[Row]:
    ticket_url = _url_maker("desk:ticket")
    take_url = _url_maker("desk:assign_to_me")
    priorities = {value: str(label) for value, label in Ticket.Priority.choices}
    statuses = {value: str(label) for value, label in Ticket.Status.choices}
    pick, ago = _("Select ticket #%(number)s"), _("%(time)s ago")
    over, left, not_waiting = _("%(time)s over"), _("%(time)s left"), _("Not waiting")
    rows = []
    for ticket in tickets:
        waiting = ticket.waiting_since
        if waiting is not None:
            local = timezone.localtime(waiting)
            waiting_iso = local.isoformat()
            waiting_title = formats.date_format(local, "DATETIME_FORMAT")
            waiting_text = ago % {"time": duration(now - waiting)}
        else:
            waiting_iso = waiting_title = waiting_text = ""
        state = sla.state(now, ticket.response_due_at, ticket.response_warn_at)
        if state == sla.State.NONE:
            sla_text = not_waiting
        else:
            remaining = duration(sla.time_left(now, ticket.response_due_at))
            sla_text = (over if state == sla.State.BREACHED else left) % {"time": remaining}
        assignee = ticket.assignee
        rows.append(
            Row(
                number=ticket.number,
                url=ticket_url(ticket.number),
                take_url="" if ticket.assignee_id == user_pk else take_url(ticket.number),
                pick_label=pick % {"number": ticket.number},
                subject=ticket.subject,
                client=ticket.account.name,
                department=departments[ticket.department_id].title,
                priority=ticket.priority,
                priority_label=priorities.get(ticket.priority, str(ticket.priority)),
                status=ticket.status,
                status_label=statuses.get(ticket.status, ticket.status),
                assignee=assignee.full_name if assignee is not None else "",
                waiting_iso=waiting_iso,
                waiting_title=waiting_title,
                waiting_text=waiting_text,
                sla_class=str(state),
                sla_text=sla_text,
            )
        )
    return rows


def queue_rows_html(
    tickets: Iterable[Ticket], *, now: datetime, user_pk: Any, departments: Mapping[int, Any]
) -> SafeString:
    """The ``<tr>`` of each ticket (or the one saying the queue is empty), escaped."""
    html = get_template(ROWS_TEMPLATE, using="jinja2").render(
        {
            "rows": queue_rows(tickets, now=now, user_pk=user_pk, departments=departments),
            "assign_to_me": _("Assign to me"),
            "empty": _("Nothing in this queue. Well done."),
        }
    )
    return mark_safe(html)
