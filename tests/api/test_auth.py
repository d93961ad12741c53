"""Token authentication: `Authorization: Bearer <key>`; anything else is 401, and a browser's
session never stands in for a token."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from chamado.accounts.actions import api_token_revoke, api_token_user
from chamado.accounts.models import ApiToken
from chamado.accounts.tokens import token_key_hash
from tests.api.conftest import API, ApiClient, token_for

pytestmark = pytest.mark.django_db


def assert_unauthorized(response) -> None:
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert "Authorization: Bearer" in response.json()["detail"]


def test_missing_token_is_401(owner) -> None:
    assert_unauthorized(ApiClient(None).get("/tickets"))


@pytest.mark.parametrize("header", ["Bearer nonsense", "Bearer ", "Token abc", "Basic dXNlcjpw"])
def test_invalid_token_is_401(owner, header) -> None:
    token_for(owner)
    response = ApiClient(None, Authorization=header).get("/tickets")
    assert_unauthorized(response)


def test_revoked_token_is_401(owner) -> None:
    key = token_for(owner)
    assert ApiClient(key).get("/tickets").status_code == 200
    api_token_revoke(actor=owner, token=ApiToken.objects.get(user=owner))
    assert_unauthorized(ApiClient(key).get("/tickets"))


def test_token_of_an_inactive_user_is_401(owner) -> None:
    key = token_for(owner)
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    assert_unauthorized(ApiClient(key).get("/tickets"))


def test_a_logged_in_browser_session_is_not_an_api_login(client, owner) -> None:
    client.force_login(owner)
    assert_unauthorized(client.get(f"{API}/tickets"))


def test_token_requests_need_no_csrf_token(owner, ticket) -> None:
    """ApiClient enforces CSRF checks, as a browser would: a token request passes them."""
    response = ApiClient(token_for(owner)).post(f"/tickets/{ticket.number}/close")
    assert response.status_code == 200


def test_only_the_hash_of_the_key_is_stored(owner) -> None:
    key = token_for(owner)
    token = ApiToken.objects.get(user=owner)
    assert token.key_hash == token_key_hash(key) != key
    assert key.startswith(token.prefix)
    assert len(token.prefix) < len(key) // 3
    stored = " ".join(str(value) for value in ApiToken.objects.values_list().get())
    assert key not in stored


def test_use_is_noted_at_most_once_a_minute(owner) -> None:
    key = token_for(owner)
    now = timezone.now()
    assert api_token_user(key, now=now) == owner
    assert ApiToken.objects.get().last_used_at == now
    api_token_user(key, now=now + timedelta(seconds=30))
    assert ApiToken.objects.get().last_used_at == now
    api_token_user(key, now=now + timedelta(minutes=2))
    assert ApiToken.objects.get().last_used_at == now + timedelta(minutes=2)


def test_command_prints_the_key_once_and_it_authenticates(owner) -> None:
    out = StringIO()
    call_command("api_token", "create", "--email", owner.email.upper(), "--name", "CI", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    assert ApiClient(key).get("/tickets").status_code == 200
    token = ApiToken.objects.get(user=owner)
    assert token.name == "CI"

    listing = StringIO()
    call_command("api_token", "list", stdout=listing)
    assert token.prefix in listing.getvalue()
    assert key not in listing.getvalue()

    call_command("api_token", "revoke", token.prefix, stdout=StringIO())
    assert_unauthorized(ApiClient(key).get("/tickets"))


def test_command_refuses_an_unknown_email(db) -> None:
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("api_token", "create", "--email", "nobody@example.com", "--name", "CI")
