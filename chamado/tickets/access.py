"""The only ways to reach a ticket or an attachment. Missing and forbidden look the same.

A merged ticket's number leads to the ticket it was merged into, for reading and for every
write, on every surface: the functions here return the surviving ticket, with ``merged_from``
set to the number asked for. The actions refuse to write to a merged ticket as well."""

import uuid
from collections.abc import Sequence
from typing import Any

from django.db import models
from django.db.models import QuerySet

from chamado.accounts.models import Membership
from chamado.core.errors import NotFound
from chamado.tickets.models import Attachment, Department, Ticket


def _first_or_not_found[M: models.Model](objects: QuerySet[M], **lookup: Any) -> M:
    found = objects.filter(**lookup).first()
    if found is None:
        raise NotFound
    return found


NUMBER_LIMIT = 2**31  # beyond the database's integer, a number can only be a miss


def _as_number(number: int | str) -> int:
    try:
        value = int(number)
    except (TypeError, ValueError):
        raise NotFound from None
    if not 0 < value < NUMBER_LIMIT:
        raise NotFound
    return value


def _maybe_number(number: int | str) -> int | None:
    try:
        return _as_number(number)
    except NotFound:
        return None


def _as_uuid(value: uuid.UUID | str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFound from None


MERGE_HOPS = 10  # A merged into B, B later into C...: a chain is followed this far.


def _resolved(tickets: QuerySet[Ticket], ticket: Ticket) -> Ticket:
    """The ticket ``ticket`` was merged into (through any chain), among ``tickets``."""
    asked = ticket.number
    for _hop in range(MERGE_HOPS):
        if ticket.merged_into_id is None:
            ticket.merged_from = asked if ticket.number != asked else None
            return ticket
        ticket = _first_or_not_found(tickets, pk=ticket.merged_into_id)
    raise NotFound


def _reach(tickets: QuerySet[Ticket], number: int | str) -> Ticket:
    return _resolved(tickets, _first_or_not_found(tickets, number=_as_number(number)))


def is_active_agent(actor: Any) -> bool:
    """Company staff who may work the desk (on the web, the API and in the actions alike)."""
    return bool(getattr(actor, "is_authenticated", False) and actor.is_agent and actor.is_active)


# ---- Clients: the owner, or a contact with the `tickets` permission, of the ticket's account.
# A person may belong to several accounts (accounts.Membership): they reach the tickets of each
# account where they have the permission; lists show the account they act for now.


def accounts_with_tickets(actor: Any) -> QuerySet[Membership]:
    """The actor's memberships that may open and see tickets (checked on every request)."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return Membership.objects.none()
    return Membership.objects.filter(Membership.with_tickets(), user_id=actor.pk)


def tickets_visible_to_client(actor: Any) -> QuerySet[Ticket]:
    """Every ticket of every account where the actor has the `tickets` permission."""
    return Ticket.objects.filter(account_id__in=accounts_with_tickets(actor).values("account_id"))


def clients_who_may_see(ticket: Ticket, people: Sequence[Any]) -> list[Any]:
    """Those of ``people`` who may see ``ticket`` now (active, with the `tickets` permission
    in its account), in the order given: who its emails may go to."""
    allowed = set(
        Membership.objects.filter(
            Membership.with_tickets(),
            account_id=ticket.account_id,
            user__in=[person.pk for person in people],
            user__is_active=True,
        ).values_list("user_id", flat=True)
    )
    return [person for person in people if person.pk in allowed]


def tickets_of_current_account(actor: Any) -> QuerySet[Ticket]:
    """The tickets of the account the actor acts for now, if they may see them."""
    if not getattr(actor, "is_authenticated", False) or not actor.may_use_tickets:
        return Ticket.objects.none()
    return Ticket.objects.filter(account_id=actor.account_id)


def access_ticket_by_number(actor: Any, number: int | str) -> Ticket:
    """A ticket of one of the client's accounts where they have the `tickets` permission
    (the owner has it)."""
    return _reach(
        tickets_visible_to_client(actor).select_related("department", "service", "contact"),
        number,
    )


def access_attachment(actor: Any, attachment_id: uuid.UUID | str) -> Attachment:
    """An attachment of a message the client may see (never one of an internal note)."""
    return _first_or_not_found(
        Attachment.objects.filter(
            message__is_internal=False, message__ticket__in=tickets_visible_to_client(actor)
        ),
        pk=_as_uuid(attachment_id),
    )


# ---- Agents: the departments they belong to; administrators everything.


def departments_for_agent(actor: Any) -> QuerySet[Department]:
    if not is_active_agent(actor):
        return Department.objects.none()
    if actor.is_superuser:
        return Department.objects.all()
    return Department.objects.filter(agents=actor)


def tickets_visible_to_agent(actor: Any) -> QuerySet[Ticket]:
    if not is_active_agent(actor):
        return Ticket.objects.none()
    if actor.is_superuser:
        return Ticket.objects.all()
    return Ticket.objects.filter(department__agents=actor)


def access_ticket_for_agent(actor: Any, number: int | str) -> Ticket:
    """A ticket of one of the agent's departments (any, for administrators)."""
    return _reach(
        tickets_visible_to_agent(actor).select_related(
            "department", "service", "contact", "account", "assignee"
        ),
        number,
    )


def access_tickets_for_agent(actor: Any, numbers: Sequence[int | str]) -> list[Ticket]:
    """The tickets behind these numbers that the agent may see, each once (a merged number
    gives the ticket it was merged into); numbers out of reach are left out silently (moved
    away since the queue was loaded)."""
    tickets = tickets_visible_to_agent(actor)
    found: dict[int, Ticket] = {}
    for ticket in tickets.filter(number__in=[n for n in map(_maybe_number, numbers) if n]):
        try:
            survivor = _resolved(tickets, ticket)
        except NotFound:
            continue
        found.setdefault(survivor.pk, survivor)
    return sorted(found.values(), key=lambda t: t.number)


def access_attachment_for_agent(actor: Any, attachment_id: uuid.UUID | str) -> Attachment:
    return _first_or_not_found(
        Attachment.objects.filter(message__ticket__in=tickets_visible_to_agent(actor)),
        pk=_as_uuid(attachment_id),
    )
