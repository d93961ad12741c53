"""Token authentication for the REST API: `Authorization: Bearer <key>`, no cookies."""

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from chamado.accounts.actions import api_token_user


class ApiTokenAuth(HttpBearer):
    """The token's user, when the token is known, not revoked and its user active.

    No session: a browser's cookies never authenticate an API call, so no request here can be
    forged across sites and none needs a CSRF token."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return api_token_user(token.strip())
