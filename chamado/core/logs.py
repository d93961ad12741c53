"""Logging pieces the settings use: every server error is logged, with where and for whom;
request ids; JSON lines (LOG_FORMAT=json)."""

import json
import logging
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any


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


# ---- Request ids: one per web request (taken from X-Request-ID when it looks like one, made
# otherwise), in every log line of that request and of the tasks it enqueued.

request_id_var: ContextVar[str] = ContextVar("chamado_request_id", default="")
REQUEST_ID_SHAPE = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
TASK_REQUEST_TTL = 7 * 24 * 3600  # a task's request id is kept as long as a retry may come


def request_id_new(offered: str | None = None) -> str:
    """The caller's id (a load balancer's) when it is a plain token, else a fresh one."""
    if offered and REQUEST_ID_SHAPE.match(offered):
        return offered
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line (LOG_FORMAT=json): time, level, logger, message, request id,
    and the request's method, path and user when the record has them."""

    FIELDS = ("request_id", "method", "path", "user_id", "task_id")

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in self.FIELDS:
            value = getattr(record, name, None)
            if value not in (None, "-", ""):
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def task_enqueued_remember(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """The request that enqueues a task leaves its id for the worker (through the cache, which
    every process shares; lost with the cache, as a log convenience may be)."""
    if request_id := request_id_var.get():
        from chamado.core.cache import cache_set

        cache_set(f"chamado:task-request:{task_result.id}", request_id, TASK_REQUEST_TTL)


def task_started_adopt(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """The worker logs a task under the id of the request that enqueued it (or its own)."""
    from chamado.core.cache import cache_get

    found = cache_get(f"chamado:task-request:{task_result.id}")
    request_id_var.set(found or f"task-{str(task_result.id)[:12]}")


def task_finished_forget(sender: Any, task_result: Any, **kwargs: Any) -> None:
    request_id_var.set("")
