"""Wrong API tokens slow their address down (growing waits, as failed sign-ins do); a right
token from another address is never held back."""

from typing import Any

import pytest
from django.test import Client

from chamado.accounts import throttle
from tests.api.conftest import API, token_for

pytestmark = pytest.mark.django_db


def tickets(key: str, address: str) -> Any:
    return Client(REMOTE_ADDR=address).get(
        f"{API}/tickets", headers={"Authorization": f"Bearer {key}"}
    )


def test_wrong_tokens_slow_their_address_and_not_another(owner: Any) -> None:
    key = token_for(owner)
    for n in range(throttle.API_TOKEN_ADDRESS.free):
        assert tickets(f"chm_guess{n}", "198.51.100.66").status_code == 401
    for n in range(3):  # past the free ones: waits of 1, 2, then 4 s
        tickets(f"chm_more{n}", "198.51.100.66")

    held = tickets(key, "198.51.100.66")

    assert held.status_code == 429
    assert 1 <= int(held["Retry-After"]) <= 4
    assert "Too many unknown tokens from this address" in held.json()["detail"]
    assert tickets(key, "203.0.113.10").status_code == 200


def test_right_tokens_never_count_as_failures(owner: Any) -> None:
    key = token_for(owner)
    for _ in range(throttle.API_TOKEN_ADDRESS.free + 5):
        assert tickets(key, "203.0.113.10").status_code == 200
