"""Client area views: parse, call one access function and one action or selector, render."""

from operator import attrgetter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Substr
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from chamado.accounts.actions import membership_switch
from chamado.core.errors import ApplicationError, NotFound
from chamado.portal.forms import TicketOpenForm, TicketReplyForm
from chamado.portal.kb_views import ticket_form_lookup, ticket_form_suggestions
from chamado.portal.paging import page_of
from chamado.services.selectors import service_list_for_account
from chamado.tickets import workflow
from chamado.tickets.access import access_attachment, access_ticket_by_number
from chamado.tickets.actions import ticket_close, ticket_open, ticket_reply_by_client
from chamado.tickets.models import Message, Ticket
from chamado.tickets.selectors import (
    department_list_open_to_clients,
    message_list_for_client,
    ticket_list_for_contact,
    ticket_people_for_client,
    ticket_wait_estimate,
)
from chamado.web.files import attachment_response
from chamado.web.forms import refusal_show

TICKETS_PER_PAGE = 25
LINK_PLACEHOLDER = 987654321987  # a number no ticket has, replaced in one reversed link
SEARCH_MAX_LENGTH = 200  # a longer search box is cut: the subject it looks in is 120
HOME_TICKETS = 20  # the home page's active tickets (the list has them all)
HOME_REPLIES = 3
REPLY_EXCERPT_LENGTH = 160
# A message's extra tag after a reply was stored: app.js forgets the reply box's draft.
DRAFT_SENT = "draft-sent"


def _require_ticket_permission(request: HttpRequest) -> HttpResponse | None:
    """Contacts without `tickets` see why instead of a form they cannot use."""
    if request.user.may_use_tickets:  # type: ignore[union-attr]
        return None
    return render(request, "portal/no_ticket_permission.html", status=403)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if user.is_agent:
        return redirect("desk:queue")
    if not user.is_client:
        return render(request, "portal/staff_home.html")
    context: dict[str, Any] = {}
    if user.may_see_services:
        context["services"] = service_list_for_account(user.account)
    if user.may_use_tickets:
        tickets = _home_tickets(user)
        # What waits for the client (an agent answered, or put the ticket on hold) and what
        # waits for the company: workflow.client_waits says which is which.
        context["awaiting_client"] = [t for t in tickets if not workflow.client_waits(t.status)]
        context["awaiting_us"] = [t for t in tickets if workflow.client_waits(t.status)]
        # last_reply_at: the annotation of _home_tickets.
        replied = [t for t in tickets if getattr(t, "last_reply_at", None) is not None]
        replied.sort(key=attrgetter("last_reply_at"), reverse=True)
        context["recent_replies"] = replied[:HOME_REPLIES]
        context["more_tickets"] = len(tickets) == HOME_TICKETS
    return render(request, "portal/home.html", context)


def _home_tickets(user: Any) -> list[Ticket]:
    """The account's active tickets, each with its latest answer from the company (time,
    author, the start of the text), in one query: the list's selector, annotated."""
    answers = Message.objects.filter(
        ticket=OuterRef("pk"), from_agent=True, is_internal=False
    ).order_by("-created_at", "-pk")
    return list(
        ticket_list_for_contact(user, status="active").annotate(
            last_reply_at=Subquery(answers.values("created_at")[:1]),
            last_reply_author=Subquery(answers.values("author__full_name")[:1]),
            last_reply_excerpt=Subquery(
                answers.annotate(excerpt=Substr("body", 1, REPLY_EXCERPT_LENGTH)).values("excerpt")[
                    :1
                ]
            ),
        )[:HOME_TICKETS]
    )


@login_required
def department_choose(request: HttpRequest) -> HttpResponse:
    if refused := _require_ticket_permission(request):
        return refused
    return render(
        request,
        "portal/department_choose.html",
        {"departments": department_list_open_to_clients()},
    )


@login_required
def ticket_new(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    if refused := _require_ticket_permission(request):
        return refused
    departments = department_list_open_to_clients()
    # Read once: the address's department, the form's choices and the submitted value.
    department = next((d for d in departments if d.slug == slug), None) if slug else None
    if slug and department is None:
        raise NotFound
    form_kwargs: dict[str, Any] = {
        "contact": request.user,
        "departments": departments,
        "preselected": department,
    }
    if request.method == "POST" and "kb_lookup" in request.POST:
        return ticket_form_lookup(request.POST.get("subject", ""), slug or "")
    status = 200
    if request.method == "POST":
        status = 400
        form = TicketOpenForm(request.POST, request.FILES, **form_kwargs)
        if form.is_valid():
            try:
                outcome = ticket_open(
                    actor=request.user,
                    department=form.cleaned_data["department"],
                    service=form.cleaned_data["service"],
                    subject=form.cleaned_data["subject"],
                    priority=form.cleaned_data["priority"],
                    body=form.cleaned_data["message"],
                    files=form.cleaned_data["attachments"],
                    submission_key=form.cleaned_data["submission_key"],
                )
            except ApplicationError as error:
                status = refusal_show(form, error)
            else:
                return redirect("portal:ticket_created", number=outcome.ticket.number)
    else:
        # A closed ticket's page may send its subject and the typed text along.
        initial = {
            "department": department,
            "subject": request.GET.get("subject", "")[: workflow.SUBJECT_MAX_LENGTH],
            "message": request.GET.get("message", ""),
        }
        form = TicketOpenForm(initial=initial, **form_kwargs)
    return render(
        request,
        "portal/ticket_new.html",
        {
            "form": form,
            "department": department,
            "files_again": _files_again(form),
            **ticket_form_suggestions(request, str(form["subject"].value() or ""), slug or ""),
        },
        status=status,
    )


def _files_again(form: Any) -> list[str]:
    return form.files_to_choose_again() if form.is_bound and form.errors else []


def _act_for_ticket_account(request: HttpRequest, ticket: Ticket) -> None:
    """A ticket of another of the person's accounts (a link from its email) is read as that
    account: it becomes the one they act for, and the page says so."""
    user: Any = request.user
    if ticket.account_id != user.account_id:
        membership = membership_switch(user=user, account_id=ticket.account_id)
        messages.info(
            request,
            _("This ticket belongs to %(account)s: you now act for that account.")
            % {"account": membership.account.name},
        )


@login_required
def ticket_created(request: HttpRequest, number: int) -> HttpResponse:
    ticket = access_ticket_by_number(request.user, number)
    return render(
        request,
        "portal/ticket_created.html",
        {"ticket": ticket, "expected_wait": ticket_wait_estimate(ticket, now=timezone.now())},
    )


@login_required
def ticket_list(request: HttpRequest) -> HttpResponse:
    if refused := _require_ticket_permission(request):
        return refused
    status = request.GET.get("status") or ""
    q = request.GET.get("q", "").strip()[:SEARCH_MAX_LENGTH]
    tickets = ticket_list_for_contact(request.user, status=status or None, q=q)
    # The count stops a few pages past this one: the list costs the same on any account.
    page = page_of(tickets, TICKETS_PER_PAGE, request.GET.get("page"))
    # What each row shows, worked out once for the page: the status names translated once
    # (not once a row), the ticket links from one reverse().
    labels = {value: str(label) for value, label in Ticket.Status.choices}
    link = reverse("portal:ticket", args=[LINK_PLACEHOLDER]).replace(str(LINK_PLACEHOLDER), "{}")
    rows = list(page.object_list)
    for ticket in rows:
        ticket.status_label = labels[ticket.status]  # type: ignore[attr-defined]
        ticket.link = link.format(ticket.number)  # type: ignore[attr-defined]
    page.object_list = rows
    return render(
        request,
        "portal/ticket_list.html",
        {"page": page, "status": status, "q": q, "statuses": labels.items()},
    )


@login_required
def ticket_detail(request: HttpRequest, number: int) -> HttpResponse:
    ticket = access_ticket_by_number(request.user, number)
    _act_for_ticket_account(request, ticket)
    if ticket.merged_from and request.method != "POST":
        # A merged number leads to the ticket it was merged into; a reply posted to it is
        # stored there (the access function already led there).
        return redirect("portal:ticket", number=ticket.number)
    form = TicketReplyForm()
    status = 200
    if request.method == "POST":
        form = TicketReplyForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                outcome = ticket_reply_by_client(
                    actor=request.user,
                    ticket=ticket,
                    body=form.cleaned_data["message"],
                    files=form.cleaned_data["attachments"],
                    submission_key=form.cleaned_data["submission_key"],
                )
            except ApplicationError as error:
                status = refusal_show(form, error)
            else:
                level = messages.INFO if outcome.kept_place else messages.SUCCESS
                messages.add_message(request, level, outcome.notice, extra_tags=DRAFT_SENT)
                return redirect("portal:ticket", number=outcome.ticket.number)
        else:
            status = 400
    return render(
        request,
        "portal/ticket_detail.html",
        {
            "ticket": ticket,
            "conversation": message_list_for_client(ticket),
            "form": form,
            "files_again": _files_again(form),
            "expected_wait": ticket_wait_estimate(ticket, now=timezone.now()),
            "people": ticket_people_for_client(ticket),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def ticket_close_view(request: HttpRequest, number: int) -> HttpResponse:
    """GET asks to confirm (a page that works without JavaScript; with it, the ticket page
    asks in a dialog and posts the same form); only POST closes."""
    ticket = access_ticket_by_number(request.user, number)
    if request.method != "POST":
        if ticket.merged_from or ticket.is_closed:
            return redirect("portal:ticket", number=ticket.number)
        return render(request, "portal/ticket_close.html", {"ticket": ticket})
    outcome = ticket_close(actor=request.user, ticket=ticket)
    if outcome.changed:
        messages.success(request, outcome.notice)
    return redirect("portal:ticket", number=outcome.ticket.number)


@login_required
def attachment_download(request: HttpRequest, attachment_id: str, filename: str) -> FileResponse:
    return attachment_response(access_attachment(request.user, attachment_id))


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Django's set_language, also remembered on the user for the emails they receive."""
    from django.views.i18n import set_language

    response = set_language(request)
    language = request.POST.get("language", "")
    user: Any = request.user
    if user.is_authenticated and language and user.language != language:
        from chamado.accounts.actions import user_language_set

        user_language_set(user=user, language=language)
    return response
