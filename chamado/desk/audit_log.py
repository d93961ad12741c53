"""The audit log (administrators only): every event in words (``audit_text``), filtered by
person or by ticket, a page at a time; the names a page needs are read once for the page, a
few queries whatever its length."""

from typing import Any

from django.core.paginator import Paginator
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from chamado.accounts.models import Account, ApiToken, Membership, User
from chamado.core.errors import NotFound
from chamado.core.models import AuditEvent
from chamado.desk.audit_text import Names, events_text, person_name
from chamado.desk.forms import AuditFilterForm
from chamado.desk.views import agent_required
from chamado.kb.models import Article
from chamado.services.models import Service
from chamado.tickets.models import Department, Ticket

AUDIT_PAGE_SIZE = 50
PERSON_MATCHES_MAX = 50  # a name typed that fits more people than this: the first 50 count

TICKET = "tickets.ticket"
USER = "accounts.user"


def _as_text(objects: QuerySet[Any]) -> QuerySet[Any]:
    """The ids of ``objects`` as AuditEvent.object_id stores them (text)."""
    return objects.annotate(id_text=Cast("pk", CharField())).values("id_text")


def audit_event_list(*, person: str = "", ticket_number: int | None = None) -> QuerySet[AuditEvent]:
    """The newest first. ``person`` (an email, or part of a name): what they did and what was
    done to their login; ``ticket_number``: that ticket's events and those of the tickets
    merged into it."""
    events = AuditEvent.objects.select_related("actor").order_by("-created_at", "-pk")
    if person.strip():
        text = person.strip()
        people = User.objects.filter(Q(email__iexact=text) | Q(full_name__icontains=text))
        ids = list(people.order_by("pk").values_list("pk", flat=True)[:PERSON_MATCHES_MAX])
        events = events.filter(
            Q(actor_id__in=ids) | Q(object_type=USER, object_id__in=[str(pk) for pk in ids])
        )
    if ticket_number is not None:
        tickets = Ticket.objects.filter(
            Q(number=ticket_number) | Q(merged_into__number=ticket_number)
        )
        events = events.filter(object_type=TICKET, object_id__in=_as_text(tickets))
    return events


def _ints(values: Any) -> set[int]:
    return {value for value in values if isinstance(value, int) and not isinstance(value, bool)}


def _ids_of(events: list[AuditEvent], object_type: str) -> list[int]:
    return [
        int(e.object_id) for e in events if e.object_type == object_type and e.object_id.isdigit()
    ]


def audit_names(events: list[AuditEvent]) -> Names:
    """Everything the text of these events names, each kind in one query (only the kinds the
    page has): people, tickets, departments, accounts, contacts, tokens, services, articles."""
    values = [v for e in events for v in (e.before or {}, e.after or {})]
    user_ids = set(_ids_of(events, USER))
    user_ids |= _ints(v.get(key) for v in values for key in ("user", "assignee", "contact"))
    account_ids = set(_ids_of(events, "accounts.account")) | _ints(v.get("account") for v in values)
    objects: dict[tuple[str, str], str] = {}

    memberships = _ids_of(events, "accounts.membership")
    if memberships:
        for member in Membership.objects.filter(pk__in=memberships).select_related(
            "user", "account"
        ):
            objects[("accounts.membership", str(member.pk))] = (
                f"{person_name(member.user)} · {member.account.name}"
            )
    tokens = _ids_of(events, "accounts.apitoken")
    if tokens:
        for token_id, name in ApiToken.objects.filter(pk__in=tokens).values_list("pk", "name"):
            objects[("accounts.apitoken", str(token_id))] = f"“{name}”"
    services = _ids_of(events, "services.service")
    if services:
        for service in Service.objects.filter(pk__in=services):
            objects[("services.service", str(service.pk))] = f"{service.name} ({service.label})"
    articles = _ids_of(events, "kb.article")
    if articles:
        for article in Article.objects.filter(pk__in=articles):
            objects[("kb.article", str(article.pk))] = f"“{article.title or article.title_pt_br}”"
    for event in events:
        if event.object_type == "accounts.invitation":
            email = (event.after or {}).get("email") or (event.before or {}).get("email")
            if email:
                objects[(event.object_type, event.object_id)] = str(email)
        if event.object_type == "accounts.membership" and (
            (event.object_type, event.object_id) not in objects
        ):
            before = event.before or {}
            if before.get("email"):  # removed since: what the event kept of it
                objects[(event.object_type, event.object_id)] = str(before["email"])

    tickets: dict[str, int] = {}
    ticket_ids = _ids_of(events, TICKET)
    if ticket_ids:
        tickets = {
            str(pk): number
            for pk, number in Ticket.objects.filter(pk__in=ticket_ids).values_list("pk", "number")
        }
    users = {u.pk: u for u in User.objects.filter(pk__in=user_ids)} if user_ids else {}
    accounts = (
        dict(Account.objects.filter(pk__in=account_ids).values_list("pk", "name"))
        if account_ids
        else {}
    )
    departments = (
        {d.slug: d for d in Department.objects.all()}
        if any(isinstance(v.get("department"), str) or v.get("departments") for v in values)
        else {}
    )
    return Names(
        users=users, departments=departments, tickets=tickets, accounts=accounts, objects=objects
    )


@agent_required
def audit_log(request: HttpRequest) -> HttpResponse:
    if not request.user.is_superuser:  # type: ignore[union-attr]
        raise NotFound
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        events = AuditEvent.objects.none()
    else:
        values: dict[str, Any] = form.cleaned_data if form.is_bound else {}
        events = audit_event_list(
            person=values.get("person", ""), ticket_number=values.get("ticket")
        )
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "desk/audit.html",
        {
            "form": form,
            "page": page,
            "rows": events_text(shown, audit_names(shown)),
            "query": query.urlencode(),
            "filtered": any(query.get(key) for key in ("person", "ticket")),
        },
    )
