"""Moving a ticket through time without a fake clock: its timestamps and its messages' shift
together, so the state the real actions built stays coherent."""

from datetime import timedelta

from django.db.models import F

from chamado.tickets.models import Message, Ticket

TICKET_TIMES = (
    "created_at",
    "last_activity_at",
    "waiting_since",
    "first_response_at",
    "closed_at",
    "response_due_at",
    "response_warn_at",
)


def ticket_shift(ticket: Ticket, delta: timedelta) -> Ticket:
    """Move every timestamp of the ticket and of its messages by ``delta`` (negative: into the
    past); empty ones stay empty. Returns the ticket as it is now stored."""
    Ticket.objects.filter(pk=ticket.pk).update(**{name: F(name) + delta for name in TICKET_TIMES})
    Message.objects.filter(ticket_id=ticket.pk).update(created_at=F("created_at") + delta)
    ticket.refresh_from_db()
    return ticket


def hours_ago(ticket: Ticket, hours: float) -> Ticket:
    return ticket_shift(ticket, -timedelta(hours=hours))
