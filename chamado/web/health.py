"""Probes for load balancers and orchestrators: `/healthz` (the process answers) and `/readyz`
(the database, the cache and the file storage answer too; 503 naming the part that does not).

Both answer JSON, read nothing of the request, and are never cached."""

import logging
import time
from collections.abc import Callable

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from chamado.core.cache import cache_check
from chamado.core.storage import storage_check

logger = logging.getLogger(__name__)


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


CHECKS: dict[str, Callable[[], None]] = {
    "database": _database,
    "cache": cache_check,
    # Object storage: a HEAD on the bucket, one attempt, about a second at most; on disk a stat.
    "storage": storage_check,
}


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    results: dict[str, str] = {}
    failing: list[str] = []
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            check()
        except Exception as error:
            logger.warning("readyz: %s unavailable: %s", name, error)
            results[name] = "unavailable"
            failing.append(name)
        else:
            results[name] = f"ok ({(time.monotonic() - started) * 1000:.0f} ms)"
    body = {"status": "unavailable" if failing else "ok", "failing": failing, "checks": results}
    return JsonResponse(body, status=503 if failing else 200)
