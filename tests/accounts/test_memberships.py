"""One person, several accounts: each membership its own permissions, one account acted for
at a time, tickets and emails always of one account."""

from typing import Any

import pytest
from django.urls import reverse

from chamado.accounts.actions import membership_switch
from chamado.accounts.models import Membership, User
from chamado.core.errors import NotFound
from chamado.mail.models import Delivery
from chamado.tickets.access import access_ticket_by_number, clients_who_may_see
from chamado.tickets.actions import ticket_reply_by_agent
from chamado.tickets.selectors import ticket_list_for_contact
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def webmaster(account: Any, other_owner: Any) -> User:
    """Works for Acme (tickets) and for Beta Sites (no tickets), acting for Acme."""
    user = factories.ContactFactory(account=account, can_tickets=True, full_name="Wagner Web")
    Membership.objects.create(user=user, account=other_owner.account)
    user.refresh_from_db()
    return user


def test_first_membership_is_the_account_acted_for_and_a_second_does_not_change_it(
    webmaster: User, account: Any
) -> None:
    assert webmaster.account_id == account.pk
    assert webmaster.memberships.count() == 2


def test_switching_changes_the_account_and_its_permissions(
    webmaster: User, other_owner: Any
) -> None:
    assert webmaster.may_use_tickets
    membership_switch(user=webmaster, account_id=other_owner.account_id)
    fresh = User.objects.get(pk=webmaster.pk)
    assert fresh.account_id == other_owner.account_id
    assert not fresh.may_use_tickets


def test_switching_to_an_account_one_does_not_belong_to_is_not_found(
    contact: User, other_owner: Any
) -> None:
    with pytest.raises(NotFound):
        membership_switch(user=contact, account_id=other_owner.account_id)
    with pytest.raises(NotFound):
        membership_switch(user=contact, account_id="not a number")


def test_lists_show_the_current_account_while_tickets_of_each_permitted_account_are_reachable(
    webmaster: User, owner: Any, other_owner: Any, support: Any, service: Any
) -> None:
    acme_ticket = factories.open_ticket(owner, department=support, service=service)
    beta_ticket = factories.open_ticket(other_owner, department=support)
    assert list(ticket_list_for_contact(webmaster)) == [acme_ticket]
    assert access_ticket_by_number(webmaster, acme_ticket.number) == acme_ticket
    # No `tickets` permission at Beta Sites: its tickets stay out of reach, whichever
    # account the webmaster acts for.
    with pytest.raises(NotFound):
        access_ticket_by_number(webmaster, beta_ticket.number)
    membership_switch(user=webmaster, account_id=other_owner.account_id)
    with pytest.raises(NotFound):
        access_ticket_by_number(User.objects.get(pk=webmaster.pk), beta_ticket.number)


def test_ticket_email_follows_the_permission_in_the_tickets_account_not_the_current_one(
    webmaster: User, other_owner: Any, support: Any, service: Any, agent: Any
) -> None:
    ticket = factories.open_ticket(webmaster, department=support, service=service)
    membership_switch(user=webmaster, account_id=other_owner.account_id)
    assert clients_who_may_see(ticket, [webmaster]) == [webmaster]
    ticket_reply_by_agent(actor=agent, ticket=ticket, body="We are looking at it now.")
    assert Delivery.objects.filter(recipient=webmaster, kind=Delivery.Kind.AGENT_REPLY).exists()


def test_the_ticket_page_of_another_of_ones_accounts_acts_for_that_account(
    client: Any, account: Any, other_owner: Any, support: Any
) -> None:
    """A link from an email to a ticket of the other account: the page opens as that
    account (its name in the header), never as the one acted for before."""
    both = factories.OwnerFactory(account=account)
    Membership.objects.create(user=both, account=other_owner.account, can_tickets=True)
    beta_ticket = factories.open_ticket(other_owner, department=support)
    client.force_login(both)
    page = client.get(reverse("portal:ticket", args=[beta_ticket.number]), follow=True)
    assert page.status_code == 200
    assert "Beta Sites" in page.content.decode()
    assert User.objects.get(pk=both.pk).account_id == other_owner.account_id


def test_switch_page_lists_the_accounts_and_switches_by_post(
    client: Any, webmaster: User, other_owner: Any
) -> None:
    client.force_login(webmaster)
    page = client.get(reverse("portal:account_switch")).content.decode()
    assert "Acme Hospedagem" in page and "Beta Sites" in page
    response = client.post(
        reverse("portal:account_switch"),
        {"account": other_owner.account_id, "next": "https://evil.example/"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("portal:home")
    assert User.objects.get(pk=webmaster.pk).account_id == other_owner.account_id


def test_switching_to_a_foreign_account_by_post_is_404(
    client: Any, contact: User, other_owner: Any
) -> None:
    client.force_login(contact)
    response = client.post(reverse("portal:account_switch"), {"account": other_owner.account_id})
    assert response.status_code == 404
    assert User.objects.get(pk=contact.pk).account_id == contact.account_id


def test_removed_from_the_current_account_one_acts_for_another_of_ones_accounts(
    webmaster: User, account: Any, other_owner: Any
) -> None:
    Membership.objects.filter(user=webmaster, account=account).delete()
    assert User.objects.get(pk=webmaster.pk).account_id == other_owner.account_id
    Membership.objects.filter(user=webmaster).delete()
    assert User.objects.get(pk=webmaster.pk).account_id is None


def test_an_account_has_one_owner(account: Any, owner: Any) -> None:
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        factories.OwnerFactory(account=account)
