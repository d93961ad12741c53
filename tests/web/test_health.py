"""/healthz and /readyz: the process answers; the parts it needs answer, or the one that does
not is named with a 503."""

from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_touching_anything(django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        response = Client().get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_readyz_checks_the_database_the_cache_and_the_storage() -> None:
    response = Client().get("/readyz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok" and body["failing"] == []
    assert set(body["checks"]) == {"database", "cache", "storage"}


def test_readyz_names_an_unreachable_redis(settings: Any) -> None:
    """A real Redis client to a port nothing listens on: the resilient cache would answer
    like an empty cache, the probe must not."""
    settings.CACHES = {
        "default": {
            "BACKEND": "chamado.core.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    try:
        response = Client().get("/readyz")
        assert response.status_code == 503
        assert response.json()["failing"] == ["cache"]
        assert response.json()["checks"]["database"].startswith("ok")
    finally:
        caches["default"].close()


class UnreachableStorage:
    """A storage whose server does not answer (as object storage does when it is down)."""

    def exists(self, name: str) -> bool:
        raise ConnectionError("storage endpoint refused the connection")


def test_readyz_names_an_unreachable_storage(monkeypatch: Any) -> None:
    from chamado.core import storage

    monkeypatch.setattr(storage, "default_storage", UnreachableStorage())
    response = Client().get("/readyz")
    assert response.status_code == 503 and response.json()["failing"] == ["storage"]


def test_readyz_refuses_writes() -> None:
    assert Client().post("/readyz").status_code == 405
