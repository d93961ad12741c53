"""The profile of clients and agents: name, language of their emails, password (asking the
current one), email (confirmed at the new address), sessions, two-factor; every change in the
audit log."""

import re
from typing import Any

import pytest
from allauth.usersessions.models import UserSession
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from chamado.accounts.models import User
from chamado.core.models import AuditEvent
from tests import factories
from tests.accounts.signin import log_in
from tests.factories import PASSWORD
from tests.worker import worker_run

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Correct-Horse-Battery-9"
SITE = "https://help.acme-hosting.example"


def signed_in(user: Any, address: str = "203.0.113.10", agent: str = "Firefox") -> Client:
    client = Client(HTTP_USER_AGENT=agent)
    assert log_in(client, user.email, PASSWORD, address=address).status_code == 302
    return client


def test_the_client_area_and_the_desk_link_to_the_profile(owner: Any, agent: Any) -> None:
    profile = f'href="{reverse("account_profile")}"'
    assert profile in signed_in(owner).get(reverse("portal:home")).content.decode()
    assert profile in signed_in(agent).get(reverse("desk:queue")).content.decode()


def test_the_agents_profile_wears_the_desk(agent: Any, owner: Any) -> None:
    desk_menu = f'href="{reverse("desk:dashboard")}"'
    for name in ["account_profile", "mfa_index", "account_change_password", "usersessions_list"]:
        assert desk_menu in signed_in(agent).get(reverse(name)).content.decode(), name
        assert desk_menu not in signed_in(owner).get(reverse(name)).content.decode(), name


def test_name_and_email_language_are_saved_and_audited(owner: Any) -> None:
    client = signed_in(owner)
    response = client.post(
        reverse("account_profile"),
        {"full_name": "Ana Souza Lima", "language": "pt-br", "notify_ticket_changes": "on"},
    )
    assert response["Location"] == reverse("account_profile")
    owner.refresh_from_db()
    assert (owner.full_name, owner.language) == ("Ana Souza Lima", "pt-br")
    event = AuditEvent.objects.get(verb="user.profile_update")
    assert event.before == {"full_name": "Ana Souza", "language": "en"}
    assert event.after == {"full_name": "Ana Souza Lima", "language": "pt-br"}

    refused = client.post(reverse("account_profile"), {"full_name": "  ", "language": "xx"})
    assert refused.status_code == 400
    owner.refresh_from_db()
    assert owner.full_name == "Ana Souza Lima"


def test_the_password_change_asks_for_the_current_password(owner: Any) -> None:
    client = signed_in(owner)
    url = reverse("account_change_password")
    refused = client.post(
        url, {"oldpassword": "not-it", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert refused.status_code == 200
    assert "Please type your current password." in refused.content.decode()
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)

    done = client.post(
        url, {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert done["Location"] == reverse("account_profile")
    owner.refresh_from_db()
    assert owner.check_password(NEW_PASSWORD)
    assert client.get(reverse("portal:tickets")).status_code == 200, "this session stays"
    event = AuditEvent.objects.get(verb="user.password_change")
    assert (event.object_id, event.actor_id) == (str(owner.pk), owner.pk)


@pytest.mark.django_db(transaction=True)
def test_a_new_email_is_confirmed_at_the_new_address_before_it_counts(settings: Any) -> None:
    settings.SITE_URL = SITE
    settings.ALLOWED_HOSTS = ["*"]
    owner = factories.OwnerFactory(email="ana@acme.example", full_name="Ana Souza")
    User.objects.filter(pk=owner.pk).update(language="pt-br", last_login=timezone.now())
    client = signed_in(owner)

    response = client.post(
        reverse("account_email"),
        {"email": "ana.souza@new.example", "action_add": ""},
        HTTP_HOST="attacker.example",
    )

    assert response.status_code == 302
    (task,) = DBTaskResult.objects.all()
    assert task.args_kwargs["args"] == ["email_confirmation", owner.pk], "no key queued"
    owner.refresh_from_db()
    assert owner.email == "ana@acme.example", "nothing changes before the confirmation"
    assert "ana.souza@new.example" in client.get(reverse("account_email")).content.decode()

    worker_run()

    (email,) = mail.outbox
    assert email.to == ["ana.souza@new.example"]
    assert email.subject == (
        "Confirme seu novo endereço de e-mail do Chamado em help.acme-hosting.example"
    )
    assert "attacker.example" not in email.message().as_string()
    link = re.search(rf"{re.escape(SITE)}(/accounts/confirm-email/\S+/)", email.body)
    assert link, email.body
    page = client.get(link.group(1))
    assert "ana.souza@new.example" in page.content.decode()
    confirmed = client.post(link.group(1))
    assert confirmed.status_code == 302

    owner.refresh_from_db()
    assert owner.email == "ana.souza@new.example"
    client.post(reverse("logout"))
    assert log_in(Client(), "ana@acme.example", PASSWORD).status_code == 200, "old one is gone"
    assert log_in(Client(), "ana.souza@new.example", PASSWORD).status_code == 302
    event = AuditEvent.objects.get(verb="user.email_change")
    assert event.before == {"email": "ana@acme.example"}
    assert event.after == {"email": "ana.souza@new.example"}


def test_an_email_change_waiting_for_confirmation_does_not_log_in(owner: Any) -> None:
    client = signed_in(owner)
    client.post(reverse("account_email"), {"email": "pending@new.example", "action_add": ""})
    assert log_in(Client(), "pending@new.example", PASSWORD).status_code == 200
    assert DBTaskResult.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_email_of_another_login_is_not_taken_and_its_owner_not_written_to() -> None:
    owner = factories.OwnerFactory(email="ana@acme.example")
    factories.ContactFactory(email="bruno@acme.example")
    client = signed_in(owner)
    taken = client.post(reverse("account_email"), {"email": "bruno@acme.example", "action_add": ""})
    worker_run()
    assert mail.outbox == []

    free = client.post(reverse("account_email"), {"email": "free@acme.example", "action_add": ""})
    assert taken.status_code == free.status_code == 302, "the same answer: nothing leaks"
    worker_run()
    assert [email.to for email in mail.outbox] == [["free@acme.example"]]
    owner.refresh_from_db()
    assert owner.email == "ana@acme.example"


def test_an_address_the_administrator_replaced_no_longer_logs_in(owner: Any) -> None:
    signed_in(owner).get(reverse("account_email"))  # allauth's address book now knows it
    old = owner.email
    owner.email = "ana.new@acme.example"
    owner.save()  # as the admin's user form does
    assert log_in(Client(), old, PASSWORD).status_code == 200
    assert log_in(Client(), "ana.new@acme.example", PASSWORD).status_code == 302


def test_sessions_are_listed_and_the_others_can_be_signed_out(owner: Any) -> None:
    laptop = signed_in(owner, address="203.0.113.10", agent="Firefox on the laptop")
    phone = signed_in(owner, address="198.51.100.4", agent="Chrome on the phone")
    assert UserSession.objects.filter(user=owner).count() == 2

    page = laptop.get(reverse("usersessions_list")).content.decode()
    assert "Chrome on the phone" in page and "198.51.100.4" in page
    assert "Sign out everywhere else" in page

    laptop.post(reverse("usersessions_list"))

    assert phone.get(reverse("portal:tickets")).status_code == 302, "the phone is signed out"
    assert SESSION_KEY in laptop.session
    assert laptop.get(reverse("portal:tickets")).status_code == 200
    assert "1 place signed in." in laptop.get(reverse("account_profile")).content.decode()


def test_the_profile_pages_need_a_login(client: Any, db: None) -> None:
    for name in ["account_profile", "account_email", "account_change_password", "mfa_index"]:
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login")), name


def test_there_is_no_public_signup(client: Any, db: None) -> None:
    page = client.get(reverse("account_signup"))
    assert "No sign-up here" in page.content.decode()
    client.post(
        reverse("account_signup"),
        {"email": "new@example.com", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert not User.objects.filter(email="new@example.com").exists()


def test_the_old_sign_in_addresses_lead_to_the_new_ones(client: Any, db: None) -> None:
    response = client.get("/login/?next=/tickets/")
    assert response["Location"] == f"{reverse('login')}?next=/tickets/"
    assert client.get("/password/reset/")["Location"] == reverse("password_reset")


def test_the_admins_own_password_change_is_the_profiles(admin: Any) -> None:
    client = signed_in(admin)
    response = client.get("/admin/password_change/")
    assert response["Location"] == reverse("account_change_password")


def test_a_password_set_by_an_administrator_is_in_the_audit_log(admin: Any, owner: Any) -> None:
    client = signed_in(admin)
    response = client.post(
        f"/admin/accounts/user/{owner.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(verb="user.password_change")
    assert (event.object_id, event.actor_id, event.after) == (
        str(owner.pk),
        admin.pk,
        {"by": "admin"},
    )


def test_someone_with_two_factor_sign_in_may_change_their_email(owner: Any) -> None:
    from tests.accounts.signin import totp_code, totp_enrol

    secret, _codes = totp_enrol(owner)
    client = Client()
    log_in(client, owner.email, PASSWORD)
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    response = client.post(
        reverse("account_email"), {"email": "ana@new.example", "action_add": ""}, follow=True
    )
    assert "ana@new.example" in response.content.decode()
    assert DBTaskResult.objects.count() == 1
