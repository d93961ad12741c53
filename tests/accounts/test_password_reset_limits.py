"""Password reset requests are limited per address and per email (allauth's limits), answer
the same whether the email has a login or not, and their links never come from the request's
Host header."""

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from chamado.core.models import AuditEvent
from tests import factories
from tests.worker import worker_run

pytestmark = pytest.mark.django_db

SITE = "https://help.acme-hosting.example"


def reset(client: Any, email: str, address: str = "203.0.113.10", **extra: Any) -> Any:
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address, **extra)


def test_the_eleventh_reset_request_in_an_hour_from_one_address_is_refused(db: None) -> None:
    client = Client()
    for n in range(10):
        response = reset(client, f"person{n}@example.com")
        assert response.status_code == 302
        assert response["Location"] == reverse("password_reset_done")

    eleventh = reset(client, "person10@example.com")

    assert eleventh.status_code == 429
    assert "Too many requests" in eleventh.content.decode()
    # Another address is not held back by this one.
    assert reset(Client(), "person10@example.com", address="192.0.2.7").status_code == 302


def test_one_email_gets_at_most_five_reset_requests_an_hour_from_any_address(owner: Any) -> None:
    for n in range(5):
        assert reset(Client(), owner.email, address=f"192.0.2.{n + 1}").status_code == 302
    assert reset(Client(), owner.email, address="192.0.2.99").status_code == 429
    assert DBTaskResult.objects.count() == 5, "five emails at most, not one per request"


def test_a_reset_answers_the_same_for_a_known_and_an_unknown_email(owner: Any) -> None:
    known = reset(Client(), owner.email)
    unknown = reset(Client(), "nobody@example.com", address="192.0.2.8")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    for n in range(5):
        reset(Client(), owner.email, address=f"198.51.100.{n}")
        reset(Client(), "nobody@example.com", address=f"198.51.100.{n + 50}")
    refused_known = reset(Client(), owner.email, address="198.51.100.200")
    refused_unknown = reset(Client(), "nobody@example.com", address="198.51.100.201")
    assert refused_known.status_code == refused_unknown.status_code == 429
    assert DBTaskResult.objects.count() == 5, "only the login that exists gets emails"


@pytest.mark.django_db(transaction=True)
def test_a_forged_host_header_never_reaches_the_reset_link(settings: Any) -> None:
    settings.SITE_URL = SITE
    settings.ALLOWED_HOSTS = ["*"]  # even when a forged Host gets past the host check
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    user = factories.OwnerFactory(email="ana@acme.example")
    response = reset(
        Client(),
        "ana@acme.example",
        HTTP_HOST="attacker.example",
        HTTP_X_FORWARDED_HOST="attacker.example",
        HTTP_X_FORWARDED_FOR="192.0.2.1",
    )
    assert response.status_code == 302
    (task,) = DBTaskResult.objects.all()
    assert task.args_kwargs["args"] == ["password_reset", user.pk], "no link or key queued"

    worker_run()

    (email,) = mail.outbox
    assert "attacker.example" not in email.message().as_string()
    link = re.search(rf"{re.escape(SITE)}/accounts/password/reset/key/\S+/", email.body)
    assert link, email.body


@pytest.mark.django_db(transaction=True)
def test_a_reset_password_is_in_the_audit_log_and_the_link_works_once() -> None:
    user = factories.OwnerFactory(email="ana@acme.example")
    reset(Client(), "ana@acme.example")
    worker_run()
    path = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", mail.outbox[0].body)
    assert path
    client = Client()
    form = client.get(path.group(1), follow=True)
    new = "Another-Long-Password-7"
    done = client.post(form.redirect_chain[-1][0], {"password1": new, "password2": new})
    assert done["Location"] == reverse("password_reset_complete")
    event = AuditEvent.objects.get(verb="user.password_reset")
    assert event.object_id == str(user.pk)
    again = Client().get(path.group(1), follow=True).content.decode()
    assert "already used or has expired" in again
