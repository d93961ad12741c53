"""API tokens made, listed and revoked by their owner on the profile pages."""

import re
from typing import Any

import pytest
from django.urls import reverse

from chamado.accounts.actions import api_token_create, api_token_user
from chamado.accounts.models import ApiToken
from chamado.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_a_token_is_made_shown_once_stored_hashed_and_listed(client: Any, owner: Any) -> None:
    client.force_login(owner)
    response = client.post(reverse("account_tokens"), {"name": "Billing", "scope": "read"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    key = re.search(r'id="new-token-key"[^>]*value="([^"]+)"', page).group(1)
    token = ApiToken.objects.get(user=owner)
    assert (token.name, token.scope) == ("Billing", "read")
    assert key not in token.key_hash and token.key_hash != key
    assert api_token_user(key) == owner
    again = client.get(reverse("account_tokens")).content.decode()
    assert key not in again and "Billing" in again and token.prefix in again
    assert AuditEvent.objects.filter(verb="api_token.create", after__scope="read").exists()


def test_a_refused_token_form_keeps_what_was_typed(client: Any, owner: Any) -> None:
    client.force_login(owner)
    response = client.post(reverse("account_tokens"), {"name": "Monitoring", "scope": "admin"})
    assert response.status_code == 400
    assert 'value="Monitoring"' in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoking_ones_token_stops_it_at_once(client: Any, agent: Any) -> None:
    token, key = api_token_create(actor=agent, user=agent, name="CI")
    client.force_login(agent)
    response = client.post(reverse("account_token_revoke", args=[token.pk]))
    assert response.status_code == 302
    assert api_token_user(key) is None


def test_anothers_token_cannot_be_revoked_or_seen(client: Any, owner: Any, agent: Any) -> None:
    token, key = api_token_create(actor=agent, user=agent, name="Agent's own")
    client.force_login(owner)
    assert client.post(reverse("account_token_revoke", args=[token.pk])).status_code == 404
    assert "Agent&#x27;s own" not in client.get(reverse("account_tokens")).content.decode()
    assert api_token_user(key) == agent


def test_the_profile_links_to_the_tokens(client: Any, agent: Any) -> None:
    client.force_login(agent)
    assert reverse("account_tokens") in client.get(reverse("account_profile")).content.decode()
