"""Agent desk views: parse, call one access function and one action or selector, render."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chamado.core.errors import ApplicationError, NotFound
from chamado.desk.audit_text import Names, timeline_texts
from chamado.desk.context_processors import desk_departments
from chamado.desk.forms import (
    MERGE_CONFIRMED,
    BulkForm,
    MergeConfirmForm,
    MergeForm,
    NoteForm,
    QueueFilterForm,
    ReplyForm,
    SearchForm,
    TicketUpdateForm,
    TransferForm,
)
from chamado.desk.rows import queue_rows_html
from chamado.desk.search_results import search_page
from chamado.services.selectors import service_list_for_account
from chamado.tickets import workflow
from chamado.tickets.access import (
    access_attachment_for_agent,
    access_ticket_for_agent,
    access_tickets_for_agent,
    is_active_agent,
    tickets_visible_to_agent,
)
from chamado.tickets.actions import (
    CrossedReply,
    ticket_bulk_update,
    ticket_merge,
    ticket_merge_check,
    ticket_reply_by_agent,
    ticket_transfer,
    ticket_update,
)
from chamado.tickets.models import Ticket
from chamado.tickets.presence import presence_touch
from chamado.tickets.selectors import (
    agent_list_for_departments,
    canned_replies_for_department,
    membership_list_for_ticket,
    people_for_ticket,
    queue_for_agent,
    queue_page,
    queue_sort_parse,
    ticket_list_for_account_sidebar,
    ticket_merge_preview,
    ticket_timeline,
)
from chamado.web.files import attachment_response
from chamado.web.forms import refusal_show
from chamado.web.redirects import local_path

QUEUE_PAGE_SIZE = 50
SEARCH_MAX_RESULTS = 1000
View = Callable[..., HttpResponseBase]


def agent_required(view: View) -> View:
    """Logged-in agents only; anyone else gets 404, as if the desk did not exist."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not is_active_agent(request.user):
            raise NotFound
        return view(request, *args, **kwargs)

    return wrapped


def _ticket_or_redirect(request: HttpRequest, number: int) -> Ticket | HttpResponse:
    ticket = access_ticket_for_agent(request.user, number)
    if ticket.merged_from:
        return redirect("desk:ticket", number=ticket.number)
    return ticket


def _local(target: str | None, default: str) -> str:
    """Where to go after a POST: a path of this site (no host, no scheme), else ``default``."""
    return local_path(target) or resolve_url(default)


def _mine(request: HttpRequest) -> list[Any]:
    """The agent's own departments (all, for an administrator), from the request's one read."""
    return [d for d in desk_departments(request) if d.is_mine]  # type: ignore[attr-defined]


@agent_required
def queue(request: HttpRequest) -> HttpResponse:
    """The queue, ordered by a column when asked; ``?fragment=rows`` is only its rows, which
    desk.js fetches to keep an open queue fresh."""
    mine = _mine(request)
    filters = QueueFilterForm(request.GET or None, departments=mine)
    values: dict[str, Any] = filters.cleaned_data if filters.is_valid() else {}
    department = values.get("department")
    now = timezone.now()
    sort = request.GET.get("sort", "")
    tickets = queue_for_agent(
        request.user,
        now=now,
        department=department.pk if department else None,
        status=values.get("status") or "awaiting",
        priority=values.get("priority"),
        assignee=values.get("assignee") or "anyone",
        breach=values.get("breach") or "",
    )
    page = queue_page(
        tickets,
        sort,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        size=QUEUE_PAGE_SIZE,
    )
    rows_html = queue_rows_html(
        page.object_list,
        now=now,
        user_pk=request.user.pk,
        departments={d.pk: d for d in desk_departments(request)},
    )
    if request.GET.get("fragment") == "rows":
        # The rows alone: the menu's queries are not needed for them.
        response = HttpResponse(rows_html)
        response["Cache-Control"] = "no-store"
        return response
    bulk = BulkForm(
        numbers=[],
        agents=agent_list_for_departments([d.pk for d in mine]),
        departments=desk_departments(request),
    )
    query = request.GET.copy()
    for key in ("page", "after", "before", "fragment"):
        query.pop(key, None)
    here = query.urlencode()
    return render(
        request,
        "desk/queue.html",
        {
            "page": page,
            "rows_html": rows_html,
            "filters": filters,
            "bulk": bulk,
            "next_url": f"?{here}&after={page.next_cursor}" if page.next_cursor else "",
            "previous_url": f"?{here}&before={page.previous_cursor}"
            if page.previous_cursor
            else "",
            "sort": queue_sort_parse(sort),
            "current_department": department,
        },
    )


@agent_required
@require_POST
def queue_bulk(request: HttpRequest) -> HttpResponse:
    # Tickets the agent cannot see (moved away since the queue was loaded) are left out
    # silently, rather than refusing the whole form; merged numbers lead to their tickets.
    tickets = access_tickets_for_agent(request.user, request.POST.getlist("tickets"))
    data = request.POST.copy()
    data.setlist("tickets", [str(t.number) for t in tickets])
    form = BulkForm(
        data,
        numbers=[t.number for t in tickets],
        agents=agent_list_for_departments([d.pk for d in _mine(request)]),
        departments=desk_departments(request),
    )
    back = _local(request.POST.get("next"), "desk:queue")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(back)
    try:
        outcome = ticket_bulk_update(
            actor=request.user, tickets=tickets, **form.change(request.user)
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        if outcome.changed:
            messages.success(request, outcome.notice)
        else:
            messages.info(request, outcome.notice)
    return redirect(back)


@agent_required
@require_POST
def ticket_assign_to_me(request: HttpRequest, number: int) -> HttpResponse:
    """Take one ticket (from its page or its row in the queue); back where the agent was."""
    ticket = access_ticket_for_agent(request.user, number)
    back = _local(request.POST.get("next"), "desk:queue")
    try:
        outcome = ticket_update(actor=request.user, ticket=ticket, assignee=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        if outcome.changed:
            messages.success(
                request,
                _("Ticket #%(number)s is assigned to you.") % {"number": outcome.ticket.number},
            )
        else:
            messages.info(
                request,
                _("Ticket #%(number)s was already assigned to you.")
                % {"number": outcome.ticket.number},
            )
    return redirect(back)


def _ticket_page(
    request: HttpRequest, ticket: Ticket, *, status: int = 200, **forms: Any
) -> HttpResponse:
    timeline = ticket_timeline(ticket)
    conversation = timeline.messages
    last_seen = max((m.pk for m in conversation), default=0)
    departments = desk_departments(request)
    # Who may take the ticket, and whoever else its changes name: one query for both.
    people = people_for_ticket(ticket, timeline.user_ids)
    known = {person.pk: person for person in people}
    known.update({m.author.pk: m.author for m in conversation if m.author is not None})
    names = Names(users=known, departments={d.slug: d for d in departments})
    placeholders = {
        "client_name": ticket.contact.get_short_name(),
        "ticket_number": str(ticket.number),
        "subject": ticket.subject,
        "agent_name": request.user.get_short_name(),  # type: ignore[union-attr]
    }
    canned_choices = [
        (reply.pk, reply.title, workflow.canned_fill(reply.body, placeholders))
        for reply in canned_replies_for_department(ticket.department_id)
    ]
    reply_initial: dict[str, Any] = {"seen_message_id": last_seen}
    chosen = request.GET.get("canned")
    for pk, _title, body in canned_choices:
        if chosen == str(pk):
            reply_initial["message"] = body
    agents = [person for person in people if person.assignable]  # type: ignore[attr-defined]
    context = {
        "ticket": ticket,
        "conversation": conversation,
        "timeline": timeline_texts(timeline.entries, names),
        "reply_form": forms.get("reply_form") or ReplyForm(initial=reply_initial),
        "note_form": forms.get("note_form") or NoteForm(),
        "update_form": forms.get("update_form") or TicketUpdateForm(ticket=ticket, agents=agents),
        "transfer_form": forms.get("transfer_form")
        or TransferForm(initial={"department": ticket.department_id}, departments=departments),
        "merge_form": forms.get("merge_form") or MergeForm(),
        "crossed": forms.get("crossed"),
        "canned_choices": canned_choices,
        "services": service_list_for_account(ticket.account),
        "contacts": membership_list_for_ticket(ticket),
        "other_tickets": ticket_list_for_account_sidebar(request.user, ticket),
        "others_here": presence_touch(ticket.pk, request.user),
        "may_take": ticket.assignee_id != request.user.pk,
        "now": timezone.now(),
    }
    return render(request, "desk/ticket.html", context, status=status)


@agent_required
def ticket_detail(request: HttpRequest, number: int) -> HttpResponse:
    ticket = _ticket_or_redirect(request, number)
    if isinstance(ticket, HttpResponse):
        return ticket
    return _ticket_page(request, ticket)


@agent_required
@require_POST
def ticket_reply(request: HttpRequest, number: int) -> HttpResponse:
    ticket = access_ticket_for_agent(request.user, number)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            outcome = ticket_reply_by_agent(
                actor=request.user,
                ticket=ticket,
                body=form.cleaned_data["message"],
                files=form.cleaned_data["attachments"],
                status=form.cleaned_data["status"] or None,
                seen_message_id=form.cleaned_data["seen_message_id"],
                confirm_crossed=form.cleaned_data["confirm_crossed"],
                submission_key=form.cleaned_data["submission_key"],
            )
        except CrossedReply as crossed:
            form.add_error("message", crossed.message)
            return _ticket_page(request, ticket, status=409, reply_form=form, crossed=crossed.newer)
        except ApplicationError as error:
            return _ticket_page(request, ticket, status=refusal_show(form, error), reply_form=form)
        else:
            messages.success(request, outcome.notice)
            return redirect("desk:ticket", number=outcome.ticket.number)
    return _ticket_page(request, ticket, status=400, reply_form=form)


@agent_required
@require_POST
def ticket_note(request: HttpRequest, number: int) -> HttpResponse:
    ticket = access_ticket_for_agent(request.user, number)
    form = NoteForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            outcome = ticket_reply_by_agent(
                actor=request.user,
                ticket=ticket,
                body=form.cleaned_data["message"],
                files=form.cleaned_data["attachments"],
                is_internal=True,
                submission_key=form.cleaned_data["submission_key"],
            )
        except ApplicationError as error:
            return _ticket_page(request, ticket, status=refusal_show(form, error), note_form=form)
        else:
            messages.success(request, outcome.notice)
            return redirect("desk:ticket", number=outcome.ticket.number)
    return _ticket_page(request, ticket, status=400, note_form=form)


@agent_required
@require_POST
def ticket_change(request: HttpRequest, number: int) -> HttpResponse:
    ticket = access_ticket_for_agent(request.user, number)
    form = TicketUpdateForm(
        request.POST, ticket=ticket, agents=agent_list_for_departments([ticket.department_id])
    )
    if form.is_valid():
        try:
            outcome = ticket_update(
                actor=request.user,
                ticket=ticket,
                status=form.cleaned_data["status"],
                priority=form.cleaned_data["priority"],
                assignee=form.cleaned_data["assignee"],
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, outcome.notice)
            return redirect("desk:ticket", number=outcome.ticket.number)
    return _ticket_page(request, ticket, status=400, update_form=form)


@agent_required
@require_POST
def ticket_move(request: HttpRequest, number: int) -> HttpResponse:
    ticket = access_ticket_for_agent(request.user, number)
    form = TransferForm(request.POST, departments=desk_departments(request))
    if form.is_valid():
        try:
            outcome = ticket_transfer(
                actor=request.user,
                ticket=ticket,
                department=form.cleaned_data["department"],
                note=form.cleaned_data["note"],
            )
        except ApplicationError as error:
            form.add_error("department", error.message)
        else:
            messages.success(request, outcome.notice)
            if outcome.ticket.department_id in {d.pk for d in _mine(request)}:
                return redirect("desk:ticket", number=outcome.ticket.number)
            return redirect("desk:queue")
    return _ticket_page(request, ticket, status=400, transfer_form=form)


@agent_required
def ticket_merge_view(request: HttpRequest, number: int) -> HttpResponse:
    """Merge in two steps: the number typed on the ticket page leads (GET, or a POST without
    the confirmation) to a page showing that ticket and what the merge will do; only the
    confirmation's POST merges."""
    ticket = _ticket_or_redirect(request, number)
    if isinstance(ticket, HttpResponse):
        return ticket
    data = request.POST if request.method == "POST" else request.GET
    form = MergeForm(data)
    if not form.is_valid():
        return _ticket_page(request, ticket, status=400, merge_form=form)
    try:
        target = access_ticket_for_agent(request.user, form.cleaned_data["target"])
        ticket_merge_check(source=ticket, target=target)
    except NotFound:
        form.add_error("target", _("No ticket with that number in your departments."))
        return _ticket_page(request, ticket, status=400, merge_form=form)
    except ApplicationError as error:
        form.add_error("target", error.message)
        return _ticket_page(request, ticket, status=400, merge_form=form)
    confirm = MergeConfirmForm(data)
    if request.method == "POST" and confirm.is_valid():
        try:
            outcome = ticket_merge(actor=request.user, source=ticket, target=target)
        except ApplicationError as error:
            form.add_error("target", error.message)
            return _ticket_page(request, ticket, status=400, merge_form=form)
        messages.success(request, outcome.notice)
        return redirect("desk:ticket", number=outcome.ticket.number)
    preview = ticket_merge_preview(ticket, target)
    return render(
        request,
        "desk/merge_confirm.html",
        {
            "ticket": ticket,
            "target": target,
            "preview": preview,
            "confirm_form": MergeConfirmForm(
                initial={"target": target.number, "confirm": MERGE_CONFIRMED}
            ),
        },
    )


@agent_required
def ticket_presence(request: HttpRequest, number: int) -> HttpResponse:
    """A fragment the page polls: who else has this ticket open."""
    ticket = access_ticket_for_agent(request.user, number)
    return render(
        request,
        "desk/_presence.html",
        {"others_here": presence_touch(ticket.pk, request.user), "ticket": ticket},
    )


@agent_required
def attachment_download(request: HttpRequest, attachment_id: str, filename: str) -> FileResponse:
    return attachment_response(access_attachment_for_agent(request.user, attachment_id))


@agent_required
def search(request: HttpRequest, *, cap: int = SEARCH_MAX_RESULTS) -> HttpResponse:
    """Matches, most recently active first, a page at a time up to ``cap`` matches: only the
    matches up to the page shown are found, never all of them sorted or counted."""
    form = SearchForm(request.GET or None)
    page = None
    text = ""
    if form.is_valid() and form.cleaned_data["q"].strip():
        text = form.cleaned_data["q"]
        page = search_page(
            tickets_visible_to_agent(request.user).select_related("department", "account"),
            text,
            request.GET.get("page"),
            cap=cap,
        )
    return render(
        request,
        "desk/search.html",
        {"form": form, "page": page, "text": text, "cap": cap},
    )
