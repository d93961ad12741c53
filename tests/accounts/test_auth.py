"""Logging in by email, logging out, and resetting a password by email."""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from chamado.accounts.models import User
from tests import factories
from tests.accounts.signin import log_in
from tests.worker import worker_run

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Correct-Horse-Battery-9"
RESET_LINK = re.compile(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)")


def test_client_logs_in_with_email_and_password(client, owner) -> None:
    response = log_in(client, owner.email, factories.PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    assert client.session[SESSION_KEY] == str(owner.pk)
    assert "Welcome, Ana" in client.get(reverse("portal:home")).content.decode()


def test_wrong_password_is_refused(client, owner) -> None:
    response = log_in(client, owner.email, "not-the-password")
    assert response.status_code == 200
    assert SESSION_KEY not in client.session
    assert "email address and/or password you specified are not correct" in (
        response.content.decode()
    )


def test_login_page_names_its_fields_email_and_password(client, db) -> None:
    page = client.get(reverse("login")).content.decode()
    assert ">Email" in page and ">Password" in page and "Log in" in page


def test_passwords_are_stored_as_argon2_hashes(owner) -> None:
    stored = User.objects.get(pk=owner.pk).password
    assert stored.startswith("argon2")
    assert factories.PASSWORD not in stored


def test_logout_ends_the_session(client, owner) -> None:
    log_in(client, owner.email, factories.PASSWORD)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert SESSION_KEY not in client.session
    tickets = client.get(reverse("portal:tickets"))
    assert tickets.status_code == 302
    assert tickets["Location"].startswith(reverse("login"))


def test_pages_of_the_client_area_need_a_login(client, db) -> None:
    for name in ["portal:home", "portal:tickets", "portal:department_choose"]:
        url = reverse(name)
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.django_db(transaction=True)
def test_password_reset_email_is_queued_then_sent_and_its_link_sets_a_new_password(
    client,
) -> None:
    user = factories.OwnerFactory(email="ana@acme.example")

    response = client.post(reverse("password_reset"), {"email": "ana@acme.example"})

    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == [], "the request only queues the email"
    assert DBTaskResult.objects.filter(task_path__endswith="account_email_send").count() == 1

    worker_run()

    (email,) = mail.outbox
    assert email.to == ["ana@acme.example"]
    link = RESET_LINK.search(email.body)
    assert link, email.body
    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200
    set_password_url = form_page.redirect_chain[-1][0]
    done = client.post(set_password_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == reverse("password_reset_complete")

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert user.password.startswith("argon2")
    client.logout()
    assert log_in(client, "ana@acme.example", factories.PASSWORD).status_code == 200
    assert log_in(client, "ana@acme.example", NEW_PASSWORD).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_reset_link_works_only_once(client) -> None:
    factories.OwnerFactory(email="ana@acme.example")
    client.post(reverse("password_reset"), {"email": "ana@acme.example"})
    worker_run()
    path = RESET_LINK.search(mail.outbox[0].body).group(1)
    set_password_url = client.get(path, follow=True).redirect_chain[-1][0]
    client.post(set_password_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    again = client.get(path, follow=True)

    assert 'name="password1"' not in again.content.decode()
    assert "already used or has expired" in again.content.decode()


def test_reset_for_an_unknown_email_looks_the_same_and_queues_nothing(client, db) -> None:
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert not DBTaskResult.objects.exists()


def test_email_is_matched_whatever_its_case(client, owner) -> None:
    response = log_in(client, owner.email.upper(), factories.PASSWORD)
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(owner.pk)
