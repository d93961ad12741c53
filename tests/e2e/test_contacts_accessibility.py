"""axe-core on the contact pages and the invitation page (issue 9), in English and pt-BR, and
the journey as a person sees it: invite by labels, accept with a new login, land in the account.
The helpers are tests/e2e/test_accessibility.py's."""

import re
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import expect

from chamado.accounts.models import Membership
from tests import factories
from tests.e2e.test_accessibility import (
    ENGLISH,
    PORTUGUESE,
    Findings,
    axe_page,  # noqa: F401  (a fixture)
    check,
    finish,
    go,
    log_in,
)
from tests.worker import worker_run

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://[^\s\"]+(/accounts/invitations/[A-Za-z0-9_-]+/)")


@pytest.mark.parametrize(("locale", "words"), [("en-US", ENGLISH), ("pt-BR", PORTUGUESE)])
def test_contact_pages_and_the_invitation_pass_axe(
    axe_page: Any,  # noqa: F811
    live_server: Any,
    settings: Any,
    owner: Any,
    contact: Any,
    locale: str,
    words: tuple[str, str, str],
) -> None:
    settings.SITE_URL = live_server.url
    page = axe_page(locale)
    base = live_server.url
    findings = Findings()
    log_in(page, base, owner.email, words)

    go(page, f"{base}/account/contacts/invite/")
    check(page, "invite form", findings)
    # A refused form: the error summary and the field's error.
    page.locator("#id_email").fill("not an address")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    check(page, "invite form refused", findings)
    page.locator("#id_email").fill("dora@example.com")
    page.locator("#id_can_tickets").check()
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/account/contacts/$"))
    check(page, "contacts", findings)

    membership = Membership.objects.get(user=contact, account=owner.account)
    go(page, f"{base}/account/contacts/{membership.pk}/")
    check(page, "change permissions", findings)
    go(page, f"{base}/account/contacts/{membership.pk}/remove/")
    check(page, "remove contact", findings)

    worker_run()
    (email,) = [message for message in mail.outbox if message.to == ["dora@example.com"]]
    match = LINK.search(email.body)
    assert match, email.body
    page.context.clear_cookies()
    go(page, base + match.group(1))
    check(page, "invitation, new login", findings)
    page.locator("#id_full_name").fill("Dora Dias")
    page.locator("#id_password1").fill("Correct-Horse-Battery-9")
    page.locator("#id_password2").fill("Correct-Horse-Battery-9")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("header")).to_contain_text("Acme Hospedagem")
    used = page.goto(base + match.group(1))  # used: the page of any invalid link
    assert used is not None and used.status == 404
    check(page, "invitation no longer valid", findings)
    finish(findings)


def test_invitation_for_an_existing_login_passes_axe(
    axe_page: Any,  # noqa: F811
    live_server: Any,
    settings: Any,
    owner: Any,
    other_owner: Any,
) -> None:
    from chamado.accounts.contacts import contact_invite

    settings.SITE_URL = live_server.url
    contact_invite(
        actor=owner,
        account=owner.account,
        email=other_owner.email,
        permissions={"can_tickets": True},
    )
    worker_run()
    (email,) = mail.outbox
    match = LINK.search(email.body)
    assert match
    page = axe_page("en-US")
    findings = Findings()
    base = live_server.url
    go(page, base + match.group(1))
    check(page, "invitation, log in first", findings)
    page.get_by_role("link", name="Log in", exact=True).last.click()
    page.get_by_label("Email", exact=True).fill(other_owner.email)
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/accounts/invitations/"))
    check(page, "invitation, join", findings)
    page.get_by_role("button", name="Join Acme Hospedagem").click()
    expect(page.locator("header")).to_contain_text("Acme Hospedagem")
    finish(findings)
