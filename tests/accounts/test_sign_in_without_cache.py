"""With Redis down, people still sign in, with their second factor too, and can ask for a
password reset: allauth reaches the cache directly, and Chamado's Redis backend answers like an
empty cache instead of failing (only the limits pause)."""

import socket
from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from chamado.core.ratelimit import rate_hit
from tests.accounts.signin import log_in, totp_code, totp_enrol
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_down(settings: Any) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "chamado.core.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


def test_the_backend_answers_like_an_empty_cache(redis_down: None) -> None:
    cache = caches["default"]
    assert cache.get("anything", "default") == "default"
    assert cache.add("key", 1) is True
    cache.set("key", 1)
    assert cache.delete("key") is False
    with pytest.raises(ValueError):
        cache.incr("key")
    assert rate_hit("tests", 1, limit=1, window=60).allowed


def test_an_agent_signs_in_with_a_code_and_works_in_the_desk(
    redis_down: None, settings: Any, agent: Any
) -> None:
    settings.CHAMADO_REQUIRE_2FA = True
    secret, _codes = totp_enrol(agent)
    client = Client()
    assert log_in(client, agent.email, PASSWORD)["Location"] == reverse("mfa_authenticate")
    assert client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)}).status_code == 302
    assert client.get("/desk/").status_code == 200


def test_a_password_reset_is_accepted(redis_down: None, owner: Any) -> None:
    response = Client().post(reverse("password_reset"), {"email": owner.email})
    assert response["Location"] == reverse("password_reset_done")
