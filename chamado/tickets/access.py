"""The only ways to reach a ticket or an attachment. Missing and forbidden look the same."""

import uuid
from typing import Any

from django.db import models
from django.db.models import QuerySet

from chamado.core.errors import NotFound
from chamado.tickets.models import Attachment, Department, Ticket


def _first_or_not_found[M: models.Model](objects: QuerySet[M], **lookup: Any) -> M:
    found = objects.filter(**lookup).first()
    if found is None:
        raise NotFound
    return found


def _as_number(number: int | str) -> int:
    try:
        return int(number)
    except (TypeError, ValueError):
        raise NotFound from None


def _as_uuid(value: uuid.UUID | str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFound from None


def _is_active_agent(actor: Any) -> bool:
    return bool(getattr(actor, "is_authenticated", False) and actor.is_agent and actor.is_active)


# ---- Clients: the owner, or a contact with the `tickets` permission, of the same account.


def tickets_visible_to_client(actor: Any) -> QuerySet[Ticket]:
    if not getattr(actor, "is_authenticated", False) or not actor.may_use_tickets:
        return Ticket.objects.none()
    return Ticket.objects.filter(account_id=actor.account_id)


def access_ticket_by_number(actor: Any, number: int | str) -> Ticket:
    """A ticket of the client's own account, for the owner or a contact with `tickets`."""
    return _first_or_not_found(
        tickets_visible_to_client(actor).select_related(
            "department", "service", "contact", "merged_into"
        ),
        number=_as_number(number),
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
    if not _is_active_agent(actor):
        return Department.objects.none()
    if actor.is_superuser:
        return Department.objects.all()
    return Department.objects.filter(agents=actor)


def tickets_visible_to_agent(actor: Any) -> QuerySet[Ticket]:
    if not _is_active_agent(actor):
        return Ticket.objects.none()
    if actor.is_superuser:
        return Ticket.objects.all()
    return Ticket.objects.filter(department__agents=actor)


def access_ticket_for_agent(actor: Any, number: int | str) -> Ticket:
    """A ticket of one of the agent's departments (any, for administrators)."""
    return _first_or_not_found(
        tickets_visible_to_agent(actor).select_related(
            "department", "service", "contact", "account", "assignee", "merged_into"
        ),
        number=_as_number(number),
    )


def access_attachment_for_agent(actor: Any, attachment_id: uuid.UUID | str) -> Attachment:
    return _first_or_not_found(
        Attachment.objects.filter(message__ticket__in=tickets_visible_to_agent(actor)),
        pk=_as_uuid(attachment_id),
    )
