"""/readyz against real servers the test stops and starts: a private redis-server and a private
moto S3 server on free loopback ports. Stopped: 503 naming the part; back: 200."""

from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client

from chamado.core.storage import PROBE_TIMEOUT, ObjectStorage
from tests.object_storage import (
    OBJECT_STORAGE,
    MotoServer,
    RedisServer,
    moto_server,
    private_redis,
)

__all__ = ["moto_server", "private_redis"]  # fixtures

pytestmark = pytest.mark.django_db


def _ready() -> tuple[int, list[str]]:
    response = Client().get("/readyz")
    return response.status_code, response.json()["failing"]


def _use_storage(settings: Any, server: MotoServer, location: str = "readyz") -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": OBJECT_STORAGE, "OPTIONS": server.options(location)},
    }


def test_redis_stopped_answers_503_naming_the_cache_and_200_when_it_returns(
    settings: Any, private_redis: RedisServer
) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "chamado.core.cache.ResilientRedisCache",
            "LOCATION": private_redis.url,
            "KEY_PREFIX": "readyz",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    try:
        assert _ready() == (200, [])
        private_redis.stop()
        assert _ready() == (503, ["cache"])
        private_redis.start()
        assert _ready() == (200, [])
    finally:
        caches["default"].close()


def test_storage_stopped_answers_503_naming_the_storage_and_200_when_it_returns(
    settings: Any, moto_server: MotoServer
) -> None:
    _use_storage(settings, moto_server)
    assert _ready() == (200, [])
    moto_server.stop()
    assert _ready() == (503, ["storage"])
    moto_server.start()  # the same port; the bucket is there again
    assert _ready() == (200, [])


def test_a_hung_storage_answers_503_after_the_probes_timeout(
    settings: Any, moto_server: MotoServer
) -> None:
    """Listening but never answering (the process stopped by SIGSTOP): the probe gives up
    after its short read timeout instead of botocore's minute times its retries."""
    _use_storage(settings, moto_server)
    assert _ready() == (200, [])
    moto_server.pause()
    try:
        assert _ready() == (503, ["storage"])
    finally:
        moto_server.resume()
    assert _ready() == (200, [])


def test_a_missing_bucket_is_not_ready(settings: Any, moto_server: MotoServer) -> None:
    """Chamado never creates its bucket: without it, the storage is the part that fails."""
    _use_storage(settings, moto_server)
    settings.STORAGES["default"]["OPTIONS"]["bucket_name"] = "nobody-made-this-bucket"
    assert _ready() == (503, ["storage"])


def test_the_probe_makes_one_short_attempt_and_files_get_retries(
    moto_server: MotoServer,
) -> None:
    storage = ObjectStorage(**moto_server.options())
    storage.probe()
    probe = storage._shared("client", storage.probe_config()).meta.config
    assert probe.connect_timeout == PROBE_TIMEOUT and probe.read_timeout == PROBE_TIMEOUT * 2
    assert probe.retries == {"mode": "standard", "total_max_attempts": 1}
    files = storage.client_config
    assert files.connect_timeout == 5 and files.retries["max_attempts"] == 3
