"""Errors raised by actions and access functions, translated into responses by the views."""

from django.http import Http404


class ApplicationError(Exception):
    """A rule refused the request; ``message`` is shown to the user as it is. ``code`` names
    the kind of refusal when a surface answers it differently (the API's status): for example
    ``unsupported_media_type`` or ``payload_too_large`` for refused files; None for the rest."""

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        messages: list[str] | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.messages = messages or [message]
        self.code = code


class NotFound(Http404):
    """Missing or forbidden: the same answer for both, so nothing leaks."""


class RateLimited(ApplicationError):
    """Too many requests of one kind in a short time; ``retry_after`` says when to try again
    (the API answers 429 with Retry-After, the web keeps the form and shows the message)."""

    def __init__(self, message: str, *, retry_after: int, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.retry_after = retry_after
