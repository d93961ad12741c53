"""Reads of tickets, shaped for the pages that show them (query counts pinned in tests)."""

import base64
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Lower
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from chamado.accounts.models import Membership, User
from chamado.core.cache import cache_delete, cache_get, cache_set
from chamado.core.models import AuditEvent
from chamado.core.search import Folded, fold, query_words
from chamado.tickets import sla, workflow
from chamado.tickets.access import tickets_of_current_account, tickets_visible_to_agent
from chamado.tickets.models import (
    Attachment,
    CannedReply,
    Department,
    Message,
    Policy,
    SlaTarget,
    Ticket,
    TicketFollower,
)


def department_list_open_to_clients() -> QuerySet[Department]:
    return Department.objects.filter(is_visible=True).order_by("position", "name")


def ticket_list_for_contact(
    contact: Any, *, status: str | None = None, q: str = ""
) -> QuerySet[Ticket]:
    """The tickets of the account the contact acts for now (if they may see them), with who
    opened each, most recent activity first; ``q`` narrows them (``ticket_find``)."""
    tickets = (
        tickets_of_current_account(contact)
        .select_related("department", "contact")
        .defer("search_document")
    )
    if status == "active":
        tickets = tickets.exclude(status=Ticket.Status.CLOSED)
    elif status in Ticket.Status.values:
        tickets = tickets.filter(status=status)
    if q.strip():
        tickets = ticket_find(tickets, q)
    return tickets.order_by("-last_activity_at", "-pk")


FIND_WORDS = 10  # more words than this in one search of a list: the first ten count


def _subject_folded() -> Func:
    """The subject in lower case without accents, to compare with ``core.search.fold``."""
    if connection.vendor == "postgresql":
        # core's migration 0002 installs unaccent.
        return Lower(Func(F("subject"), function="unaccent", output_field=CharField()))
    return Folded("subject")


def ticket_find(tickets: QuerySet[Ticket], q: str) -> QuerySet[Ticket]:
    """Those of ``tickets`` a client's search box names: ``#592110`` is that number; digits
    alone are the number or part of the subject; anything else, every word in the subject,
    accents and case ignored. Only the subject: the search text also holds internal notes."""
    text = q.strip()
    number = workflow.number_in_text(text)
    if number is not None and text.startswith("#"):
        return tickets.filter(number=number)
    words = query_words(text)[:FIND_WORDS]
    if not words:
        return tickets.filter(number=number) if number is not None else tickets.none()
    tickets = tickets.alias(subject_folded=_subject_folded())
    found = Q()
    for word in words:
        found &= Q(subject_folded__contains=fold(word))
    if number is not None:
        found |= Q(number=number)
    return tickets.filter(found)


def message_list_for_client(ticket: Ticket) -> QuerySet[Message]:
    """The conversation as the client sees it: no internal notes."""
    return (
        Message.objects.filter(ticket=ticket, is_internal=False)
        .select_related("author")
        .prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.order_by("created_at"))
        )
        .order_by("created_at", "pk")
    )


# ---- Followers ---------------------------------------------------------------------------


def ticket_follower_list(ticket: Ticket) -> list[User]:
    """Everyone following the ticket (besides its opener), in the order they were added,
    whether or not they may still see it (mail.notify asks that at queue time)."""
    return list(
        User.objects.filter(ticket_follows__ticket=ticket).order_by(
            "ticket_follows__created_at", "ticket_follows__pk"
        )
    )


def membership_list_for_ticket(ticket: Ticket) -> QuerySet[Membership]:
    """The people of the ticket's account (the owner first), each with ``followed_at``: when
    they started following this ticket (None: they do not). One query."""
    return (
        Membership.objects.filter(account_id=ticket.account_id)
        .select_related("user")
        .annotate(
            followed_at=Subquery(
                TicketFollower.objects.filter(ticket=ticket, user_id=OuterRef("user_id")).values(
                    "created_at"
                )[:1]
            )
        )
    )


@dataclass(frozen=True)
class TicketPeople:
    """Who the client's ticket page lists: the followers who may see the ticket now (the
    ones its emails go to), and the contacts who could be added."""

    followers: list[User]
    candidates: list[User]


def ticket_people_for_client(ticket: Ticket) -> TicketPeople:
    """One query: the account's active contacts with the `tickets` permission."""
    followers: list[tuple[Any, User]] = []
    candidates: list[User] = []
    for member in membership_list_for_ticket(ticket).filter(
        Membership.with_tickets(), user__is_active=True
    ):
        if member.user_id == ticket.contact_id:
            continue
        if member.followed_at is None:  # type: ignore[attr-defined]
            candidates.append(member.user)
        else:
            followers.append((member.followed_at, member.user))  # type: ignore[attr-defined]
    followers.sort(key=lambda pair: (pair[0], pair[1].pk))
    return TicketPeople(followers=[user for _at, user in followers], candidates=candidates)


# ---- The agent desk -------------------------------------------------------------------

AWAITING = "awaiting"  # the default queue: tickets whose next move is the company's
ACTIVE = "active"


def queue_for_agent(
    actor: Any,
    *,
    now: datetime,
    department: int | None = None,
    status: str = AWAITING,
    priority: int | None = None,
    assignee: str = "anyone",
    breach: str = "",
) -> QuerySet[Ticket]:
    """The agent's queue: priority first, then the moment the client
    started waiting (so extra client messages neither jump ahead nor fall behind)."""
    # The search text is never shown in a list, and sorting rows that carry it spills to disk.
    tickets = (
        tickets_visible_to_agent(actor)
        .select_related("department", "account", "assignee", "contact")
        .defer("search_document")
    )
    tickets = tickets.filter(merged_into=None)
    if department:
        tickets = tickets.filter(department_id=department)
    if status == AWAITING:
        tickets = tickets.filter(status__in=workflow.WAITING)
    elif status == ACTIVE:
        tickets = tickets.exclude(status=Ticket.Status.CLOSED)
    elif status in Ticket.Status.values:
        tickets = tickets.filter(status=status)
    if priority:
        tickets = tickets.filter(priority=priority)
    if assignee == "me":
        tickets = tickets.filter(assignee=actor)
    elif assignee == "nobody":
        tickets = tickets.filter(assignee=None)
    if breach == "breached":
        tickets = tickets.filter(response_due_at__lte=now)
    elif breach == "near":
        tickets = tickets.filter(response_warn_at__lte=now, response_due_at__gt=now)
    elif breach == "near_or_breached":
        tickets = tickets.filter(response_warn_at__lte=now)
    return tickets.order_by(
        "-priority", F("waiting_since").asc(nulls_last=True), "created_at", "pk"
    )


def queue_counts_for_agent(actor: Any) -> dict[int, int]:
    """Awaiting tickets per department, for the menu: one query."""
    rows = (
        tickets_visible_to_agent(actor)
        .filter(status__in=workflow.WAITING, merged_into=None)
        .values("department_id")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return {row["department_id"]: row["count"] for row in rows}


def message_list_for_agent(ticket: Ticket) -> QuerySet[Message]:
    """The whole conversation, internal notes included."""
    return (
        Message.objects.filter(ticket=ticket)
        .select_related("author")
        .prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.order_by("created_at"))
        )
        .order_by("created_at", "pk")
    )


def ticket_list_for_account_sidebar(agent: Any, ticket: Ticket, *, limit: int = 5) -> list[Ticket]:
    """The account's other tickets this agent may open (one of another department would be a
    link to a 404 and a subject they should not read)."""
    return list(
        tickets_visible_to_agent(agent)
        .filter(account_id=ticket.account_id, merged_into=None)
        .exclude(pk=ticket.pk)
        .order_by("-last_activity_at")[:limit]
    )


@dataclass(frozen=True)
class WaitEstimate:
    wait: timedelta
    measured: bool  # False: too few recent answers, so the wait shown is the target


# A department's recent median first answer, computed at most once a minute (it reads up to
# 5,000 rows; every client page of a waiting ticket shows it).
WAIT_MEDIAN_KEY = "chamado:wait-median:{department}:{minute}"
WAIT_MEDIAN_SECONDS = 120


def department_wait_estimate(department_id: int, priority: int, *, now: datetime) -> WaitEstimate:
    """Median first-response time of the department over the last 7 days, or its target."""
    key = WAIT_MEDIAN_KEY.format(department=department_id, minute=now.strftime("%Y%m%d%H%M"))
    cached = cache_get(key)
    if isinstance(cached, tuple) and len(cached) == 1:
        (median,) = cached
    else:
        since = now - timedelta(days=7)
        # The latest 5000 answers, read in the order of the index ticket_first_response.
        samples = [
            first - created
            for created, first in Ticket.objects.filter(
                department_id=department_id,
                first_response_at__gte=since,
                first_response_at__lte=now,
            )
            .order_by("-first_response_at")
            .values_list("created_at", "first_response_at")[:5000]
            if first is not None
        ]
        median = sla.recent_median(samples)
        cache_set(key, (median,), WAIT_MEDIAN_SECONDS)
    if median is not None:
        return WaitEstimate(wait=median, measured=True)
    return WaitEstimate(wait=sla_targets(department_id, priority).first_response, measured=False)


def ticket_wait_estimate(ticket: Ticket, *, now: datetime) -> WaitEstimate | None:
    """The honest wait shown to a client while they wait for us (None otherwise): the
    department's recent median first answer, or its target when too few were measured."""
    if not workflow.client_waits(ticket.status):
        return None
    return department_wait_estimate(ticket.department_id, ticket.priority, now=now)


def department_expected_wait(department_id: int, priority: int, *, now: datetime) -> timedelta:
    return department_wait_estimate(department_id, priority, now=now).wait


# Every SLA target (a few rows: departments x priorities), kept in the cache since every
# ticket write reads one; cleared when a target is saved or deleted, and short-lived besides.
SLA_TARGETS_KEY = "chamado:sla-targets"
SLA_TARGETS_SECONDS = 300


def sla_targets(department_id: int, priority: int) -> sla.Targets:
    table = cache_get(SLA_TARGETS_KEY)
    if not isinstance(table, dict):
        table = {
            (department, level): (first, then)
            for department, level, first, then in SlaTarget.objects.values_list(
                "department_id", "priority", "first_response_minutes", "next_response_minutes"
            )
        }
        cache_set(SLA_TARGETS_KEY, table, SLA_TARGETS_SECONDS)
    found = table.get((department_id, priority))
    if found is None:
        return sla.Targets()
    return sla.Targets(
        first_response=timedelta(minutes=found[0]), next_response=timedelta(minutes=found[1])
    )


@receiver(post_save, sender=SlaTarget, dispatch_uid="chamado.tickets.sla_targets_forget.save")
@receiver(post_delete, sender=SlaTarget, dispatch_uid="chamado.tickets.sla_targets_forget.delete")
def sla_targets_forget(**kwargs: Any) -> None:
    """Now, and again once the change is committed (a request may have read the rows before)."""
    cache_delete(SLA_TARGETS_KEY)
    transaction.on_commit(lambda: cache_delete(SLA_TARGETS_KEY))


def canned_reply_list_for_department(department_id: int) -> QuerySet[CannedReply]:
    return CannedReply.objects.filter(Q(department=None) | Q(department_id=department_id)).order_by(
        "title"
    )


# Every canned reply (tens of rows), kept in the cache since every desk ticket page offers
# them; cleared when one is saved or deleted (a department's deletion deletes its own).
CANNED_REPLIES_KEY = "chamado:canned-replies"
CANNED_REPLIES_SECONDS = 300


def canned_replies_for_department(department_id: int) -> list[CannedReply]:
    """``canned_reply_list_for_department``'s rows, from the cache: the desk's ticket page."""
    rows = cache_get(CANNED_REPLIES_KEY)
    if not isinstance(rows, list):
        rows = list(CannedReply.objects.order_by("title", "pk"))
        cache_set(CANNED_REPLIES_KEY, rows, CANNED_REPLIES_SECONDS)
    return [row for row in rows if row.department_id in (None, department_id)]


@receiver(post_save, sender=CannedReply, dispatch_uid="chamado.tickets.canned_forget.save")
@receiver(post_delete, sender=CannedReply, dispatch_uid="chamado.tickets.canned_forget.delete")
def canned_replies_forget(**kwargs: Any) -> None:
    """Now, and again once the change is committed (a request may have read the rows before)."""
    cache_delete(CANNED_REPLIES_KEY)
    transaction.on_commit(lambda: cache_delete(CANNED_REPLIES_KEY))


def agent_list_for_departments(departments: Any) -> QuerySet[User]:
    """Active agents of the given departments (ids or a queryset), each once, by name."""
    return (
        User.objects.filter(is_agent=True, is_active=True, departments__in=departments)
        .distinct()
        .order_by("full_name")
    )


NUMBER_DIGITS_CACHE_SECONDS = 300


def ticket_number_digits(policy: Policy) -> int:
    """How many digits the next ticket number gets. Counting the numbers of a length reads the
    unique index (a million entries at most): the answer is kept a few minutes, which only
    matters near the threshold, where a number still takes about two tries."""
    key = f"chamado:number-digits:{policy.number_min_digits}:{policy.number_grow_at_percent}"
    digits = cache_get(key)
    if not isinstance(digits, int):

        def used(length: int) -> int:
            low, high = workflow.number_space(length)
            return Ticket.objects.filter(number__range=(low, high)).count()

        digits = workflow.number_digits(
            used,
            min_digits=policy.number_min_digits,
            grow_at_percent=policy.number_grow_at_percent,
        )
        cache_set(key, digits, NUMBER_DIGITS_CACHE_SECONDS)
    return digits


# ---- The desk: the queue's columns, the ticket's timeline, the merge preview --------------

# The columns an agent may order the queue by, and what each orders by: a whitelist, so a
# query string never reaches order_by.
QUEUE_SORTS = ("number", "subject", "client", "priority", "status", "waiting", "sla")


def _queue_sort_expression(key: str) -> Any:
    if key == "subject":
        return Lower("subject")
    if key == "client":
        return Lower("account__name")
    if key == "status":  # the order of the statuses in the workflow, not of their spelling
        return Case(
            *[
                When(status=status, then=Value(rank))
                for rank, status in enumerate(workflow.STATUSES)
            ],
            output_field=IntegerField(),
        )
    return F({"waiting": "waiting_since", "sla": "response_due_at"}.get(key, key))


def queue_sort_parse(value: str | None) -> tuple[str, bool] | None:
    """``"sla"`` is (``"sla"``, ascending), ``"-sla"`` (``"sla"``, descending); anything not
    in ``QUEUE_SORTS`` is None: the queue's own order."""
    text = (value or "").strip()
    descending = text.startswith("-")
    key = text.removeprefix("-")
    return (key, descending) if key in QUEUE_SORTS else None


def queue_sorted(tickets: QuerySet[Ticket], sort: str | None) -> QuerySet[Ticket]:
    """``tickets`` ordered by the column the agent chose; ties keep the queue's own order, then
    the id, so the pages of a sorted queue never repeat or skip a ticket. Tickets without the
    value (not waiting, no SLA clock) come last either way."""
    parsed = queue_sort_parse(sort)
    if parsed is None:
        return tickets
    key, descending = parsed
    expression = _queue_sort_expression(key)
    first = expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
    return tickets.order_by(
        first, "-priority", F("waiting_since").asc(nulls_last=True), "created_at", "pk"
    )


def department_list_for_desk(actor: Any) -> list[Department]:
    """Every department by position, each with ``is_mine`` (one of the agent's; all of them for
    an administrator): the menu, the queue's filter, transfers and the names in timelines, from
    one query."""
    if getattr(actor, "is_superuser", False):
        mine: Any = Value(True)
    else:
        mine = Exists(
            Department.agents.through.objects.filter(department_id=OuterRef("pk"), user_id=actor.pk)
        )
    return list(Department.objects.annotate(is_mine=mine).order_by("position", "name", "pk"))


def people_for_ticket(ticket: Ticket, named: Iterable[int] = ()) -> list[User]:
    """The active agents of the ticket's department (``assignable``), and whoever else the
    ticket's timeline names (``named``: a former assignee, a follower), by name: one query."""
    in_department = Exists(
        Department.agents.through.objects.filter(
            department_id=ticket.department_id, user_id=OuterRef("pk")
        )
    )
    assignable = Q(is_agent=True, is_active=True) & Q(in_department)
    return list(
        User.objects.filter(assignable | Q(pk__in=list(named)))
        .annotate(
            assignable=Case(
                When(assignable, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("full_name", "email", "pk")
    )


# The changes a ticket's timeline shows between its messages. Replies and notes are the
# messages themselves: the status they moved the ticket to is shown on the message.
TIMELINE_VERBS = (
    "ticket.update",
    "ticket.transfer",
    "ticket.merge",
    "ticket.close",
    "ticket.autoclose",
    "ticket.follower_add",
    "ticket.follower_remove",
)
MESSAGE_VERBS = ("ticket.client_reply", "ticket.agent_reply", "ticket.note")


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    message: Message | None = None
    event: AuditEvent | None = None
    # A message's status change: (before, after), None when it left the status as it was.
    status_change: tuple[str, str] | None = None


@dataclass(frozen=True)
class Timeline:
    entries: list[TimelineEntry]
    messages: list[Message]
    user_ids: frozenset[int]  # the people the changes name: assignees, followers
    department_slugs: frozenset[str]  # the departments they name: transfers


def ticket_timeline(ticket: Ticket) -> Timeline:
    """The conversation (internal notes included) and the ticket's changes (status, priority,
    assignee, department, merges, followers) from its audit events, in time order: three
    queries (messages, their attachments, the events with who made them)."""
    messages = list(message_list_for_agent(ticket))
    events = list(
        AuditEvent.objects.filter(
            object_type=Ticket._meta.label_lower,
            object_id=str(ticket.pk),
            verb__in=(*TIMELINE_VERBS, *MESSAGE_VERBS),
        )
        .select_related("actor")
        .order_by("created_at", "pk")
    )
    moves: dict[Any, tuple[str, str]] = {}
    user_ids: set[int] = set()
    slugs: set[str] = set()
    entries = []
    for event in events:
        before, after = event.before or {}, event.after or {}
        if event.verb in MESSAGE_VERBS:
            if before.get("status") and before.get("status") != after.get("status"):
                moves[after.get("message")] = (before["status"], after["status"])
            continue
        for values in (before, after):
            for key in ("assignee", "user"):
                if isinstance(values.get(key), int):
                    user_ids.add(values[key])
            if isinstance(values.get("department"), str):
                slugs.add(values["department"])
        entries.append(TimelineEntry(at=event.created_at, event=event))
    entries += [
        TimelineEntry(at=message.created_at, message=message, status_change=moves.get(message.pk))
        for message in messages
    ]
    # A change made in the same instant as a message (a transfer's note) comes after it.
    entries.sort(key=lambda entry: (entry.at, entry.event is not None))
    return Timeline(
        entries=entries,
        messages=messages,
        user_ids=frozenset(user_ids),
        department_slugs=frozenset(slugs),
    )


@dataclass(frozen=True)
class MergePreview:
    last_message: Message | None  # the target's latest message, internal notes included
    source_messages: int  # how many messages move


def ticket_merge_preview(source: Ticket, target: Ticket) -> MergePreview:
    """What the desk shows before ``source`` is merged into ``target``: two queries."""
    last = (
        Message.objects.filter(ticket=target)
        .select_related("author")
        .order_by("-created_at", "-pk")
        .first()
    )
    return MergePreview(
        last_message=last, source_messages=Message.objects.filter(ticket=source).count()
    )


# ---- The desk: the queue's pages, by keyset -------------------------------------------------

QUEUE_CURSOR_MAX = 600  # characters: a cursor is a few values, never more


@dataclass(frozen=True)
class _Key:
    """One column of the queue's order: what it is, its direction, and how a cursor spells
    its value (``int``, ``str``, ``datetime``; None is a missing value, always last)."""

    expression: Any
    descending: bool
    kind: type
    nullable: bool = False


def _queue_keys(sort: str | None) -> list[_Key]:
    """The queue's order as keys: the chosen column first (when one is), then the queue's own
    order (priority, waiting since, opened), then the id: every row has a distinct tuple."""
    keys = [
        _Key(F("priority"), True, int),
        _Key(F("waiting_since"), False, datetime, nullable=True),
        _Key(F("created_at"), False, datetime),
        _Key(F("pk"), False, int),
    ]
    parsed = queue_sort_parse(sort)
    if parsed is not None:
        key, descending = parsed
        kind: type = {"subject": str, "client": str, "waiting": datetime, "sla": datetime}.get(
            key, int
        )
        nullable = key in ("waiting", "sla")
        keys.insert(0, _Key(_queue_sort_expression(key), descending, kind, nullable))
    return keys


def _cursor_encode(values: list[Any]) -> str:
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    text = json.dumps(plain, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(text).decode().rstrip("=")


def _cursor_decode(cursor: str | None, keys: list[_Key]) -> list[Any] | None:
    """The values a cursor holds, each of its key's kind; None for anything else (a cursor of
    another order, a hand-made one): the first page."""
    if not cursor or len(cursor) > QUEUE_CURSOR_MAX:
        return None
    try:
        plain = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(plain, list) or len(plain) != len(keys):
            return None
        values: list[Any] = []
        for key, value in zip(keys, plain, strict=True):
            if value is None:
                values.append(None)
            elif key.kind is datetime:
                moment = datetime.fromisoformat(value)
                if moment.tzinfo is None:
                    return None
                values.append(moment)
            elif (key.kind is int and type(value) is int) or (
                key.kind is str and isinstance(value, str)
            ):
                values.append(value)
            else:
                return None
    except (ValueError, TypeError):
        return None
    if values[-1] is None:  # the id
        return None
    return values


def _keyset_branches(keys: list[_Key], values: list[Any], *, forward: bool) -> list[Q]:
    """The rows after the one whose key values are ``values`` in the queue's order (before it
    when not ``forward``; missing values count last), as branches whose union they are: k0
    beyond v0; k0 = v0 and k1 beyond v1; ... Each branch is one range of an index that
    follows the order (equal columns, then a bound), so a deep page reads its rows from where
    the last one ended instead of filtering every row before it."""
    branches = []
    same = Q()
    for index, key in enumerate(keys):
        name, value = f"qk{index}", values[index]
        greater = key.descending != forward  # forward on a descending key: smaller values
        if value is None and not key.nullable:
            return []  # a hand-made cursor: nothing
        if value is None:
            # Missing values come last: after them, none; before them, every present one.
            if not forward:
                branches.append(same & Q(**{f"{name}__isnull": False}))
            same &= Q(**{f"{name}__isnull": True})
            continue
        beyond = Q(**{f"{name}__{'gt' if greater else 'lt'}": value})
        if forward and key.nullable:
            beyond |= Q(**{f"{name}__isnull": True})
        branches.append(same & beyond)
        same &= Q(**{name: value})
    return branches


@dataclass(frozen=True)
class QueuePage:
    object_list: list[Ticket]
    next_cursor: str  # "" on the last page
    previous_cursor: str  # "" on the first page


def queue_page(
    tickets: QuerySet[Ticket],
    sort: str | None,
    *,
    after: str | None = None,
    before: str | None = None,
    size: int = 50,
) -> QueuePage:
    """One page of the queue ``tickets`` (``queue_for_agent``) in the order ``sort`` asks, the
    page after the cursor ``after`` or before ``before`` (the first page without either): a
    deep page costs what the first one does, where an OFFSET reads every row before it. The
    page is chosen among the tickets alone, then only its rows are read with their account and
    assignee: one query."""
    keys = _queue_keys(sort)
    annotations = {f"qk{index}": key.expression for index, key in enumerate(keys)}

    def ordered(queryset: QuerySet[Ticket], forward: bool) -> QuerySet[Ticket]:
        order = []
        for index, key in enumerate(keys):
            field = F(f"qk{index}")
            # Missing values last in the queue's order, so first when read backwards; a column
            # that is never missing is left plain, so its index gives the order.
            nulls: dict[str, bool] = {}
            if key.nullable:
                nulls = {"nulls_last": True} if forward else {"nulls_first": True}
            order.append(field.desc(**nulls) if key.descending == forward else field.asc(**nulls))
        return queryset.order_by(*order)

    forward = True
    values = _cursor_decode(after, keys)
    if values is None:
        values = _cursor_decode(before, keys)
        forward = values is None
    chosen = tickets.alias(**annotations)
    branches = [Q()] if values is None else _keyset_branches(keys, values, forward=forward)
    # Each branch's first rows (a subquery each, in one UNION), then the page among them.
    firsts = [ordered(chosen.filter(b), forward).values("pk")[: size + 1] for b in branches]
    if len(firsts) > 1 and connection.features.supports_slicing_ordering_in_compound:
        found = Q(pk__in=firsts[0].union(*firsts[1:], all=True))
    else:  # SQLite: no LIMIT inside a UNION; one IN (subquery) a branch
        found = Q(pk__in=[])
        for first in firsts:
            found |= Q(pk__in=first)
    rows = list(
        ordered(
            Ticket.objects.filter(found)
            .select_related("account", "assignee")
            .defer("search_document")
            .annotate(**annotations),
            forward,
        )[: size + 1]
    )
    more = len(rows) > size
    rows = rows[:size]
    if not forward:
        if not more:  # nothing before these: the first page, whole
            return queue_page(tickets, sort, size=size)
        rows.reverse()

    def cursor(ticket: Ticket) -> str:
        return _cursor_encode([getattr(ticket, f"qk{index}") for index in range(len(keys))])

    has_next = more if forward else True
    has_previous = values is not None if forward else True
    return QueuePage(
        object_list=rows,
        next_cursor=cursor(rows[-1]) if rows and has_next else "",
        previous_cursor=cursor(rows[0]) if rows and has_previous else "",
    )
