"""Branded error answers: the pages Django's handlers render are templates (400.html ...
503.html, in the user's language); what they cannot know is decided here."""

import sys

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.template.defaultfilters import filesizeformat

DATABASE_RETRY_SECONDS = 30


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: an unreachable database is a 503 ("try again in a minute"), and the next
    request reconnects by itself; anything else is the 500 page. Django logged the error
    already."""
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError) or (
        isinstance(error, DatabaseError) and "connection" in str(error).lower()
    ):
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = str(DATABASE_RETRY_SECONDS)
        return response
    return HttpResponse(loader.render_to_string("500.html"), status=500)


def too_large(request: HttpRequest, limit: int) -> HttpResponse:
    """413: the request body is over what any accepted form can hold (not read at all)."""
    page = loader.render_to_string("413.html", {"limit": filesizeformat(limit)}, request)
    return HttpResponse(page, status=413)
