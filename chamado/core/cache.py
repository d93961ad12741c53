"""Cache access that degrades instead of failing: the cache (Redis at scale) only ever holds
conveniences (presence, login throttling), so its outage must never cost a request."""

import logging
from typing import Any

from django.core.cache import cache

logger = logging.getLogger(__name__)


def cache_get(key: str, default: Any = None) -> Any:
    try:
        return cache.get(key, default)
    except Exception as error:
        logger.warning("cache unavailable, reading %s: %s", key, error)
        return default


def cache_set(key: str, value: Any, timeout: int) -> None:
    try:
        cache.set(key, value, timeout)
    except Exception as error:
        logger.warning("cache unavailable, writing %s: %s", key, error)


def cache_increment(key: str, timeout: int) -> None:
    """Add one to a counter that expires ``timeout`` seconds after its first increment."""
    try:
        cache.add(key, 0, timeout)
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache_set(key, 1, timeout)
    except Exception as error:
        logger.warning("cache unavailable, counting %s: %s", key, error)


def cache_delete(key: str) -> None:
    try:
        cache.delete(key)
    except Exception as error:
        logger.warning("cache unavailable, deleting %s: %s", key, error)
