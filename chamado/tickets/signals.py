"""Ticket events, sent inside the action's transaction.

The mail app (and later webhooks) listen and enqueue their work in that same transaction, so
a notification exists exactly when the change it announces was committed. Signals keep the
dependency one-way: tickets never imports mail.
"""

from django.dispatch import Signal

# kwargs: event (str), ticket, message (or None), actor
ticket_event = Signal()

OPENED = "opened"
CLIENT_REPLIED = "client_replied"
AGENT_REPLIED = "agent_replied"
CLOSED = "closed"
UPDATED = "updated"
TRANSFERRED = "transferred"
AUTO_CLOSED = "auto_closed"
