"""Issue 9's journey in a real browser, in both languages: the owner invites a colleague with
the `tickets` permission, the colleague accepts from the email, chooses a password, enrols an
authenticator app and opens a ticket; the owner takes the permission away and the colleague's
very next request for that ticket answers 404."""

import re
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import expect

from chamado.accounts.models import Membership, User
from chamado.core.models import AuditEvent
from chamado.tickets.models import Ticket
from tests.accounts.signin import totp_code
from tests.e2e.test_accessibility import ENGLISH, PORTUGUESE, go, log_in
from tests.worker import worker_run

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://[^\s\"]+(/accounts/invitations/[A-Za-z0-9_-]+/)")
WORDS = {
    "en-US": {
        "login": ENGLISH,
        "send": "Send invitation",
        "code_from_app": "Code from the app",
        "activate": "Activate",
        "save": "Save",
    },
    "pt-BR": {
        "login": PORTUGUESE,
        "send": "Enviar convite",
        "code_from_app": "Código do app",
        "activate": "Ativar",
        "save": "Salvar",
    },
}
NEW_PASSWORD = "Correct-Horse-Battery-9"


@pytest.mark.parametrize("locale", ["en-US", "pt-BR"])
def test_invited_colleague_opens_a_ticket_then_loses_it_with_the_permission(
    open_page: Any, screenshots: Any, settings: Any, owner: Any, support: Any, locale: str
) -> None:
    words = WORDS[locale]
    owner_page = open_page(locale)
    settings.SITE_URL = owner_page.base_url
    page = owner_page.page
    shots = screenshots(page, f"contacts-journey-{locale}")

    # The owner invites a colleague, by the form's labels.
    log_in(page, owner_page.base_url, owner.email, words["login"])
    go(page, owner_page.url("/account/contacts/invite/"))
    page.locator("#id_email").fill("dora@example.com")
    page.locator("#id_can_tickets").check()
    page.get_by_role("button", name=words["send"], exact=True).click()
    expect(page).to_have_url(re.compile(r"/account/contacts/$"))
    expect(page.get_by_role("main")).to_contain_text("dora@example.com")
    shots.take("invited")

    # The worker sends the email; the colleague follows its link in their own browser.
    worker_run()
    (email,) = [message for message in mail.outbox if message.to == ["dora@example.com"]]
    link = LINK.search(email.body)
    assert link, email.body
    colleague_page = open_page(locale)
    colleague = colleague_page.page
    go(colleague, colleague_page.url(link.group(1)))
    # Labels carry a required marker: the fields by their ids.
    colleague.locator("#id_full_name").fill("Dora Dias")
    colleague.locator("#id_password1").fill(NEW_PASSWORD)
    colleague.locator("#id_password2").fill(NEW_PASSWORD)
    colleague.locator("main form button[type=submit]").click()
    expect(colleague.locator("header")).to_contain_text(owner.account.name)
    dora = User.objects.get(email="dora@example.com")
    assert Membership.objects.get(user=dora, account=owner.account).can_tickets

    # Two-factor sign-in, which a client may choose: an authenticator app.
    go(colleague, colleague_page.url("/accounts/2fa/totp/activate/"))
    if "/reauthenticate/" in colleague.url:
        # A login made by the invitation page has shown no password: allauth asks for it
        # before a second factor is added.
        colleague.locator("main input[type=password]").fill(NEW_PASSWORD)
        colleague.locator("main form button[type=submit]").click()
        expect(colleague).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
    secret = colleague.locator("#totp-key").inner_text().strip()
    colleague.get_by_label(words["code_from_app"], exact=True).fill(totp_code(secret))
    colleague.get_by_role("button", name=words["activate"], exact=True).click()
    expect(colleague.locator("ol.codes li")).to_have_count(10)
    assert AuditEvent.objects.filter(actor=dora, verb__startswith="user.2fa").exists()

    # The colleague opens a ticket for the account.
    go(colleague, colleague_page.url("/tickets/open/support/"))
    colleague.locator("#id_subject").fill("Webmail asks for the password again and again")
    colleague.locator("#id_message").fill(
        "Since this morning webmail logs me out after every click, on two browsers."
    )
    colleague.locator("main form[enctype='multipart/form-data'] button[type=submit]").click()
    expect(colleague).to_have_url(re.compile(r"/tickets/\d+/created/$"))
    ticket = Ticket.objects.get(contact=dora)
    assert ticket.account_id == owner.account_id
    ticket_url = colleague_page.url(f"/tickets/{ticket.number}/")
    go(colleague, ticket_url)
    shots.take("colleague-ticket")

    # The owner takes the `tickets` permission away...
    membership = Membership.objects.get(user=dora, account=owner.account)
    go(page, owner_page.url(f"/account/contacts/{membership.pk}/"))
    page.locator("#id_can_tickets").uncheck()
    page.get_by_role("button", name=words["save"], exact=True).click()
    expect(page).to_have_url(re.compile(r"/account/contacts/$"))
    membership.refresh_from_db()
    assert not membership.can_tickets

    # ... and the colleague's next request for the ticket is a 404, like any stranger's.
    response = colleague.goto(ticket_url)
    assert response is not None and response.status == 404
    assert "Webmail asks" not in colleague.content()
    shots.take("colleague-404")
    for browser_page in (owner_page, colleague_page):
        assert not browser_page.csp_violations, browser_page.csp_violations
        assert not browser_page.page_errors, browser_page.page_errors
