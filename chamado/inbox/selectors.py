"""Lists of inbound email for the desk."""

from typing import Any

from django.db.models import QuerySet

from chamado.inbox.access import inbound_visible_to_agent
from chamado.inbox.models import InboundMessage


def review_list_for_agent(actor: Any) -> QuerySet[InboundMessage]:
    """The mail waiting for an agent's decision, newest first."""
    return (
        inbound_visible_to_agent(actor)
        .filter(outcome=InboundMessage.Outcome.REVIEW)
        .select_related("sender_user")
        .order_by("-received_at", "-pk")
    )
