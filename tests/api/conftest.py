"""API callers: tokens made by the real action, and a client that sends them."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from chamado.accounts.actions import api_token_create

API = "/api/v1"
NOT_FOUND = {"code": "not_found", "message": "Not found.", "detail": "Not found.", "fields": {}}


class ApiClient:
    """Django's test client speaking JSON with `Authorization: Bearer <key>` (no cookies)."""

    def __init__(self, key: str | None, **headers: str) -> None:
        self.client = Client(enforce_csrf_checks=True)
        self.headers = dict(headers)
        if key is not None:
            self.headers["Authorization"] = f"Bearer {key}"

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(API + path, params or {}, headers=self.headers)

    def post(self, path: str, data: dict[str, Any] | None = None) -> Any:
        return self.client.post(
            API + path, data or {}, content_type="application/json", headers=self.headers
        )

    def put(self, path: str, data: dict[str, Any] | None = None) -> Any:
        return self.client.put(
            API + path, data or {}, content_type="application/json", headers=self.headers
        )

    def delete(self, path: str, data: dict[str, Any] | None = None) -> Any:
        return self.client.delete(API + path, headers=self.headers)

    def patch(self, path: str, data: dict[str, Any] | None = None) -> Any:
        return self.client.patch(
            API + path, data or {}, content_type="application/json", headers=self.headers
        )

    def multipart(self, path: str, data: dict[str, Any]) -> Any:
        """A form with files (``{"attachments": [upload, ...]}``), as a browser sends it."""
        return self.client.post(API + path, data, headers=self.headers)


def token_for(user: Any, name: str = "tests") -> str:
    _token, key = api_token_create(actor=None, user=user, name=name)
    return key


@pytest.fixture
def api_as() -> Callable[[Any], ApiClient]:
    """``api_as(user)``: an API client with a fresh token of that user."""
    return lambda user, **headers: ApiClient(token_for(user), **headers)


@pytest.fixture
def request_fixture(request: Any) -> Any:
    return request.getfixturevalue
