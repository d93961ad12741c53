"""Logging pieces the settings use: every server error is logged, with where and for whom."""

import logging


class RequestContext(logging.Filter):
    """Adds ``path`` and ``user_id`` from the request Django attaches to its request records
    (never the body, which may hold a client's private message or a password)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        user = getattr(request, "user", None)
        record.path = getattr(request, "path", "-")
        record.method = getattr(request, "method", "-")
        record.user_id = getattr(user, "pk", None) or "-"
        return True
