"""System notes: what Chamado itself writes into a conversation, kept as an event.

A note is stored as its event (``Message.event_code`` and ``event_params``), never as words in
the language of whoever acted, and turned into text when it is read: ``message_text`` is the
one function the desk, the client area, the emails and the API call, so each reader gets it in
their own language. ``body`` keeps the English text (search, the admin, webhooks) and is what a
note stored before events, or of an event this version does not know, shows.
"""

from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from chamado.tickets.models import Message, Ticket

MERGED = "ticket.merged"  # params: source (the number of the ticket folded into this one)


def _merged(params: Mapping[str, Any]) -> str:
    return _("Ticket #%(number)s was merged into this ticket.") % {"number": int(params["source"])}


# Each event's text in the active language, from its params; spelled out with gettext so
# makemessages finds every sentence.
RENDERERS: dict[str, Callable[[Mapping[str, Any]], str]] = {MERGED: _merged}


def system_note_text(code: str, params: Mapping[str, Any]) -> str | None:
    """The note of event ``code`` in the active language; None for an unknown event or params
    it cannot use (the caller falls back to the stored text)."""
    renderer = RENDERERS.get(code)
    if renderer is None:
        return None
    try:
        return renderer(params)
    except (KeyError, TypeError, ValueError):
        return None


def message_text(message: Message) -> str:
    """What a message says to the reader, in the active language: a system note rendered from
    its event, any other message its body as written."""
    if message.event_code:
        text = system_note_text(message.event_code, message.event_params or {})
        if text is not None:
            return text
    return message.body


def system_note_add(
    *, ticket: Ticket, actor: Any, code: str, params: dict[str, Any], now: Any
) -> Message:
    """Write a system note (an internal one: only agents read it) inside the calling action's
    transaction; ``actor`` is the agent whose action it records."""
    with translation.override(settings.LANGUAGE_CODE):
        body = system_note_text(code, params)
    if body is None:
        raise ValueError(f"unknown system note {code!r} or params {params!r}")
    return Message.objects.create(
        ticket=ticket,
        author=actor if getattr(actor, "pk", None) else None,
        from_agent=True,
        is_internal=True,
        body=body,
        source=Message.Source.SYSTEM,
        created_at=now,
        event_code=code,
        event_params=params,
    )
