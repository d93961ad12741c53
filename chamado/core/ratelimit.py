"""One rate-limit mechanism for every surface: a fixed-window counter in the cache.

Used for tickets opened per contact, messages per ticket, API requests per token, password
resets and uploads. The cache (Redis at scale) may be down: then nothing is limited and a
warning is logged, because a limit must never cost an accepted ticket or a login."""

import logging
import time
from dataclasses import dataclass

from django.core.cache import cache

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RateResult:
    allowed: bool
    count: int  # hits in the current window, this one included
    retry_after: int  # seconds until the window ends (when refused)


def rate_hit(
    scope: str,
    ident: str | int,
    *,
    limit: int,
    window: int,
    cost: int = 1,
    now: float | None = None,
) -> RateResult:
    """Count ``cost`` hits of ``ident`` in ``scope``; refused once more than ``limit`` hits
    fall in the current window of ``window`` seconds. ``limit`` 0 turns the limit off."""
    if limit <= 0:
        return RateResult(allowed=True, count=0, retry_after=0)
    now = time.time() if now is None else now
    slot = int(now // window)
    key = f"rate:{scope}:{ident}:{slot}"
    retry_after = max(int((slot + 1) * window - now), 1)
    try:
        cache.add(key, 0, window + 5)
        count = cache.incr(key, cost)
    except ValueError:  # expired between add and incr
        cache.set(key, cost, window + 5)
        count = cost
    except Exception as error:
        logger.warning("cache unavailable, not limiting %s: %s", scope, error)
        return RateResult(allowed=True, count=0, retry_after=0)
    return RateResult(allowed=count <= limit, count=count, retry_after=retry_after)


def rate_peek(scope: str, ident: str | int, *, window: int, now: float | None = None) -> int:
    """Hits of ``ident`` in the current window, without counting one."""
    now = time.time() if now is None else now
    try:
        return int(cache.get(f"rate:{scope}:{ident}:{int(now // window)}", 0))
    except Exception as error:
        logger.warning("cache unavailable, reading %s: %s", scope, error)
        return 0


def rate_reset(scope: str, ident: str | int, *, window: int, now: float | None = None) -> None:
    """Start the count of ``ident`` afresh (say, the flood guard once an agent answered)."""
    now = time.time() if now is None else now
    try:
        cache.delete(f"rate:{scope}:{ident}:{int(now // window)}")
    except Exception as error:
        logger.warning("cache unavailable, resetting %s: %s", scope, error)
