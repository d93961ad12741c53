"""Reads of tickets, shaped for the pages that show them (query counts pinned in tests)."""

from typing import Any

from django.db.models import Prefetch, QuerySet

from chamado.tickets.access import tickets_visible_to_client
from chamado.tickets.models import Attachment, Department, Message, Ticket


def department_list_open_to_clients() -> QuerySet[Department]:
    return Department.objects.filter(is_visible=True).order_by("position", "name")


def ticket_list_for_contact(contact: Any, *, status: str | None = None) -> QuerySet[Ticket]:
    """Every ticket of the contact's account they may see, most recent activity first."""
    tickets = tickets_visible_to_client(contact).select_related("department")
    if status == "active":
        tickets = tickets.exclude(status=Ticket.Status.CLOSED)
    elif status in Ticket.Status.values:
        tickets = tickets.filter(status=status)
    return tickets.order_by("-last_activity_at", "-pk")


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
