"""Cache access that degrades instead of failing: the cache (Redis at scale) only ever holds
conveniences (presence, login throttling), so its outage must never cost a request."""

import logging
import time
from typing import Any

from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

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


def cache_delete(key: str) -> None:
    try:
        cache.delete(key)
    except Exception as error:
        logger.warning("cache unavailable, deleting %s: %s", key, error)


class ResilientRedisCache(RedisCache):
    """Django's Redis cache, answering like an empty cache that accepts every write while
    Redis cannot be reached. Chamado's code already copes through the functions above, but
    django-allauth reaches the cache directly (its rate limits, the TOTP replay guard): with
    this backend a Redis outage pauses those limits instead of failing the sign-in. After a
    failure Redis is left alone for a few seconds, so a page does not wait on every call."""

    PAUSE_SECONDS = 5.0

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._paused_until = 0.0

    def _degraded(self, operation: str, error: Exception | None = None) -> bool:
        """True when Redis is to be skipped: paused after a failure, or ``error`` happened."""
        if error is None:
            return time.monotonic() < self._paused_until
        self._paused_until = time.monotonic() + self.PAUSE_SECONDS
        logger.warning("cache unavailable, %s answered as empty: %s", operation, error)
        return True

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        if self._degraded("get"):
            return default
        try:
            return super().get(key, default, version)
        except RedisError as error:
            self._degraded("get", error)
            return default

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        if self._degraded("get_many"):
            return {}
        try:
            return super().get_many(keys, version)
        except RedisError as error:
            self._degraded("get_many", error)
            return {}

    def has_key(self, key: Any, version: int | None = None) -> bool:
        if self._degraded("has_key"):
            return False
        try:
            return super().has_key(key, version)
        except RedisError as error:
            self._degraded("has_key", error)
            return False

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> bool:
        if self._degraded("add"):
            return True
        try:
            return super().add(key, value, timeout, version)
        except RedisError as error:
            self._degraded("add", error)
            return True

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        if self._degraded("set"):
            return
        try:
            super().set(key, value, timeout, version)
        except RedisError as error:
            self._degraded("set", error)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        if self._degraded("touch"):
            return False
        try:
            return super().touch(key, timeout, version)
        except RedisError as error:
            self._degraded("touch", error)
            return False

    def delete(self, key: Any, version: int | None = None) -> bool:
        if self._degraded("delete"):
            return False
        try:
            return super().delete(key, version)
        except RedisError as error:
            self._degraded("delete", error)
            return False

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        # An empty cache has no counter to increment: Django's answer is ValueError.
        if self._degraded("incr"):
            raise ValueError(f"Key '{key}' not found (cache unavailable)")
        try:
            return super().incr(key, delta, version)
        except RedisError as error:
            self._degraded("incr", error)
            raise ValueError(f"Key '{key}' not found (cache unavailable)") from error


def cache_check() -> None:
    """Raise unless the cache answers now: a value written is read back. Goes past
    ResilientRedisCache's empty answers (a readiness probe must see the outage they hide)."""
    import uuid

    from django.core.cache import caches

    key, value = f"chamado:readyz:{uuid.uuid4().hex}", "ok"
    backend: Any = caches["default"]
    if isinstance(backend, RedisCache):
        client = backend._cache.get_client(key, write=True)
        client.set(key, value, ex=10)
        if client.get(key) not in (value, value.encode()):
            raise RuntimeError("the cache did not give back what was written")
        client.delete(key)
        return
    backend.set(key, value, 10)
    if backend.get(key) != value:
        raise RuntimeError("the cache did not give back what was written")
    backend.delete(key)
