"""The client area's contact pages: list, invite, change permissions, remove, revoke; 404 for
anyone who may not manage the current account's contacts; pinned query counts."""

import re
from typing import Any

import pytest
from django.urls import reverse

from chamado.accounts.contacts import contact_invite
from chamado.accounts.models import Invitation, Membership, User
from chamado.core.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db

NONE = {"can_tickets": False, "can_contacts": False, "can_services": False}

# user (with the membership and account it acts for; the session comes from the cache), the
# account's people with their users, the waiting invitations
CONTACTS_QUERIES = 3


def membership_of(user: Any, account: Any) -> Membership:
    return Membership.objects.get(user=user, account=account)


@pytest.fixture
def manager(account: Any) -> User:
    """A contact of Acme who manages contacts and has tickets, but not services."""
    return factories.ContactFactory(
        account=account, can_contacts=True, can_tickets=True, full_name="Gina Gestora"
    )


def test_the_list_shows_the_account_its_contacts_and_waiting_invitations(
    client: Any, owner: Any, contact: Any, contact_without_tickets: Any
) -> None:
    contact_invite(
        actor=owner,
        account=owner.account,
        email="dora@example.com",
        permissions={**NONE, "can_services": True},
    )
    client.force_login(owner)
    response = client.get(reverse("portal:contacts"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Contacts of Acme Hospedagem" in page
    for person in [owner, contact, contact_without_tickets]:
        assert person.email in page
    assert "Owner (every permission)" in page
    assert "dora@example.com" in page and "services" in page
    # The owner's own row offers no change; the others do.
    assert reverse("portal:contact_edit", args=[membership_of(owner, owner.account).pk]) not in page
    assert reverse("portal:contact_edit", args=[membership_of(contact, owner.account).pk]) in page
    assert f'href="{reverse("portal:contacts")}"' in page, "the menu's Contacts item"


def test_the_menu_and_pages_are_only_for_who_manages_contacts(
    client: Any, owner: Any, contact: Any, manager: Any, agent: Any
) -> None:
    item = f'href="{reverse("portal:contacts")}"'
    for person, allowed in [(owner, True), (manager, True), (contact, False), (agent, False)]:
        client.force_login(person)
        home = client.get(reverse("kb:index")).content.decode()
        assert (item in home) is allowed, person
        for name in ["portal:contacts", "portal:contact_invite"]:
            status = client.get(reverse(name)).status_code
            assert (status == 200) is allowed, (person, name, status)
            if not allowed:
                assert status == 404


def test_a_refused_invitation_keeps_what_was_typed(client: Any, owner: Any, contact: Any) -> None:
    client.force_login(owner)
    response = client.post(
        reverse("portal:contact_invite"), {"email": "not an address", "can_services": "on"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="error-summary" role="alert"' in page
    assert 'value="not an address"' in page
    assert re.search(r'<input type="checkbox" name="can_services"[^>]* checked', page)
    assert 'aria-invalid="true"' in page
    assert "<fieldset" in page and "<legend>Permissions</legend>" in page
    taken = client.post(reverse("portal:contact_invite"), {"email": contact.email})
    assert taken.status_code == 400
    assert f"{contact.email} is already a contact of this account." in taken.content.decode()
    assert not Invitation.objects.exists()


def test_a_rate_limited_invitation_answers_429_keeping_the_form(
    client: Any, settings: Any, owner: Any
) -> None:
    settings.CHAMADO_INVITATIONS_PER_HOUR = 1
    client.force_login(owner)
    assert client.post(reverse("portal:contact_invite"), {"email": "a@example.com"}).status_code
    refused = client.post(reverse("portal:contact_invite"), {"email": "b@example.com"})
    assert refused.status_code == 429
    assert 'value="b@example.com"' in refused.content.decode()


def test_a_manager_sees_the_permissions_they_lack_disabled(client: Any, manager: Any) -> None:
    client.force_login(manager)
    page = client.get(reverse("portal:contact_invite")).content.decode()
    assert re.search(r'<input type="checkbox" name="can_services"[^>]* disabled', page)
    assert not re.search(r'<input type="checkbox" name="can_tickets"[^>]* disabled', page)
    # A forged post of the disabled box changes nothing: disabled fields keep their value.
    client.post(reverse("portal:contact_invite"), {"email": "d@example.com", "can_services": "on"})
    assert Invitation.objects.get().can_services is False


def test_changing_permissions_through_the_page(client: Any, owner: Any, contact: Any) -> None:
    membership = membership_of(contact, owner.account)
    url = reverse("portal:contact_edit", args=[membership.pk])
    client.force_login(owner)
    page = client.get(url).content.decode()
    assert "Permissions of Bruno Lima" in page and "Acme Hospedagem" in page
    assert re.search(r'<input type="checkbox" name="can_tickets"[^>]* checked', page)
    response = client.post(url, {"can_services": "on"})
    assert response.status_code == 302 and response["Location"] == reverse("portal:contacts")
    membership.refresh_from_db()
    assert (membership.can_tickets, membership.can_services) == (False, True)
    assert AuditEvent.objects.filter(verb="contact.permissions").count() == 1


def test_removing_asks_for_confirmation_then_removes_by_post(
    client: Any, owner: Any, contact: Any
) -> None:
    membership = membership_of(contact, owner.account)
    url = reverse("portal:contact_remove", args=[membership.pk])
    client.force_login(owner)
    confirm = client.get(url)
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "Remove Bruno Lima from Acme Hospedagem?" in page
    assert '<form method="post">' in page
    assert Membership.objects.filter(pk=membership.pk).exists(), "a GET removes nothing"
    response = client.post(url, follow=True)
    assert "Bruno Lima is no longer a contact of Acme Hospedagem." in response.content.decode()
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_own_and_owner_memberships_are_not_found_for_a_manager(
    client: Any, owner: Any, manager: Any
) -> None:
    client.force_login(manager)
    for person in [manager, owner]:
        membership = membership_of(person, owner.account)
        for name in ["portal:contact_edit", "portal:contact_remove"]:
            url = reverse(name, args=[membership.pk])
            assert client.get(url).status_code == 404
            assert client.post(url, NONE).status_code == 404
    assert membership_of(manager, owner.account).can_contacts
    assert Membership.objects.filter(user=owner, is_owner=True).exists()


def test_a_membership_of_another_account_is_not_found(
    client: Any, owner: Any, other_owner: Any
) -> None:
    beta_contact = factories.ContactFactory(account=other_owner.account, can_tickets=True)
    beta = membership_of(beta_contact, other_owner.account)
    beta_invitation = contact_invite(
        actor=other_owner, account=other_owner.account, email="x@example.com", permissions=NONE
    )
    client.force_login(owner)
    for url in [
        reverse("portal:contact_edit", args=[beta.pk]),
        reverse("portal:contact_remove", args=[beta.pk]),
    ]:
        assert client.get(url).status_code == 404
        assert client.post(url, {"can_services": "on"}).status_code == 404
    revoke = reverse("portal:invitation_revoke", args=[beta_invitation.pk])
    assert client.post(revoke).status_code == 404
    beta.refresh_from_db()
    assert beta.can_tickets and not beta.can_services
    assert Invitation.objects.get().revoked_at is None


def test_a_manager_acting_for_another_account_manages_that_ones_contacts_only(
    client: Any, owner: Any, contact: Any, other_owner: Any
) -> None:
    """The pages follow the account acted for: the owner of Acme, acting for Beta Sites where
    they are a plain contact, may not manage Beta's contacts, nor Acme's from Beta's pages."""
    Membership.objects.create(user=owner, account=other_owner.account)
    User.objects.filter(pk=owner.pk).update(membership=membership_of(owner, other_owner.account))
    client.force_login(owner)
    assert client.get(reverse("portal:contacts")).status_code == 404
    acme_contact = membership_of(contact, owner.account)
    assert client.get(reverse("portal:contact_edit", args=[acme_contact.pk])).status_code == 404


def test_revoking_an_invitation_from_the_list(client: Any, owner: Any) -> None:
    invitation = contact_invite(
        actor=owner, account=owner.account, email="dora@example.com", permissions=NONE
    )
    client.force_login(owner)
    url = reverse("portal:invitation_revoke", args=[invitation.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    assert "The invitation to dora@example.com is cancelled" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert client.post(url).status_code == 404, "no longer waiting"


def test_the_pages_speak_brazilian_portuguese(client: Any, owner: Any, contact: Any) -> None:
    client.force_login(owner)
    client.cookies["django_language"] = "pt-br"
    page = client.get(reverse("portal:contacts")).content.decode()
    assert '<html lang="pt-BR">' in page
    assert "Titular (todas as permissões)" in page
    assert '<th scope="col">Nome</th>' in page and "Remover" in page


@pytest.mark.parametrize("count", [3, 9])
def test_contacts_query_count_does_not_grow_with_contacts(
    client: Any, owner: Any, django_assert_num_queries: Any, count: int
) -> None:
    for n in range(count):
        factories.ContactFactory(account=owner.account, can_tickets=bool(n % 2))
        contact_invite(
            actor=owner,
            account=owner.account,
            email=f"invited{n}@example.com",
            permissions={**NONE, "can_services": True},
        )
    client.force_login(owner)
    with django_assert_num_queries(CONTACTS_QUERIES):
        response = client.get(reverse("portal:contacts"))
    page = response.content.decode()
    assert page.count("Change permissions of") == count
    assert page.count("Cancel invitation to") == count
