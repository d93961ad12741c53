"""Two-factor sign-in in a real browser, in both languages: an agent logs in, is sent to set up
an authenticator app, enrols with a code computed here (as the phone would), keeps the recovery
codes and reaches the desk; the next sign-in asks for the code."""

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.accounts.signin import totp_code

pytestmark = pytest.mark.browser

WORDS = {
    "en-US": {
        "email": "Email",
        "password": "Password",
        "log_in": "Log in",
        "enrol": "Set up an authenticator app",
        "told": "Agents and administrators sign in with a second factor",
        "code_from_app": "Code from the app",
        "activate": "Activate",
        "codes": "Recovery codes",
        "continue": "Continue",
        "queue": "All my queues",
        "log_out": "Log out",
        "two_factor": "Two-factor sign-in",
        "code": "Code",
    },
    "pt-BR": {
        "email": "E-mail",
        "password": "Senha",
        "log_in": "Entrar",
        "enrol": "Configurar um app autenticador",
        "told": "Agentes e administradores entram com um segundo fator",
        "code_from_app": "Código do app",
        "activate": "Ativar",
        "codes": "Códigos de recuperação",
        "continue": "Continuar",
        "queue": "Todas as minhas filas",
        "log_out": "Sair",
        "two_factor": "Verificação em duas etapas",
        "code": "Código",
    },
}


@pytest.mark.parametrize("locale", ["en-US", "pt-BR"])
def test_agent_enrols_totp_then_reaches_the_desk(
    open_page: Any, screenshots: Any, settings: Any, agent: Any, locale: str
) -> None:
    settings.CHAMADO_REQUIRE_2FA = True
    factories.open_ticket(factories.OwnerFactory(), subject="Site down after PHP upgrade")
    words = WORDS[locale]
    browser_page = open_page(locale)
    page = browser_page.page
    shots = screenshots(page, f"sign-in-{locale}")

    page.goto(browser_page.url("/desk/"))
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/desk/$"))
    page.get_by_label(words["email"], exact=True).fill(agent.email)
    page.get_by_label(words["password"], exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name=words["log_in"], exact=True).click()

    expect(page).to_have_url(browser_page.url("/accounts/2fa/totp/activate/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(words["enrol"])
    expect(page.get_by_role("status")).to_contain_text(words["told"])
    expect(page.get_by_role("img")).to_be_visible()  # the QR code
    shots.take("enrol")
    secret = page.locator("#totp-key").inner_text().strip()
    page.get_by_label(words["code_from_app"], exact=True).fill(totp_code(secret))
    page.get_by_role("button", name=words["activate"], exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(words["codes"])
    expect(page.locator("ol.codes li")).to_have_count(10)
    shots.take("recovery-codes")
    page.get_by_role("link", name=words["continue"], exact=True).click()

    expect(page).to_have_url(browser_page.url("/desk/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(words["queue"])
    shots.take("desk")

    # Next time, the password alone is not enough.
    page.locator("header button[aria-controls=user-menu]").click()  # the user menu
    page.get_by_role("button", name=words["log_out"], exact=True).click()
    page.goto(browser_page.url("/desk/"))
    page.get_by_label(words["email"], exact=True).fill(agent.email)
    page.get_by_label(words["password"], exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name=words["log_in"], exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["two_factor"])
    # The enrolling code proved the app; it was not spent as a sign-in, so it may sign in.
    page.get_by_label(words["code"], exact=True).fill(totp_code(secret))
    page.get_by_role("button", name=words["log_in"], exact=True).click()
    expect(page).to_have_url(browser_page.url("/desk/"))
    shots.take("desk-again")
    assert not browser_page.csp_violations, browser_page.csp_violations
    assert not browser_page.page_errors, browser_page.page_errors
