"""Failed sign-ins slow down, never lock: growing waits per client address, per account from
that address, and per account from browsers that never signed in to it.

Each failure is counted by core.ratelimit. Past a number of free failures in the window, the
next attempt of that kind must wait 1, 2, 4, 8... seconds (up to a cap) after the last
failure; an attempt during a wait is refused before the password is looked at and is not
counted. Failures from one address never slow the right password from another address, and
the count per account only slows browsers that have not signed in to that account before
(a signed cookie remembers the accounts a browser signed in to), so nobody can lock anybody
out. The cache may be down: then nothing waits, as for every limit in Chamado."""

import hashlib
import ipaddress
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponseBase

from chamado.core.cache import cache_get, cache_set
from chamado.core.ratelimit import rate_hit, rate_reset


@dataclass(frozen=True)
class Rule:
    scope: str
    free: int  # failures in the window before waits start
    window: int  # seconds
    longest_wait: int  # seconds


# Guessing many accounts' passwords from one address.
ADDRESS = Rule("signin-address", free=10, window=15 * 60, longest_wait=15 * 60)
# Guessing one account's password from one address.
ACCOUNT_ADDRESS = Rule("signin-account-address", free=5, window=15 * 60, longest_wait=15 * 60)
# Guessing one account's password from many addresses: generous, and never for a browser that
# signed in to the account before.
ACCOUNT = Rule("signin-account", free=20, window=60 * 60, longest_wait=60)
# Trying API tokens from one address.
API_TOKEN_ADDRESS = Rule("api-token-address", free=10, window=15 * 60, longest_wait=15 * 60)

DEVICE_COOKIE = "chamado_signed_in"
DEVICE_SALT = "chamado.accounts.throttle.device"
DEVICE_MAX_AGE = 180 * 24 * 3600
DEVICE_MAX_ACCOUNTS = 5


def client_address(request: HttpRequest) -> str:
    """The client's address as allauth's limits see it (ALLAUTH_TRUSTED_PROXY_COUNT), IPv6
    cut to its /64, since one client holds a whole /64."""
    from allauth.account.adapter import get_adapter

    try:
        address = get_adapter(request).get_client_ip(request)
    except Exception:  # no usable address (never behind a well-configured proxy)
        return "unknown"
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False).network_address)
    return str(parsed)


def account_key(email: str) -> str:
    """The account's name in cache keys and cookies: a hash, never the address itself."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def _wait_key(rule: Rule, ident: str) -> str:
    return f"signin-wait:{rule.scope}:{ident}"


def _wait_left(rule: Rule, ident: str, now: float) -> int:
    not_before = cache_get(_wait_key(rule, ident)) or 0.0
    return math.ceil(not_before - now) if not_before > now else 0


def _failure_count(rule: Rule, ident: str, now: float) -> None:
    failures = rate_hit(rule.scope, ident, limit=rule.free, window=rule.window, now=now).count
    beyond = failures - rule.free
    if beyond > 0:
        wait = min(2 ** (beyond - 1), rule.longest_wait)
        cache_set(_wait_key(rule, ident), now + wait, wait + 1)


def _signin_rules(request: HttpRequest, email: str) -> list[tuple[Rule, str]]:
    address = client_address(request)
    account = account_key(email)
    rules = [(ADDRESS, address), (ACCOUNT_ADDRESS, f"{account}:{address}")]
    if account not in device_accounts(request):
        rules.append((ACCOUNT, account))
    return rules


def signin_wait(request: HttpRequest, email: str, *, now: float | None = None) -> int:
    """Seconds this client must still wait before trying ``email``'s password; 0: go on."""
    now = time.time() if now is None else now
    return max((_wait_left(rule, ident, now) for rule, ident in _signin_rules(request, email)))


def signin_failed(request: HttpRequest, email: str, *, now: float | None = None) -> None:
    now = time.time() if now is None else now
    address = client_address(request)
    account = account_key(email)
    _failure_count(ADDRESS, address, now)
    _failure_count(ACCOUNT_ADDRESS, f"{account}:{address}", now)
    _failure_count(ACCOUNT, account, now)


def signin_succeeded(request: HttpRequest, email: str, *, now: float | None = None) -> None:
    """The right password from here: this address's failures for this account are forgotten
    (not its failures for other accounts, nor the account's from elsewhere)."""
    now = time.time() if now is None else now
    rate_reset(
        ACCOUNT_ADDRESS.scope,
        f"{account_key(email)}:{client_address(request)}",
        window=ACCOUNT_ADDRESS.window,
        now=now,
    )


def device_accounts(request: HttpRequest) -> list[str]:
    """The accounts this browser signed in to (hashes), from its signed cookie."""
    value = request.COOKIES.get(DEVICE_COOKIE)
    if not value:
        return []
    try:
        accounts = signing.loads(value, salt=DEVICE_SALT, max_age=DEVICE_MAX_AGE)
    except signing.BadSignature:
        return []
    return [str(account) for account in accounts][:DEVICE_MAX_ACCOUNTS]


def device_remember(request: HttpRequest, response: HttpResponseBase, email: str) -> None:
    """After a complete sign-in: this browser is known to the account from now on."""
    account = account_key(email)
    accounts = [account, *(known for known in device_accounts(request) if known != account)]
    response.set_cookie(
        DEVICE_COOKIE,
        signing.dumps(accounts[:DEVICE_MAX_ACCOUNTS], salt=DEVICE_SALT),
        max_age=DEVICE_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def api_token_wait(request: HttpRequest, *, now: float | None = None) -> int:
    """Seconds this address must wait before its next API token is looked at; 0: go on."""
    now = time.time() if now is None else now
    return _wait_left(API_TOKEN_ADDRESS, client_address(request), now)


def api_token_failed(request: HttpRequest, *, now: float | None = None) -> None:
    now = time.time() if now is None else now
    _failure_count(API_TOKEN_ADDRESS, client_address(request), now)
