"""Errors raised by actions and access functions, translated into responses by the views."""

from django.http import Http404


class ApplicationError(Exception):
    """A rule refused the request; ``message`` is shown to the user as it is."""

    def __init__(
        self, message: str, *, field: str | None = None, messages: list[str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.messages = messages or [message]


class NotFound(Http404):
    """Missing or forbidden: the same answer for both, so nothing leaks."""
