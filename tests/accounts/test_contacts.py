"""Contacts managed by the account (issue 9): invitations, acceptance with and without a
login, permission changes and removal, each rule of accounts.contacts, its audit row and its
email. The pages of the client area are in tests/portal/test_contacts_pages.py."""

import hashlib
import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from chamado.accounts.contacts import (
    contact_invite,
    contact_permissions_set,
    contact_remove,
    invitation_accept_existing,
    invitation_accept_new,
    invitation_revoke,
)
from chamado.accounts.models import Invitation, Membership, User
from chamado.core.errors import ApplicationError, NotFound, RateLimited
from chamado.core.models import AuditEvent
from tests import factories
from tests.accounts.signin import log_in
from tests.worker import worker_run

# Tests that run the worker are transactional: db_worker closes the connection it used.
pytestmark = pytest.mark.django_db

SITE = "https://help.acme-hosting.example"
LINK = re.compile(r"https?://[^\s\"]+/accounts/invitations/([A-Za-z0-9_-]+)/")
NEW_PASSWORD = "Correct-Horse-Battery-9"
NONE = {"can_tickets": False, "can_contacts": False, "can_services": False}
TICKETS = {**NONE, "can_tickets": True}


def invite(actor: Any, email: str = "dora@example.com", **permissions: bool) -> Invitation:
    return contact_invite(
        actor=actor, account=actor.account, email=email, permissions={**NONE, **permissions}
    )


def sent_key(address: str = "dora@example.com") -> str:
    """Run the worker; the key in the link of the last invitation emailed to ``address``."""
    worker_run()
    (email,) = [message for message in mail.outbox if message.to == [address]][-1:]
    match = LINK.search(email.body)
    assert match, email.body
    return match.group(1)


def membership_of(user: Any, account: Any) -> Membership:
    return Membership.objects.get(user=user, account=account)


def verbs() -> list[str]:
    return list(AuditEvent.objects.order_by("pk").values_list("verb", flat=True))


@pytest.fixture
def manager(account: Any) -> User:
    """A contact of Acme who manages contacts and has tickets, but not services."""
    return factories.ContactFactory(
        account=account, can_contacts=True, can_tickets=True, full_name="Gina Gestora"
    )


# ---- Inviting


@pytest.mark.django_db(transaction=True)
@pytest.mark.django_db(transaction=True)
def test_invitation_email_has_a_link_from_site_url_never_the_host_and_only_the_hash_is_kept(
    client: Any, settings: Any, smtp_server: Any, account: Any
) -> None:
    settings.SITE_URL = SITE
    settings.ALLOWED_HOSTS = ["*"]
    owner = factories.OwnerFactory(account=account, full_name="Ana Souza")
    client.force_login(owner)
    response = client.post(
        reverse("portal:contact_invite"),
        {"email": "Dora@Example.com", "can_tickets": "on"},
        HTTP_HOST="attacker.example",
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "dora@example.com"
    assert invitation.key_hash is None, "no key exists before the email is sent"
    (task,) = DBTaskResult.objects.all()
    assert task.args_kwargs["args"] == [invitation.pk], "the queue holds no key"

    worker_run()

    (email,) = smtp_server.inbox.to("dora@example.com")
    raw = email.as_string()
    assert "attacker.example" not in raw
    text = email.get_body(("plain",)).get_content()
    html = email.get_body(("html",)).get_content()
    link = re.search(rf"{re.escape(SITE)}/accounts/invitations/([A-Za-z0-9_-]+)/", text)
    assert link, text
    assert f'href="{link.group(0)}"' in html
    assert email["Subject"] == "You are invited to Acme Hospedagem on Chamado"
    assert "Ana Souza invited you to be a contact of Acme Hospedagem" in text
    assert "You will have these permissions: tickets." in text
    assert "The link works once, within 7 days." in text
    invitation.refresh_from_db()
    assert invitation.key_hash == hashlib.sha256(link.group(1).encode()).hexdigest()
    assert link.group(1) not in str(list(DBTaskResult.objects.values_list("args_kwargs")))


@pytest.mark.django_db(transaction=True)
def test_invitation_email_speaks_the_language_of_the_existing_login_else_the_inviters(
    owner: Any, other_owner: Any
) -> None:
    User.objects.filter(pk=owner.pk).update(language="pt-br")
    owner.refresh_from_db()
    invite(owner, "new@example.com", can_services=True)
    User.objects.filter(pk=other_owner.pk).update(language="en")
    invite(owner, other_owner.email, can_services=True)
    worker_run()
    (to_new,) = [m for m in mail.outbox if m.to == ["new@example.com"]]
    (to_login,) = [m for m in mail.outbox if m.to == [other_owner.email]]
    # The permission's name as the pt-BR catalogue has it, and the HTML part's language.
    assert "serviços" in to_new.body and '<html lang="pt-BR">' in to_new.alternatives[0].content
    assert "services" in to_login.body and '<html lang="en">' in to_login.alternatives[0].content


def test_the_invite_answer_is_the_same_whether_the_address_has_a_login(
    client: Any, owner: Any, other_owner: Any
) -> None:
    client.force_login(owner)
    notices = []
    for email in [other_owner.email, "nobody-yet@example.com"]:
        response = client.post(reverse("portal:contact_invite"), {"email": email})
        assert (response.status_code, response["Location"]) == (302, reverse("portal:contacts"))
        page = client.get(response["Location"]).content.decode()
        notice = re.search(r'<div class="messages".*?</div>', page, re.S)
        assert notice, page
        notices.append(notice[0].replace(email, "EMAIL"))
    assert notices[0] == notices[1]
    assert "Invitation sent to EMAIL" in notices[0]


def test_inviting_a_contact_of_the_account_is_refused(owner: Any, contact: Any) -> None:
    with pytest.raises(ApplicationError) as refusal:
        invite(owner, contact.email.upper())
    assert refusal.value.field == "email"
    assert not Invitation.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_new_invitation_replaces_the_waiting_one(owner: Any) -> None:
    first = invite(owner, can_tickets=True)
    first_key = sent_key()
    second = invite(owner, "DORA@example.com", can_services=True)
    first.refresh_from_db()
    assert first.revoked_at is not None and second.revoked_at is None
    with pytest.raises(NotFound):
        invitation_accept_new(
            invitation_key=first_key, full_name="Dora", password=NEW_PASSWORD, language="en"
        )
    user = invitation_accept_new(
        invitation_key=sent_key(), full_name="Dora", password=NEW_PASSWORD, language="en"
    )
    assert membership_of(user, owner.account).can_services


def test_invitations_per_account_are_rate_limited(settings: Any, owner: Any) -> None:
    settings.CHAMADO_INVITATIONS_PER_HOUR = 2
    invite(owner, "one@example.com")
    invite(owner, "two@example.com")
    with pytest.raises(RateLimited) as refusal:
        invite(owner, "three@example.com")
    assert refusal.value.retry_after > 0
    assert Invitation.objects.count() == 2
    # Another account has its own count.
    other = factories.OwnerFactory(account=factories.AccountFactory())
    invite(other, "three@example.com")


def test_only_who_manages_contacts_in_that_account_may_invite(
    account: Any, contact: Any, manager: Any, other_owner: Any
) -> None:
    with pytest.raises(NotFound):
        invite(contact)  # `tickets` only
    # The manager of Acme has no say in Beta Sites, even when naming it.
    with pytest.raises(NotFound):
        contact_invite(
            actor=manager, account=other_owner.account, email="x@example.com", permissions=NONE
        )
    # Acting for another account (no permission there) does not take away Acme's right.
    Membership.objects.create(user=manager, account=other_owner.account)
    invitation = contact_invite(
        actor=manager, account=account, email="x@example.com", permissions=NONE
    )
    assert invitation.account == account


def test_a_contact_manager_grants_only_the_permissions_they_have(owner: Any, manager: Any) -> None:
    with pytest.raises(ApplicationError):
        invite(manager, can_services=True)
    invitation = invite(manager, can_tickets=True, can_contacts=True)
    assert (invitation.can_tickets, invitation.can_contacts) == (True, True)
    assert invite(owner, "eva@example.com", can_services=True).can_services


def test_an_invalid_address_is_refused_on_its_field(owner: Any) -> None:
    with pytest.raises(ApplicationError) as refusal:
        invite(owner, "not an address")
    assert refusal.value.field == "email"


# ---- Accepting


@pytest.mark.django_db(transaction=True)
def test_accepting_with_a_new_login_creates_it_with_exactly_the_invited_permissions(
    client: Any, owner: Any, agent: Any
) -> None:
    invite(owner, "dora@example.com", can_tickets=True, can_services=True)
    key = sent_key()
    page = client.get(reverse("invitation_accept", args=[key]))
    assert page.status_code == 200
    assert "Join Acme Hospedagem" in page.content.decode()
    response = client.post(
        reverse("invitation_accept", args=[key]),
        {
            "full_name": "Dora Dias",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "language": "pt-br",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("portal:home")
    user = User.objects.get(email="dora@example.com")
    assert (user.full_name, user.language) == ("Dora Dias", "pt-br")
    membership = membership_of(user, owner.account)
    assert {name: getattr(membership, name) for name in Membership.PERMISSIONS} == {
        "can_tickets": True,
        "can_contacts": False,
        "can_services": True,
    }
    assert not membership.is_owner
    assert user.membership_id == membership.pk, "acts for the new account"
    from allauth.account.models import EmailAddress

    assert EmailAddress.objects.filter(user=user, email=user.email, verified=True).exists()
    # Logged in, in the client area of Acme.
    home = client.get(reverse("portal:home"))
    assert home.status_code == 200 and "Acme Hospedagem" in home.content.decode()
    # The key is used: the same page now says it is no longer valid (in the language just
    # chosen, which the site switched to).
    again = client.get(reverse("invitation_accept", args=[key]))
    assert again.status_code == 404
    assert "Este convite não é mais válido" in again.content.decode()
    with pytest.raises(NotFound):
        invitation_accept_new(
            invitation_key=key, full_name="Eve", password=NEW_PASSWORD, language="en"
        )
    # And the password chosen logs in.
    client.logout()
    assert log_in(client, "dora@example.com", NEW_PASSWORD).status_code == 302
    assert "contact.accept" in verbs()


@pytest.mark.django_db(transaction=True)
def test_a_refused_password_keeps_the_name_and_creates_nothing(client: Any, owner: Any) -> None:
    invite(owner)
    key = sent_key()
    response = client.post(
        reverse("invitation_accept", args=[key]),
        {"full_name": "Dora Dias", "password1": "123", "password2": "123", "language": "en"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "This password is too short" in page
    assert 'value="Dora Dias"' in page
    assert "Please correct the fields marked below." in page
    assert not User.objects.filter(email="dora@example.com").exists()
    mismatch = client.post(
        reverse("invitation_accept", args=[key]),
        {
            "full_name": "Dora Dias",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD + "x",
            "language": "en",
        },
    )
    assert mismatch.status_code == 400
    assert "The two passwords differ" in mismatch.content.decode()


@pytest.mark.django_db(transaction=True)
def test_an_expired_key_is_refused(client: Any, owner: Any) -> None:
    invitation = invite(owner)
    key = sent_key()
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = client.get(reverse("invitation_accept", args=[key]))
    assert response.status_code == 404
    assert "This invitation is no longer valid" in response.content.decode()
    with pytest.raises(NotFound):
        invitation_accept_new(
            invitation_key=key, full_name="Dora", password=NEW_PASSWORD, language="en"
        )
    assert not User.objects.filter(email="dora@example.com").exists()


@pytest.mark.django_db(transaction=True)
def test_expired_used_revoked_and_unknown_keys_get_the_same_page(
    client: Any, owner: Any, other_owner: Any
) -> None:
    def main(key: str) -> tuple[int, str]:
        response = client.get(reverse("invitation_accept", args=[key]))
        found = re.search(r"<main.*</main>", response.content.decode(), re.S)
        assert found
        return response.status_code, found[0]

    expired_invitation = invite(owner, "expired@example.com")
    expired = sent_key("expired@example.com")
    Invitation.objects.filter(pk=expired_invitation.pk).update(expires_at=timezone.now())
    revoked_invitation = invite(owner, "revoked@example.com")
    revoked = sent_key("revoked@example.com")
    invitation_revoke(actor=owner, invitation=revoked_invitation)
    invite(owner, other_owner.email)  # has a login
    used = sent_key(other_owner.email)
    invitation_accept_existing(invitation_key=used, user=other_owner)
    answers = {main(key) for key in [expired, revoked, used, "unknown-key", "x" * 300]}
    assert len(answers) == 1
    ((status, page),) = answers
    assert status == 404 and "This invitation is no longer valid" in page


@pytest.mark.django_db(transaction=True)
def test_an_invitation_that_expired_before_sending_is_not_sent(settings: Any, owner: Any) -> None:
    settings.CHAMADO_INVITATION_DAYS = 0
    invite(owner)
    worker_run()
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_an_existing_login_logs_in_then_joins(client: Any, owner: Any, other_owner: Any) -> None:
    invite(owner, other_owner.email.upper(), can_tickets=True)
    key = sent_key(other_owner.email)
    url = reverse("invitation_accept", args=[key])
    page = client.get(url)
    assert page.status_code == 200
    login_link = f'href="{reverse("login")}?next={url.replace("/", "%2F")}"'
    assert login_link in page.content.decode()
    assert 'name="password1"' not in page.content.decode()
    # A POST without logging in creates no login for the address.
    client.post(url, {"full_name": "X", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert not Membership.objects.filter(user=other_owner, account=owner.account).exists()

    response = client.post(
        reverse("login") + f"?next={url}",
        {"login": other_owner.email, "password": factories.PASSWORD, "next": url},
    )
    assert response.status_code == 302 and response["Location"] == url
    join = client.get(url)
    assert "Join Acme Hospedagem" in join.content.decode()
    joined = client.post(url)
    assert joined.status_code == 302 and joined["Location"] == reverse("portal:home")
    membership = membership_of(other_owner, owner.account)
    assert membership.can_tickets and not membership.can_contacts and not membership.is_owner
    assert User.objects.get(pk=other_owner.pk).membership_id == membership.pk
    # Still the owner of Beta Sites.
    assert membership_of(other_owner, other_owner.account).is_owner
    assert client.get(url).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_logged_in_as_another_person_the_invitation_is_refused(
    client: Any, owner: Any, other_owner: Any
) -> None:
    invite(owner, "dora@example.com", can_tickets=True)
    key = sent_key()
    url = reverse("invitation_accept", args=[key])
    client.force_login(other_owner)
    page = client.get(url).content.decode()
    assert "This invitation is for another login" in page
    assert f'name="next" value="{url}"' in page
    assert client.post(url).status_code == 200
    assert not Membership.objects.filter(user=other_owner, account=owner.account).exists()
    with pytest.raises(ApplicationError):
        invitation_accept_existing(invitation_key=key, user=other_owner)
    # The invitation still works for Dora.
    assert Invitation.objects.get().accepted_at is None


# ---- Changing and removing


@pytest.mark.django_db(transaction=True)
def test_a_permission_change_applies_on_the_very_next_request_and_is_emailed(
    client: Any, owner: Any, contact: Any, ticket: Any
) -> None:
    client.force_login(contact)
    ticket_url = reverse("portal:ticket", args=[ticket.number])
    assert client.get(ticket_url).status_code == 200
    contact_permissions_set(
        actor=owner, membership=membership_of(contact, owner.account), permissions=NONE
    )
    assert client.get(ticket_url).status_code == 404
    mail.outbox.clear()
    worker_run()
    (email,) = [m for m in mail.outbox if "Acme Hospedagem" in m.subject]
    assert email.to == [contact.email]
    assert email.subject == "Your permissions in Acme Hospedagem have changed"
    assert "You now have no permissions in this account." in email.body
    event = AuditEvent.objects.get(verb="contact.permissions")
    assert (event.before["can_tickets"], event.after["can_tickets"]) == (True, False)
    assert event.actor == owner


def test_an_unchanged_permission_set_writes_nothing(owner: Any, contact: Any) -> None:
    contact_permissions_set(
        actor=owner, membership=membership_of(contact, owner.account), permissions=TICKETS
    )
    assert not AuditEvent.objects.filter(verb="contact.permissions").exists()
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_removed_contact_reaches_nothing_on_the_next_request_and_is_told(
    client: Any, owner: Any, contact: Any, ticket: Any
) -> None:
    client.force_login(contact)
    ticket_url = reverse("portal:ticket", args=[ticket.number])
    assert client.get(ticket_url).status_code == 200
    contact_remove(actor=owner, membership=membership_of(contact, owner.account))
    assert client.get(ticket_url).status_code == 404
    assert not Membership.objects.filter(user=contact).exists()
    assert User.objects.get(pk=contact.pk).membership_id is None
    mail.outbox.clear()
    worker_run()
    (email,) = [m for m in mail.outbox if "Acme Hospedagem" in m.subject]
    assert email.to == [contact.email]
    assert email.subject == "You are no longer a contact of Acme Hospedagem"
    event = AuditEvent.objects.get(verb="contact.remove")
    assert event.before["email"] == contact.email and event.before["can_tickets"] is True


def test_a_contact_manager_cannot_change_or_remove_themselves_nor_the_owner(
    owner: Any, manager: Any
) -> None:
    own = membership_of(manager, owner.account)
    owners = membership_of(owner, owner.account)
    for membership in [own, owners]:
        with pytest.raises(ApplicationError):
            contact_permissions_set(actor=manager, membership=membership, permissions=NONE)
        with pytest.raises(ApplicationError):
            contact_remove(actor=manager, membership=membership)
    # Nor the owner their own membership.
    with pytest.raises(ApplicationError):
        contact_remove(actor=owner, membership=owners)
    own.refresh_from_db()
    assert own.can_contacts and own.can_tickets
    assert Membership.objects.filter(pk=owners.pk, is_owner=True).exists()


def test_the_owner_may_change_a_contact_manager(owner: Any, manager: Any) -> None:
    membership = contact_permissions_set(
        actor=owner, membership=membership_of(manager, owner.account), permissions=NONE
    )
    assert not membership.can_contacts


def test_a_contact_manager_changes_only_permissions_they_have(
    owner: Any, manager: Any, account: Any
) -> None:
    dora = factories.ContactFactory(account=account, can_services=True)
    membership = membership_of(dora, account)
    # `services` is not the manager's: they can neither take it away nor give it.
    with pytest.raises(ApplicationError):
        contact_permissions_set(actor=manager, membership=membership, permissions=NONE)
    changed = contact_permissions_set(
        actor=manager,
        membership=membership,
        permissions={"can_tickets": True, "can_contacts": True, "can_services": True},
    )
    assert (changed.can_tickets, changed.can_contacts, changed.can_services) == (True, True, True)
    # A manager may remove another manager (the owner stays in charge of the account).
    contact_remove(actor=manager, membership=changed)


def test_a_manager_of_one_account_cannot_touch_anothers_contacts(
    owner: Any, other_owner: Any
) -> None:
    beta_contact = factories.ContactFactory(account=other_owner.account, can_tickets=True)
    membership = membership_of(beta_contact, other_owner.account)
    with pytest.raises(NotFound):
        contact_permissions_set(actor=owner, membership=membership, permissions=NONE)
    with pytest.raises(NotFound):
        contact_remove(actor=owner, membership=membership)
    beta_invitation = invite(other_owner)
    with pytest.raises(NotFound):
        invitation_revoke(actor=owner, invitation=beta_invitation)
    assert Invitation.objects.get().revoked_at is None


@pytest.mark.django_db(transaction=True)
def test_revoking_an_invitation_stops_its_link_and_is_audited_once(client: Any, owner: Any) -> None:
    invitation = invite(owner)
    key = sent_key()
    invitation_revoke(actor=owner, invitation=invitation)
    invitation_revoke(actor=owner, invitation=invitation)
    assert client.get(reverse("invitation_accept", args=[key])).status_code == 404
    assert verbs().count("invitation.revoke") == 1


@pytest.mark.django_db(transaction=True)
def test_every_change_is_audited_with_before_and_after(owner: Any, other_owner: Any) -> None:
    invitation = invite(owner, "new@example.com", can_tickets=True)
    new_user = invitation_accept_new(
        invitation_key=sent_key("new@example.com"),
        full_name="Nina",
        password=NEW_PASSWORD,
        language="en",
    )
    invite(owner, other_owner.email)
    invitation_accept_existing(invitation_key=sent_key(other_owner.email), user=other_owner)
    membership = membership_of(new_user, owner.account)
    contact_permissions_set(actor=owner, membership=membership, permissions=NONE)
    contact_remove(actor=owner, membership=membership)
    revoked = invite(owner, "later@example.com")
    invitation_revoke(actor=owner, invitation=revoked)
    assert verbs() == [
        "contact.invite",
        "contact.accept",
        "contact.invite",
        "contact.accept",
        "contact.permissions",
        "contact.remove",
        "contact.invite",
        "invitation.revoke",
    ]
    invite_event = AuditEvent.objects.filter(verb="contact.invite").order_by("pk").first()
    assert invite_event is not None
    assert invite_event.object_id == str(invitation.pk)
    assert invite_event.after["email"] == "new@example.com" and invite_event.after["can_tickets"]
    accept = AuditEvent.objects.filter(verb="contact.accept").order_by("pk").first()
    assert accept is not None and accept.actor == new_user and accept.after["new_login"] is True
    assert accept.object_id == str(membership.pk)


def test_the_admin_lists_invitations_and_revokes_them(client: Any, admin: Any, owner: Any) -> None:
    invitation = invite(owner)
    client.force_login(admin)
    listing = client.get(reverse("admin:accounts_invitation_changelist"))
    assert listing.status_code == 200 and "dora@example.com" in listing.content.decode()
    response = client.post(
        reverse("admin:accounts_invitation_changelist"),
        {"action": "revoke", "_selected_action": [invitation.pk]},
    )
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    event = AuditEvent.objects.get(verb="invitation.revoke")
    assert event.actor == admin
