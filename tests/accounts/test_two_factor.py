"""Two-factor sign-in: agents and administrators must have it (CHAMADO_REQUIRE_2FA), clients
may; a session that has not shown the second factor never reaches the desk or the admin."""

import re
import time
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from chamado.core.models import AuditEvent
from tests.accounts.signin import log_in, totp_code, totp_enrol
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def required(settings: Any) -> None:
    settings.CHAMADO_REQUIRE_2FA = True


def test_an_agent_without_a_second_factor_is_sent_to_enrol_and_never_sees_the_desk(
    required: None, agent: Any, ticket: Any
) -> None:
    client = Client()
    response = log_in(client, agent.email, PASSWORD)
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(agent.pk)

    for path in ["/desk/", reverse("desk:ticket", args=[ticket.number]), "/desk/search/?q=x"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == reverse("mfa_activate_totp")
    followed = client.get("/desk/", follow=True)
    assert "Agents and administrators sign in with a second factor" in followed.content.decode()
    assert ticket.subject not in followed.content.decode()
    posted = client.post(reverse("desk:reply", args=[ticket.number]), {"message": "Hello"})
    assert posted.status_code == 302 and posted["Location"] == reverse("mfa_activate_totp")
    assert ticket.messages.count() == 1


def test_an_administrator_without_a_second_factor_never_reaches_the_admin(
    required: None, admin: Any
) -> None:
    client = Client()
    log_in(client, admin.email, PASSWORD)
    for path in ["/admin/", "/admin/accounts/user/"]:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == reverse("mfa_activate_totp")


def test_an_enrolled_agent_with_only_the_password_is_not_signed_in(
    required: None, agent: Any
) -> None:
    totp_enrol(agent)
    client = Client()
    response = log_in(client, agent.email, PASSWORD)
    assert response["Location"] == reverse("mfa_authenticate")
    assert SESSION_KEY not in client.session

    desk = client.get("/desk/")
    assert desk.status_code == 302
    assert desk["Location"].startswith(reverse("login"))


@pytest.mark.django_db(transaction=True)  # allauth announces the enrolment on commit
def test_enrolling_totp_with_a_code_from_the_app_opens_the_desk(required: None, agent: Any) -> None:
    client = Client()
    log_in(client, agent.email, PASSWORD)
    page = client.get(reverse("mfa_activate_totp")).content.decode()
    secret = re.search(r'<code id="totp-key" class="secret">([A-Z2-7]+)</code>', page)
    assert secret, page
    assert 'src="data:image/svg+xml;base64,' in page  # the QR code, allowed by img-src data:

    wrong = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert wrong.status_code == 200 and "Incorrect code" in wrong.content.decode()

    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret[1])})

    assert response["Location"] == reverse("mfa_view_recovery_codes")
    codes_page = client.get(response["Location"]).content.decode()
    assert len(re.findall(r"<li><code>\d{8}</code></li>", codes_page)) == 10
    assert client.get("/desk/").status_code == 200
    assert AuditEvent.objects.filter(verb="user.2fa_add", object_id=str(agent.pk)).count() == 2


def test_signing_in_with_password_and_code_reaches_the_desk(required: None, agent: Any) -> None:
    secret, _codes = totp_enrol(agent)
    client = Client()
    log_in(client, agent.email, PASSWORD)
    assert (
        "Incorrect code"
        in client.post(reverse("mfa_authenticate"), {"code": "123456"}).content.decode()
        or totp_code(secret) == "123456"
    )

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})

    assert response.status_code == 302
    assert client.get(response["Location"], follow=True).request["PATH_INFO"] == "/desk/"
    login = AuditEvent.objects.get(verb="user.login")
    assert login.after["methods"] == ["password", "totp"]
    failed = AuditEvent.objects.filter(verb="user.login_failed", object_id=str(agent.pk))
    assert failed.exists()


def test_a_code_is_refused_a_second_time_in_its_period(required: None, agent: Any) -> None:
    secret, _codes = totp_enrol(agent)
    code = totp_code(secret)
    first = Client()
    log_in(first, agent.email, PASSWORD)
    assert first.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    if totp_code(secret) != code:
        pytest.skip("the 30-second period ended between the two sign-ins")
    second = Client()
    log_in(second, agent.email, PASSWORD)
    replayed = second.post(reverse("mfa_authenticate"), {"code": code})
    assert replayed.status_code == 200
    assert SESSION_KEY not in second.session


def test_a_recovery_code_works_once(required: None, agent: Any) -> None:
    _secret, codes = totp_enrol(agent)
    first = Client()
    log_in(first, agent.email, PASSWORD)
    assert first.post(reverse("mfa_authenticate"), {"code": codes[0]}).status_code == 302
    assert first.get("/desk/").status_code == 200

    second = Client()
    log_in(second, agent.email, PASSWORD, address="192.0.2.20")
    again = second.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert again.status_code == 200
    assert "Incorrect code" in again.content.decode()
    assert SESSION_KEY not in second.session
    assert second.post(reverse("mfa_authenticate"), {"code": codes[1]}).status_code == 302
    assert AuditEvent.objects.filter(verb="user.2fa_recovery_code_use").count() == 2


def test_a_session_from_before_the_second_factor_is_asked_for_it(
    required: None, agent: Any
) -> None:
    secret, _codes = totp_enrol(agent)
    client = Client()
    client.force_login(agent)  # signed in somewhere without showing a code

    response = client.get("/desk/")

    assert response["Location"] == f"{reverse('mfa_reauthenticate')}?next=%2Fdesk%2F"
    confirmed = client.post(response["Location"], {"code": totp_code(secret)})
    assert confirmed["Location"] == "/desk/"
    assert client.get("/desk/").status_code == 200


def test_a_client_may_sign_in_without_a_second_factor(required: None, owner: Any) -> None:
    client = Client()
    assert log_in(client, owner.email, PASSWORD)["Location"] == reverse("portal:home")
    assert client.get(reverse("portal:tickets")).status_code == 200
    assert client.get(reverse("mfa_index")).status_code == 200


def test_a_client_who_chose_totp_is_asked_for_the_code(owner: Any) -> None:
    totp_enrol(owner)
    client = Client()
    assert log_in(client, owner.email, PASSWORD)["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("portal:tickets")).status_code == 302


def test_without_the_requirement_an_agent_reaches_the_desk_with_the_password(
    agent: Any, settings: Any
) -> None:
    settings.CHAMADO_REQUIRE_2FA = False
    client = Client()
    log_in(client, agent.email, PASSWORD)
    assert client.get("/desk/").status_code == 200


def test_an_agent_who_must_keep_two_factor_cannot_turn_off_the_only_one(
    required: None, agent: Any
) -> None:
    secret, _codes = totp_enrol(agent)
    client = Client()
    log_in(client, agent.email, PASSWORD)
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})

    page = client.post(reverse("mfa_deactivate_totp"))

    assert page.status_code == 200
    assert "You cannot deactivate two-factor authentication" in page.content.decode()
    assert Authenticator.objects.filter(user=agent, type="totp").exists()


def test_a_client_may_turn_totp_off_and_the_change_is_audited(owner: Any) -> None:
    secret, _codes = totp_enrol(owner)
    client = Client()
    log_in(client, owner.email, PASSWORD)
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})

    response = client.post(reverse("mfa_deactivate_totp"))

    assert response["Location"] == reverse("mfa_index")
    assert not Authenticator.objects.filter(user=owner).exists()  # recovery codes go too
    removed = AuditEvent.objects.filter(verb="user.2fa_remove", object_id=str(owner.pk))
    assert sorted(event.before["type"] for event in removed) == ["recovery_codes", "totp"]


def test_totp_codes_here_match_the_apps(agent: Any) -> None:
    """The test's own TOTP (RFC 6238) and allauth's agree, so the tests sign in as a phone would."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    secret, _codes = totp_enrol(agent)
    now = time.time()
    assert totp_code(secret, now) == format_hotp_value(hotp_value(secret, int(now // 30)))
