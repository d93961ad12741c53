"""Ticket events, sent inside the action's transaction.

The mail app (and later webhooks) listen and enqueue their work in that same transaction, so
a notification exists exactly when the change it announces was committed. Signals keep the
dependency one-way: tickets never imports mail.
"""

from django.dispatch import Signal

# kwargs: event (str), ticket, message (or None), actor, and before / after: the audit
# event's dicts of what changed (empty when the action records none). MERGED is sent with
# the surviving ticket; before["source"] is the number of the ticket folded into it.
ticket_event = Signal()

OPENED = "opened"
CLIENT_REPLIED = "client_replied"
AGENT_REPLIED = "agent_replied"
CLOSED = "closed"
UPDATED = "updated"
TRANSFERRED = "transferred"
AUTO_CLOSED = "auto_closed"
MERGED = "merged"
