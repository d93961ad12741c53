"""Chamado's own account email (password reset), and the saved language every email uses.

The reset email is built by the worker: Chamado's name, text and HTML in the user's saved
language, and a link from SITE_URL, never from the request's Host header (which whoever sends
the request chooses). It goes through the real SMTP server on loopback.
"""

import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from chamado.accounts.models import User
from tests import factories
from tests.accounts.signin import log_in
from tests.worker import worker_run

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "Correct-Horse-Battery-9"
SITE = "https://help.acme-hosting.example"


def parts(message: Any) -> dict[str, str]:
    return {
        part.get_content_type(): part.get_content()
        for part in message.walk()
        if not part.is_multipart()
    }


@pytest.mark.parametrize("language", ["en", "pt-br"])
def test_reset_email_is_chamados_in_the_saved_language_with_the_link_from_site_url(
    client,
    settings,
    smtp_server,
    language,
) -> None:
    settings.SITE_URL = SITE
    settings.ALLOWED_HOSTS = ["*"]  # even when a forged Host gets past the host check
    user = factories.OwnerFactory(email="ana@acme.example", full_name="Ana Souza")
    User.objects.filter(pk=user.pk).update(language=language)

    response = client.post(
        reverse("password_reset"),
        {"email": "ana@acme.example"},
        HTTP_HOST="attacker.example",
        HTTP_ACCEPT_LANGUAGE="pt-BR" if language == "en" else "en",
    )
    assert response.status_code == 302
    (task,) = DBTaskResult.objects.all()
    assert task.args_kwargs["args"] == ["password_reset", user.pk], "no link or token queued"

    worker_run()

    (email,) = smtp_server.inbox.to("ana@acme.example")
    raw = email.as_string()
    assert "attacker.example" not in raw
    bodies = parts(email)
    assert set(bodies) == {"text/plain", "text/html"}
    link = re.search(rf"{re.escape(SITE)}(/accounts/password/reset/key/\S+/)", bodies["text/plain"])
    assert link, bodies["text/plain"]
    assert f'href="{SITE}{link.group(1)}"' in bodies["text/html"]
    assert email["Auto-Submitted"] == "auto-generated"
    assert email["From"] == settings.DEFAULT_FROM_EMAIL
    if language == "pt-br":
        assert email["Subject"] == (
            "Escolha uma nova senha do Chamado para help.acme-hosting.example"
        )
        assert "Olá, Ana," in bodies["text/plain"]
        assert "O link funciona uma vez, dentro de 72 horas." in bodies["text/plain"]
        assert '<html lang="pt-BR">' in bodies["text/html"]
    else:
        assert email["Subject"] == "Choose a new Chamado password for help.acme-hosting.example"
        assert "Hello Ana," in bodies["text/plain"]
        assert "The link works once, within 72 hours." in bodies["text/plain"]
        assert '<html lang="en">' in bodies["text/html"]

    # The link sets the password, once.
    set_password_url = client.get(link.group(1), follow=True).redirect_chain[-1][0]
    done = client.post(set_password_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done["Location"] == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_reset_email_for_an_inactive_user_is_not_sent(client, smtp_server) -> None:
    user = factories.OwnerFactory(email="ana@acme.example")
    client.post(reverse("password_reset"), {"email": "ana@acme.example"})
    User.objects.filter(pk=user.pk).update(is_active=False)  # deactivated before the worker ran
    worker_run()
    assert smtp_server.inbox.messages == []


def test_a_login_keeps_the_saved_language(client) -> None:
    user = factories.OwnerFactory(email="ana@acme.example", language="pt-br")
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())  # not the first login
    response = log_in(client, "ana@acme.example", factories.PASSWORD, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "pt-br"


def test_the_first_login_starts_from_the_browsers_language(client) -> None:
    user = factories.OwnerFactory(email="ana@acme.example")
    assert (user.language, user.last_login) == ("en", None)
    log_in(client, "ana@acme.example", factories.PASSWORD, HTTP_ACCEPT_LANGUAGE="pt-BR")
    user.refresh_from_db()
    assert user.language == "pt-br"
    assert user.last_login is not None


def test_a_mail_server_outage_delays_the_reset_email_and_the_retry_sends_it_once(
    client,
    smtp_down,
) -> None:
    factories.OwnerFactory(email="ana@acme.example")
    client.post(reverse("password_reset"), {"email": "ana@acme.example"})
    worker_run()
    (retry,) = DBTaskResult.objects.filter(status="READY")
    assert retry.args_kwargs["args"] == ["password_reset", retry.args_kwargs["args"][1], 2]
    assert retry.run_after > timezone.now()

    smtp_down.start()
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    worker_run()
    worker_run()
    assert len(smtp_down.inbox.to("ana@acme.example")) == 1
    assert not DBTaskResult.objects.filter(status="READY").exists()
