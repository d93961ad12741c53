"""Repeated wrong passwords for one email lock that email's login for a while."""

import pytest
from django.urls import reverse

from chamado.accounts.forms import LOGIN_MAX_FAILURES
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_refused_after_repeated_failures_even_with_right_password(client, owner) -> None:
    for _ in range(LOGIN_MAX_FAILURES):
        response = client.post(reverse("login"), {"username": owner.email, "password": "wrong"})
        assert response.status_code == 200
    response = client.post(reverse("login"), {"username": owner.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "Too many failed attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_failures_for_one_email_do_not_lock_another(client, owner, contact) -> None:
    for _ in range(LOGIN_MAX_FAILURES):
        client.post(reverse("login"), {"username": owner.email, "password": "wrong"})
    response = client.post(reverse("login"), {"username": contact.email, "password": PASSWORD})
    assert response.status_code == 302


def test_login_keeps_the_typed_email_after_a_wrong_password(client, owner) -> None:
    response = client.post(reverse("login"), {"username": owner.email, "password": "wrong"})
    assert owner.email in response.content.decode()
