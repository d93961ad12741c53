"""The billing system's endpoints: PUT what an account, contact or service should be under
the caller's external id; the same call twice changes nothing."""

from typing import Any

import pytest
from django.test import Client

from chamado.accounts.models import Account, Membership, User
from chamado.core.models import AuditEvent
from chamado.services.models import Service
from tests.api.conftest import API, token_for

pytestmark = pytest.mark.django_db


def put(key: str | None, path: str, body: dict[str, Any]) -> Any:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return Client().put(API + path, body, content_type="application/json", headers=headers)


@pytest.fixture
def billing(admin: Any) -> str:
    return token_for(admin)


CONTACT = {
    "email": "bruno@acme.example",
    "full_name": "Bruno Lima",
    "language": "pt-br",
    "tickets": True,
}
SERVICE = {"name": "VPS 2GB", "label": "vps.acme.example", "status": "active"}


def test_every_call_made_twice_changes_nothing_the_second_time(billing: str) -> None:
    calls = [
        ("/provisioning/accounts/crm-1", {"name": "Acme Hospedagem"}),
        ("/provisioning/accounts/crm-1/contacts/c-1", CONTACT),
        ("/provisioning/accounts/crm-1/services/s-1", SERVICE),
    ]
    for path, body in calls:
        first = put(billing, path, body)
        assert first.status_code == 201, first.json()
        audits = AuditEvent.objects.count()
        second = put(billing, path, body)
        assert second.status_code == 200
        assert second.json()["changed"] == [] and not second.json()["created"]
        assert second.json()["id"] == first.json()["id"]
        assert AuditEvent.objects.count() == audits
    assert (Account.objects.count(), User.objects.filter(email=CONTACT["email"]).count()) == (1, 1)
    assert (Membership.objects.count(), Service.objects.count()) == (1, 1)


def test_a_change_is_reported_and_the_account_reads_back(billing: str) -> None:
    put(billing, "/provisioning/accounts/crm-1", {"name": "Acme"})
    put(billing, "/provisioning/accounts/crm-1/services/s-1", SERVICE)
    changed = put(
        billing, "/provisioning/accounts/crm-1/services/s-1", {**SERVICE, "status": "suspended"}
    )
    assert changed.json()["changed"] == ["status"]
    put(billing, "/provisioning/accounts/crm-1/contacts/c-1", CONTACT)
    headers = {"Authorization": f"Bearer {billing}"}
    body = Client().get(API + "/provisioning/accounts/crm-1", headers=headers).json()
    assert body["name"] == "Acme"
    assert body["services"][0]["external_id"] == "s-1"
    assert body["services"][0]["status"] == "suspended"
    assert body["contacts"][0]["email"] == CONTACT["email"] and body["contacts"][0]["tickets"]


@pytest.mark.parametrize("who", ["owner", "agent"])
def test_only_an_administrators_token_provisions(who: str, request: Any) -> None:
    """Anyone else is answered as if provisioning did not exist."""
    key = token_for(request.getfixturevalue(who))
    response = put(key, "/provisioning/accounts/crm-9", {"name": "Sneaky"})
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert not Account.objects.filter(name="Sneaky").exists()


def test_anonymous_calls_are_refused(db: None) -> None:
    assert put(None, "/provisioning/accounts/crm-9", {"name": "x"}).status_code == 401


def test_values_outside_the_declared_limits_are_422_with_the_field(billing: str) -> None:
    put(billing, "/provisioning/accounts/crm-1", {"name": "Acme"})
    response = put(
        billing, "/provisioning/accounts/crm-1/services/s-1", {**SERVICE, "status": "gone"}
    )
    assert response.status_code == 422 and "status" in str(response.json()["fields"])
    assert put(billing, "/provisioning/accounts/" + "x" * 101, {"name": "A"}).status_code == 422


def test_a_contact_of_an_unknown_account_is_404(billing: str) -> None:
    response = put(billing, "/provisioning/accounts/nope/contacts/c-1", CONTACT)
    assert response.status_code == 404


def test_a_new_email_for_a_known_contact_is_409(billing: str) -> None:
    put(billing, "/provisioning/accounts/crm-1", {"name": "Acme"})
    put(billing, "/provisioning/accounts/crm-1/contacts/c-1", CONTACT)
    response = put(
        billing,
        "/provisioning/accounts/crm-1/contacts/c-1",
        {**CONTACT, "email": "someone.else@acme.example"},
    )
    assert response.status_code == 409 and response.json()["fields"]["email"]


def test_a_read_only_token_reads_but_never_writes(admin: Any) -> None:
    from chamado.accounts.actions import api_token_create

    _token, key = api_token_create(actor=admin, user=admin, name="Reports", scope="read")
    response = put(key, "/provisioning/accounts/crm-1", {"name": "Acme"})
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert "only read" in response.json()["message"]
    assert not Account.objects.exists()
    headers = {"Authorization": f"Bearer {key}"}
    assert Client().get(API + "/desk/queue", headers=headers).status_code == 200
