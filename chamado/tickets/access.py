"""The only ways to reach a ticket or an attachment. Missing and forbidden look the same."""

import uuid
from typing import Any

from django.db.models import QuerySet

from chamado.core.errors import NotFound
from chamado.tickets.models import Attachment, Department, Ticket


def tickets_visible_to_client(actor: Any) -> QuerySet[Ticket]:
    if not getattr(actor, "is_authenticated", False) or not actor.may_use_tickets:
        return Ticket.objects.none()
    return Ticket.objects.filter(account_id=actor.account_id)


def access_ticket_by_number(actor: Any, number: int | str) -> Ticket:
    """A ticket of the client's own account, for the owner or a contact with `tickets`."""
    try:
        number = int(number)
    except (TypeError, ValueError):
        raise NotFound from None
    ticket = (
        tickets_visible_to_client(actor)
        .select_related("department", "service", "contact")
        .filter(number=number)
        .first()
    )
    if ticket is None:
        raise NotFound
    return ticket


def access_attachment(actor: Any, attachment_id: uuid.UUID | str) -> Attachment:
    """An attachment of a message the client may see (never one of an internal note)."""
    try:
        attachment_id = uuid.UUID(str(attachment_id))
    except ValueError:
        raise NotFound from None
    attachment = (
        Attachment.objects.filter(
            pk=attachment_id,
            message__is_internal=False,
            message__ticket__in=tickets_visible_to_client(actor),
        )
        .select_related("message")
        .first()
    )
    if attachment is None:
        raise NotFound
    return attachment


def departments_for_agent(actor: Any) -> QuerySet[Department]:
    """Administrators see every department; an agent the ones they belong to."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_agent or not actor.is_active:
        return Department.objects.none()
    if actor.is_superuser:
        return Department.objects.all()
    return Department.objects.filter(agents=actor)


def tickets_visible_to_agent(actor: Any) -> QuerySet[Ticket]:
    if not getattr(actor, "is_authenticated", False) or not actor.is_agent or not actor.is_active:
        return Ticket.objects.none()
    if actor.is_superuser:
        return Ticket.objects.all()
    return Ticket.objects.filter(department__agents=actor)


def access_ticket_for_agent(actor: Any, number: int | str) -> Ticket:
    """A ticket of one of the agent's departments (any, for administrators)."""
    try:
        number = int(number)
    except (TypeError, ValueError):
        raise NotFound from None
    ticket = (
        tickets_visible_to_agent(actor)
        .select_related("department", "service", "contact", "account", "assignee", "merged_into")
        .filter(number=number)
        .first()
    )
    if ticket is None:
        raise NotFound
    return ticket


def access_attachment_for_agent(actor: Any, attachment_id: uuid.UUID | str) -> Attachment:
    try:
        attachment_id = uuid.UUID(str(attachment_id))
    except ValueError:
        raise NotFound from None
    attachment = Attachment.objects.filter(
        pk=attachment_id, message__ticket__in=tickets_visible_to_agent(actor)
    ).first()
    if attachment is None:
        raise NotFound
    return attachment
