"""The only way to reach an inbound email from a surface: agents only, 404 for anyone else."""

from typing import Any

from django.db.models import QuerySet

from chamado.core.errors import NotFound
from chamado.inbox.models import InboundMessage
from chamado.tickets.access import is_active_agent


def inbound_visible_to_agent(actor: Any) -> QuerySet[InboundMessage]:
    if not is_active_agent(actor):
        return InboundMessage.objects.none()
    return InboundMessage.objects.all()


def access_inbound_for_agent(actor: Any, inbound_id: int | str) -> InboundMessage:
    try:
        pk = int(inbound_id)
    except (TypeError, ValueError):
        raise NotFound from None
    found = (
        inbound_visible_to_agent(actor)
        .select_related("sender_user", "ticket", "resolved_by", "mailbox")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound
    return found
