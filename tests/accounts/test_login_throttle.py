"""Failed sign-ins slow down (growing waits) per client address, per account from an address,
and per account from browsers it never signed in from; nobody can lock anybody out. The
admin site signs in through the same login."""

import time
from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client, RequestFactory
from django.urls import reverse

from chamado.accounts import throttle
from chamado.core.models import AuditEvent
from tests.accounts.signin import log_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

ATTACKER = "198.51.100.66"
HOME = "203.0.113.10"


def test_ten_wrong_passwords_from_one_address_do_not_stop_the_right_one_from_another(
    owner: Any,
) -> None:
    attacker = Client()
    for _ in range(10):
        response = log_in(attacker, owner.email, "wrong", address=ATTACKER)
        assert response.status_code == 200
        assert SESSION_KEY not in attacker.session

    ana = Client()
    response = log_in(ana, owner.email, PASSWORD, address=HOME)

    assert response.status_code == 302
    assert ana.session[SESSION_KEY] == str(owner.pk)


def test_the_address_that_failed_waits_even_with_the_right_password(owner: Any) -> None:
    client = Client()
    for _ in range(throttle.ACCOUNT_ADDRESS.free):
        page = log_in(client, owner.email, "wrong", address=ATTACKER).content.decode()
        assert "Too many failed attempts" not in page
    for _ in range(3):  # past the free ones: waits of 1, 2, then 4 s
        log_in(client, owner.email, "wrong", address=ATTACKER)

    refused = log_in(client, owner.email, PASSWORD, address=ATTACKER)

    assert refused.status_code == 200
    assert "Too many failed attempts. Wait" in refused.content.decode()
    assert SESSION_KEY not in client.session


def test_after_the_wait_the_right_password_works_again(owner: Any) -> None:
    client = Client()
    for _ in range(throttle.ACCOUNT_ADDRESS.free + 1):  # one past the free ones: 1 s
        log_in(client, owner.email, "wrong", address=ATTACKER)
    time.sleep(1.1)
    assert log_in(client, owner.email, PASSWORD, address=ATTACKER).status_code == 302


def test_waits_double_up_to_the_rules_longest_then_end() -> None:
    request = RequestFactory().post("/", REMOTE_ADDR=ATTACKER)
    now = 1_000_000.0
    waits = []
    for _ in range(throttle.ACCOUNT_ADDRESS.free + 12):
        throttle.signin_failed(request, "someone@example.com", now=now)
        waits.append(throttle.signin_wait(request, "someone@example.com", now=now))
    free = throttle.ACCOUNT_ADDRESS.free
    assert waits[:free] == [0] * free
    assert waits[free:] == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]
    assert throttle.signin_wait(request, "someone@example.com", now=now + 900) == 0
    # Another account from the same address only meets the address's own, later waits.
    assert throttle.signin_wait(request, "other@example.com", now=now) == 2 ** (
        len(waits) - throttle.ADDRESS.free - 1
    )


def test_one_address_guessing_many_accounts_is_slowed_for_every_account(
    owner: Any, contact: Any
) -> None:
    client = Client()
    for n in range(throttle.ADDRESS.free + 3):
        log_in(client, f"guess{n}@example.com", "wrong", address=ATTACKER)

    from_there = log_in(client, contact.email, PASSWORD, address=ATTACKER)
    assert "Too many failed attempts" in from_there.content.decode()
    assert log_in(Client(), contact.email, PASSWORD, address=HOME).status_code == 302


def test_many_addresses_slow_an_account_only_for_browsers_it_never_signed_in_from(
    owner: Any,
) -> None:
    anas_browser = Client()
    assert log_in(anas_browser, owner.email, PASSWORD, address=HOME).status_code == 302
    assert throttle.DEVICE_COOKIE in anas_browser.cookies
    anas_browser.post(reverse("logout"))

    for n in range(throttle.ACCOUNT.free + 3):
        log_in(Client(), owner.email, "wrong", address=f"192.0.2.{n + 1}")

    stranger = log_in(Client(), owner.email, PASSWORD, address="192.0.2.200")
    assert "Too many failed attempts" in stranger.content.decode()
    # Ana's own browser, even from a new address, is not slowed: the botnet cannot lock her out.
    assert log_in(anas_browser, owner.email, PASSWORD, address="192.0.2.201").status_code == 302


def test_a_forged_device_cookie_counts_for_nothing(owner: Any) -> None:
    for n in range(throttle.ACCOUNT.free + 3):
        log_in(Client(), owner.email, "wrong", address=f"192.0.2.{n + 1}")
    forger = Client()
    forger.cookies[throttle.DEVICE_COOKIE] = "not-signed"
    response = log_in(forger, owner.email, PASSWORD, address="192.0.2.200")
    assert "Too many failed attempts" in response.content.decode()


def test_the_admin_site_signs_in_through_chamados_login(admin: Any) -> None:
    client = Client()
    page = client.get("/admin/login/?next=/admin/")
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("login"))

    # Its own form is gone: posting credentials to it signs nobody in.
    client.post("/admin/login/", {"username": admin.email, "password": PASSWORD})
    assert SESSION_KEY not in client.session


def test_the_admin_login_is_throttled(admin: Any) -> None:
    client = Client()
    for _ in range(throttle.ACCOUNT_ADDRESS.free + 3):
        log_in(client, admin.email, "wrong", address=ATTACKER)
    refused = client.post(
        f"{reverse('login')}?next=/admin/",
        {"login": admin.email, "password": PASSWORD},
        REMOTE_ADDR=ATTACKER,
    )
    assert "Too many failed attempts" in refused.content.decode()
    assert client.get("/admin/").status_code == 302  # still signed out

    elsewhere = Client()
    response = elsewhere.post(
        f"{reverse('login')}?next=/admin/", {"login": admin.email, "password": PASSWORD}
    )
    assert response["Location"] == "/admin/"
    assert elsewhere.get("/admin/").status_code == 200


def test_logins_and_failed_logins_are_in_the_audit_log(owner: Any) -> None:
    log_in(Client(), owner.email, "wrong", address=ATTACKER)
    log_in(Client(), "nobody@example.com", "wrong", address=ATTACKER)
    log_in(Client(), owner.email, PASSWORD, address=HOME)

    failed = AuditEvent.objects.get(verb="user.login_failed")
    assert (failed.object_id, failed.actor, failed.after) == (
        str(owner.pk),
        None,
        {"address": ATTACKER},
    )
    login = AuditEvent.objects.get(verb="user.login")
    assert (login.object_id, login.actor_id) == (str(owner.pk), owner.pk)
    assert login.after == {"address": HOME, "methods": ["password"]}


def test_login_keeps_the_typed_email_after_a_wrong_password(client: Any, owner: Any) -> None:
    response = log_in(client, owner.email, "wrong")
    assert f'value="{owner.email}"' in response.content.decode()


def test_the_address_behind_the_tls_proxy_is_the_one_it_saw(settings: Any, owner: Any) -> None:
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().post(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.66"
    )
    assert throttle.client_address(request) == "198.51.100.66"
    ipv6 = RequestFactory().post("/", REMOTE_ADDR="2001:db8:1:2:3:4:5:6")
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    assert throttle.client_address(ipv6) == "2001:db8:1:2::"
