"""Provisioning by a billing system: each call says what the object should be under the
caller's external id, so a call made twice creates nothing the second time."""

from typing import Any

import pytest

from chamado.accounts.models import Account, Membership, User
from chamado.core.errors import ApplicationError, NotFound
from chamado.core.models import AuditEvent
from chamado.provisioning.actions import (
    account_provision,
    contact_provision,
    service_provision,
)
from chamado.services.models import Service

pytestmark = pytest.mark.django_db

TICKETS = {"can_tickets": True}


@pytest.fixture
def acme(admin: Any) -> Account:
    return account_provision(actor=admin, external_id="crm-1", name="Acme Hospedagem").obj


def test_an_account_call_made_twice_creates_one_account_and_one_audit_entry(admin: Any) -> None:
    first = account_provision(actor=admin, external_id="crm-1", name="Acme Hospedagem")
    audits = AuditEvent.objects.count()
    second = account_provision(actor=admin, external_id="crm-1", name="Acme Hospedagem")
    assert first.created and not second.created and second.changed == []
    assert second.obj.pk == first.obj.pk
    assert Account.objects.count() == 1
    assert AuditEvent.objects.count() == audits


def test_a_new_name_under_the_same_external_id_updates_the_account(admin: Any, acme) -> None:
    result = account_provision(actor=admin, external_id="crm-1", name="Acme Cloud")
    assert result.changed == ["name"] and Account.objects.get().name == "Acme Cloud"
    event = AuditEvent.objects.filter(verb="account.provision.update").get()
    assert (event.before, event.after) == ({"name": "Acme Hospedagem"}, {"name": "Acme Cloud"})


def test_only_administrators_provision(agent: Any, owner: Any) -> None:
    for actor in (agent, owner):
        with pytest.raises(ApplicationError) as refused:
            account_provision(actor=actor, external_id="x", name="Sneaky")
        assert refused.value.code == "forbidden"
    assert not Account.objects.filter(name="Sneaky").exists()


def test_a_contact_call_made_twice_creates_one_person_and_one_membership(admin: Any, acme) -> None:
    def call() -> Any:
        return contact_provision(
            actor=admin,
            account_external_id="crm-1",
            external_id="c-9",
            email="Bruno@Acme.example",
            full_name="Bruno Lima",
            language="pt-br",
            permissions=TICKETS,
        )

    first, second = call(), call()
    assert first.created and not second.created and second.changed == []
    person = User.objects.get(email="bruno@acme.example")
    assert not person.has_usable_password()
    membership = Membership.objects.get(user=person)
    assert (membership.account_id, membership.can_tickets, membership.can_contacts) == (
        acme.pk,
        True,
        False,
    )
    assert person.account_id == acme.pk


def test_permissions_change_under_the_same_external_id(admin: Any, acme) -> None:
    kwargs = dict(actor=admin, account_external_id="crm-1", external_id="c-9")
    contact_provision(**kwargs, email="b@x.example", full_name="B", permissions=TICKETS)
    result = contact_provision(
        **kwargs, email="b@x.example", full_name="B", permissions={"can_services": True}
    )
    assert sorted(result.changed) == ["can_services", "can_tickets"]
    membership = Membership.objects.get()
    assert (membership.can_tickets, membership.can_services) == (False, True)


def test_a_person_of_another_account_joins_with_the_same_login(
    admin: Any, acme, other_owner: Any
) -> None:
    contact_provision(
        actor=admin,
        account_external_id="crm-1",
        external_id="c-1",
        email=other_owner.email,
        full_name="Someone",
        permissions=TICKETS,
    )
    assert User.objects.filter(email=other_owner.email).count() == 1
    assert Membership.objects.filter(user=other_owner).count() == 2


def test_a_different_email_for_a_known_contact_is_a_conflict(admin: Any, acme) -> None:
    kwargs = dict(actor=admin, account_external_id="crm-1", external_id="c-9", full_name="B")
    contact_provision(**kwargs, email="b@x.example", permissions=TICKETS)
    with pytest.raises(ApplicationError) as refused:
        contact_provision(**kwargs, email="other@x.example", permissions=TICKETS)
    assert refused.value.code == "conflict"
    assert not User.objects.filter(email="other@x.example").exists()


def test_naming_a_new_owner_makes_the_former_one_a_contact_with_tickets(admin: Any, acme) -> None:
    kwargs = dict(actor=admin, account_external_id="crm-1", full_name="P")
    contact_provision(
        **kwargs, external_id="a", email="a@x.example", permissions={"is_owner": True}
    )
    contact_provision(
        **kwargs, external_id="b", email="b@x.example", permissions={"is_owner": True}
    )
    owners = Membership.objects.filter(account=acme, is_owner=True)
    assert [m.user.email for m in owners] == ["b@x.example"]
    assert Membership.objects.get(user__email="a@x.example").can_tickets


def test_services_by_external_id_with_their_status(admin: Any, acme) -> None:
    kwargs = dict(
        actor=admin,
        account_external_id="crm-1",
        external_id="s-1",
        name="VPS 2GB",
        label="vps.acme.example",
    )
    service_provision(**kwargs, status="active")
    again = service_provision(**kwargs, status="active")
    assert not again.created and again.changed == []
    suspended = service_provision(**kwargs, status="suspended")
    assert suspended.changed == ["status"]
    assert Service.objects.get().status == "suspended"
    with pytest.raises(ApplicationError):
        service_provision(**kwargs, status="gone")


def test_an_unknown_account_external_id_is_not_found(admin: Any) -> None:
    with pytest.raises(NotFound):
        service_provision(
            actor=admin,
            account_external_id="nope",
            external_id="s",
            name="n",
            label="l",
            status="active",
        )
