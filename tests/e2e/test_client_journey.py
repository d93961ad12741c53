"""The client's journey (log in, open a ticket, follow it) in a real browser, in English and in
Brazilian Portuguese."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests import factories

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = REPO_ROOT / "chamado" / "locale" / "pt_BR" / "LC_MESSAGES" / "django.mo"


@dataclass(frozen=True)
class Words:
    """The visible names of SPEC §7 (the contract), plus statuses of SPEC §4."""

    folder: str
    locale: str
    email: str
    password: str
    log_in: str
    log_out: str
    open_ticket: str
    support: str
    tickets: str
    department: str
    subject: str
    related_service: str
    priority: str
    medium: str
    message: str
    attachments: str
    submit: str
    continue_: str
    reply: str
    close_ticket: str
    status_open: str
    status_closed: str


ENGLISH = Words(
    folder="en",
    locale="en-US",
    email="Email",
    password="Password",
    log_in="Log in",
    log_out="Log out",
    open_ticket="Open Ticket",
    support="Support",
    tickets="Tickets",
    department="Department",
    subject="Subject",
    related_service="Related Service",
    priority="Priority",
    medium="Medium",
    message="Message",
    attachments="Attachments",
    submit="Submit",
    continue_="Continue",
    reply="Reply",
    close_ticket="Close Ticket",
    status_open="Open",
    status_closed="Closed",
)
PORTUGUESE = Words(
    folder="pt-BR",
    locale="pt-BR",
    email="E-mail",
    password="Senha",
    log_in="Entrar",
    log_out="Sair",
    open_ticket="Abrir Ticket",
    support="Suporte",
    tickets="Tickets",
    department="Departamento",
    subject="Assunto",
    related_service="Serviço Relacionado",
    priority="Prioridade",
    medium="Média",
    message="Mensagem",
    attachments="Anexos",
    submit="Enviar",
    continue_="Continuar",
    reply="Responder",
    close_ticket="Fechar Ticket",
    status_open="Aberto",
    status_closed="Fechado",
)


@pytest.fixture
def client_owner(owner: Any, service: Any, support: Any) -> Any:
    """Acme's owner with one service, and the three default departments to choose from."""
    factories.department("sales")
    factories.department("billing")
    return owner


@contextmanager
def step(shots: Any, name: str, words: Words) -> Iterator[None]:
    """One step of the journey: screenshot after it, or a marked one with a note on failure."""
    try:
        yield
    except Exception as error:
        path = shots.take(f"{name}-FAILED")
        error.add_note(f"journey step '{name}' ({words.locale}) failed; see {path}")
        if words is PORTUGUESE and not CATALOGUE.exists():
            error.add_note(
                f"{CATALOGUE.relative_to(REPO_ROOT)} does not exist yet: the pt-BR names "
                "of SPEC §7 cannot appear until the catalogue is written and compiled."
            )
        raise
    shots.take(name)


def log_in(page: Any, words: Words, email: str) -> None:
    page.get_by_label(words.email, exact=True).fill(email)
    page.get_by_label(words.password, exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name=words.log_in, exact=True).click()


def shown_choice(select: Any) -> str:
    """The option text a person sees in a closed select."""
    return str(select.evaluate("select => select.selectedOptions[0].text"))


def support_menu(top_menu: Any, words: Words) -> Any:
    """Open the header's Support menu (a disclosure button) and return the banner."""
    top_menu.get_by_role("button", name=words.support, exact=True).click()
    return top_menu


def user_menu(page: Any) -> Any:
    """Open the header's user menu (the person's name) and return it."""
    page.locator("button[aria-controls=user-menu]").click()
    return page.locator("#user-menu")


def status_shown(page: Any, status: str) -> Any:
    """The value in the ticket's facts list (Status, Department, Priority...)."""
    return page.get_by_role("main").get_by_role("definition").get_by_text(status, exact=True)


@pytest.mark.parametrize("words", [ENGLISH, PORTUGUESE], ids=lambda words: words.locale)
def test_client_opens_follows_replies_and_closes_a_ticket(
    open_page: Any, screenshots: Any, client_owner: Any, words: Words
) -> None:
    browser_page = open_page(locale=words.locale)
    page = browser_page.page
    shots = screenshots(page, words.folder)
    subject = "Reset cPanel password"
    top_menu = page.get_by_role("banner")

    with step(shots, "login-page", words):
        response = page.goto(browser_page.url("/login/"))
        assert response is not None and response.ok
        # Without the header, "no CSP violation" below would prove nothing.
        assert "default-src 'self'" in response.headers["content-security-policy"]
        expect(page.get_by_role("button", name=words.log_in, exact=True)).to_be_visible()

    with step(shots, "logged-in", words):
        log_in(page, words, client_owner.email)
        expect(top_menu.get_by_role("link", name=words.open_ticket, exact=True)).to_be_visible()

    with step(shots, "choose-department", words):
        top_menu.get_by_role("link", name=words.open_ticket, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(words.open_ticket)

    with step(shots, "ticket-form", words):
        page.get_by_role("main").get_by_role("link", name=words.support, exact=True).click()
        expect(page.get_by_label(words.email, exact=True)).to_have_value(client_owner.email)
        expect(page.get_by_label(words.email, exact=True)).to_be_disabled()
        assert (
            shown_choice(page.get_by_role("combobox", name=words.department, exact=True))
            == words.support
        )
        assert (
            shown_choice(page.get_by_role("combobox", name=words.priority, exact=True))
            == words.medium
        )

    with step(shots, "ticket-form-filled", words):
        page.get_by_role("textbox", name=words.subject, exact=True).fill(subject)
        service = page.get_by_role("combobox", name=words.related_service, exact=True)
        service_option = service.locator("option", has_text="acme.com.br")
        service.select_option(label=service_option.inner_text())
        page.get_by_role("textbox", name=words.message, exact=True).fill(
            "I lost my cPanel password and the reset email never arrives. I already "
            "checked the spam folder."
        )
        page.get_by_label(words.attachments, exact=True).set_input_files(
            files=[{"name": "screen.png", "mimeType": "image/png", "buffer": factories.png_bytes()}]
        )
        assert "acme.com.br" in shown_choice(service)

    with step(shots, "confirmation", words):
        page.get_by_role("button", name=words.submit, exact=True).click()
        number_link = page.get_by_role("main").get_by_role("link", name=re.compile(r"^#\d{6}$"))
        expect(number_link).to_be_visible()
        number = number_link.inner_text().removeprefix("#")
        continue_link = page.get_by_role("link", name=words.continue_, exact=True)
        assert number_link.get_attribute("href") == continue_link.get_attribute("href")

    with step(shots, "ticket-page", words):
        continue_link.click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"#{number} · {subject}")
        expect(status_shown(page, words.status_open)).to_be_visible()
        expect(status_shown(page, words.medium)).to_be_visible()
        expect(page.get_by_role("link", name="screen.png")).to_be_visible()

    with step(shots, "ticket-list", words):
        support_menu(top_menu, words).get_by_role("link", name=words.tickets, exact=True).click()
        row = page.get_by_role("row").filter(has_text=subject)
        expect(row.get_by_role("cell", name=f"#{number}")).to_be_visible()
        expect(row.get_by_role("cell", name=words.support, exact=True)).to_be_visible()
        expect(row.get_by_role("cell", name=words.status_open, exact=True)).to_be_visible()

    with step(shots, "ticket-opened-from-list", words):
        row.get_by_role("link", name=subject).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(f"#{number}")

    with step(shots, "reply-sent", words):
        page.get_by_role("textbox", name=words.message, exact=True).fill(
            "One more detail: the account user is acme, the last login was yesterday."
        )
        page.get_by_role("button", name=words.reply, exact=True).click()
        expect(page.get_by_role("status")).to_be_visible()
        if words is ENGLISH:
            expect(page.get_by_role("status")).to_contain_text("keeps its place in the queue")
        expect(page.get_by_text("the account user is acme")).to_be_visible()
        # A client's extra message on an Open ticket leaves it Open (workflow rule).
        expect(status_shown(page, words.status_open)).to_be_visible()

    with step(shots, "ticket-close-confirmation", words):
        page.get_by_role("button", name=words.close_ticket, exact=True).click()
        expect(page.get_by_role("dialog")).to_be_visible()

    with step(shots, "ticket-closed", words):
        page.get_by_role("dialog").get_by_role("button", name=words.close_ticket).click()
        expect(status_shown(page, words.status_closed)).to_be_visible()
        expect(page.get_by_role("button", name=words.close_ticket, exact=True)).to_have_count(0)

    with step(shots, "ticket-list-closed", words):
        support_menu(top_menu, words).get_by_role("link", name=words.tickets, exact=True).click()
        row = page.get_by_role("row").filter(has_text=subject)
        expect(row.get_by_role("cell", name=words.status_closed, exact=True)).to_be_visible()

    with step(shots, "logged-out", words):
        user_menu(page).get_by_role("button", name=words.log_out, exact=True).click()
        expect(page.get_by_role("button", name=words.log_in, exact=True)).to_be_visible()

    assert browser_page.csp_violations == []
    assert browser_page.page_errors == []


def test_login_form_is_submitted_with_the_keyboard_alone(open_page: Any, client_owner: Any) -> None:
    browser_page = open_page(locale=ENGLISH.locale)
    page = browser_page.page
    page.goto(browser_page.url("/login/"))
    email = page.get_by_label("Email", exact=True)
    password = page.get_by_label("Password", exact=True)
    log_in_button = page.get_by_role("button", name="Log in", exact=True)
    # The field has autofocus; without it a person tabs past the skip link and the language
    # switcher, which is what this loop does.
    for _press in range(15):
        if email.evaluate("element => element === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(email).to_be_focused()
    page.keyboard.type(client_owner.email)
    page.keyboard.press("Tab")
    expect(password).to_be_focused()
    page.keyboard.type(factories.PASSWORD)
    page.keyboard.press("Tab")
    expect(log_in_button).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("banner").get_by_role("link", name="Open Ticket")).to_be_visible()
    assert browser_page.csp_violations == []


def test_console_listener_reports_a_csp_violation(open_page: Any, db: None) -> None:
    """Guards the journey's CSP check: an inline style must be refused and reported."""
    browser_page = open_page()
    page = browser_page.page
    page.goto(browser_page.url("/login/"))
    page.evaluate(
        """() => {
            const style = document.createElement("style");
            style.textContent = "body { outline: 1px solid red; }";
            document.head.append(style);
        }"""
    )
    page.wait_for_timeout(200)
    assert browser_page.csp_violations, "an inline style passed the Content-Security-Policy"
