"""Template filters the client area and the desk share: ``{% load chamado_web %}``."""

from typing import Any

from django import template

from chamado.tickets.notes import message_text as note_or_body

register = template.Library()


@register.filter
def message_text(message: Any) -> str:
    """``{{ message|message_text|linebreaks }}``: what the message says to the reader, a system
    note in the reader's language (tickets.notes.message_text), anything else its body."""
    if message is None:
        return ""
    return note_or_body(message)
