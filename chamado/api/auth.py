"""Token authentication for the REST API: `Authorization: Bearer <key>`, no cookies."""

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja.security import HttpBearer

from chamado.accounts.actions import api_token_for_key
from chamado.accounts.models import ApiToken
from chamado.accounts.throttle import api_token_failed, api_token_wait
from chamado.accounts.tokens import token_key_hash
from chamado.core.errors import RateLimited
from chamado.core.ratelimit import rate_hit
from chamado.tickets.models import Policy

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ReadOnlyToken(Exception):
    """A read-only token sent a write (api.api answers 403)."""


RATE_WINDOW = 60  # seconds: the policy counts API requests per token and minute


@dataclass(frozen=True)
class RateLimitState:
    limit: int
    remaining: int
    reset: int  # seconds until the count starts afresh


class ApiTokenAuth(HttpBearer):
    """The token's user, when the token is known, not revoked and its user active.

    No session: a browser's cookies never authenticate an API call, so no request here can be
    forged across sites and none needs a CSRF token."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        # Wrong tokens from one address slow that address down (accounts.throttle): a wait,
        # checked before the token is looked up.
        if wait := api_token_wait(request):
            raise RateLimited(
                ngettext(
                    "Too many unknown tokens from this address. Wait %(seconds)d second.",
                    "Too many unknown tokens from this address. Wait %(seconds)d seconds.",
                    wait,
                )
                % {"seconds": wait},
                retry_after=wait,
            )
        key = token.strip()
        found = api_token_for_key(key)
        user = found.user if found is not None else None
        if found is None:
            api_token_failed(request)
        else:
            if found.scope == ApiToken.Scope.READ and request.method not in SAFE_METHODS:
                raise ReadOnlyToken
            # The policy's requests per token and minute (the admin's ticket policy; 0: none).
            limit = Policy.current().api_requests_per_minute
            result = rate_hit("api", token_key_hash(key)[:32], limit=limit, window=RATE_WINDOW)
            if limit > 0:
                # api.middleware writes them as RateLimit-* headers on the answer.
                request.rate_limit = RateLimitState(  # type: ignore[attr-defined]
                    limit=limit,
                    remaining=max(limit - result.count, 0),
                    reset=result.retry_after,
                )
            if not result.allowed:
                raise RateLimited(
                    _("Too many requests with this token. Wait %(seconds)d seconds.")
                    % {"seconds": result.retry_after},
                    retry_after=result.retry_after,
                )
        return user
