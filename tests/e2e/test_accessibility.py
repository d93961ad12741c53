"""axe-core on every core page of SPEC §7, in English and pt-BR, and no sideways scroll on a phone.

Fails on violations of impact "serious" or "critical"; "moderate" and "minor" ones, and what axe
leaves for review, are printed (see them with `pytest -s` or in the captured output of a
failure). axe-core is vendored in tests/e2e/vendor/ (see its README), so no npm at test time.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from chamado.tickets.actions import ticket_reply_by_agent
from tests import factories

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
FAILING_IMPACTS = {"serious", "critical"}
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
ACTION_TIMEOUT_MS = 15_000

# axe files some sure failures under "incomplete" (needs review): count those as violations.
REVIEW_IS_VIOLATION = {"duplicate-id-aria"}

RUN_AXE = """async () => {
    const result = await axe.run(document, { resultTypes: ["violations", "incomplete"] });
    const brief = (outcome) => (rule) => ({
        outcome: outcome,
        id: rule.id,
        impact: rule.impact,
        help: rule.help,
        nodes: rule.nodes.map((node) => node.target.flat().join(" ")),
    });
    return result.violations.map(brief("violation"))
        .concat(result.incomplete.map(brief("needs review")));
}"""
PAGE_WIDTHS = """() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    outside: [...document.querySelectorAll("body *")]
        .filter((element) =>
            element.getBoundingClientRect().right > window.innerWidth + 1
            || (element.scrollWidth > element.clientWidth + 1
                && getComputedStyle(element).overflowX === "visible"))
        .slice(0, 5)
        .map((element) => element.tagName.toLowerCase() + "." + element.className),
})"""


@dataclass
class Findings:
    """What axe and the phone-width check found, page by page."""

    failing: list[str] = field(default_factory=list)
    noted: list[str] = field(default_factory=list)
    overflowing: list[str] = field(default_factory=list)

    def report(self) -> str:
        lines = [*self.failing, *self.overflowing]
        return "\n".join(lines)


@dataclass
class Scene:
    owner: Any
    agent: Any
    admin: Any
    ticket: Any


@pytest.fixture
def scene(owner: Any, service: Any, support: Any, agent: Any, admin: Any) -> Scene:
    """Acme's owner, a ticket with the client's screenshot and an agent's reply with a log;
    a second, urgent one for the queue; an administrator for the audit log."""
    factories.department("sales")
    factories.department("billing")
    ticket = factories.open_ticket(
        owner,
        service=service,
        department=support,
        subject="Reset cPanel password",
        body="I lost my cPanel password and the reset email never arrives.",
        files=[factories.upload("screen.png", factories.png_bytes(), "image/png")],
    )
    ticket_reply_by_agent(
        actor=agent,
        ticket=ticket,
        body="We sent a new reset link to your cPanel contact address; the log is attached.",
        files=[factories.upload("mail-log.pdf", factories.PDF_BYTES, "application/pdf")],
    )
    factories.open_ticket(
        owner,
        service=service,
        department=support,
        subject="Site down after PHP upgrade",
        priority=factories.Ticket.Priority.HIGH,
        body="Since the PHP upgrade tonight acme.com.br answers 503 on every page.",
    )
    return Scene(owner, agent, admin, ticket)


@pytest.fixture
def axe_page(browser: Any, live_server: Any) -> Iterator[Any]:
    """axe_page(locale) gives a page in a context that ignores the site's CSP, so the vendored
    axe can be injected. Only here: every other browser test keeps the CSP."""
    contexts: list[Any] = []

    def _open(locale: str = "en-US") -> Any:
        context = browser.new_context(locale=locale, viewport=DESKTOP, bypass_csp=True)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield _open
    for context in contexts:
        context.close()


def axe_run(page: Any, name: str, findings: Findings) -> None:
    for rule in page.evaluate(RUN_AXE):
        violation = rule["outcome"] == "violation" or rule["id"] in REVIEW_IS_VIOLATION
        outcome = "" if violation else f", {rule['outcome']}"
        text = f"[{name}] {rule['id']} ({rule['impact']}{outcome}): {rule['help']}\n" + "\n".join(
            f"    {target}" for target in rule["nodes"]
        )
        if violation and rule["impact"] in FAILING_IMPACTS:
            findings.failing.append(text)
        else:
            findings.noted.append(text)


def check(page: Any, name: str, findings: Findings) -> None:
    """axe on the page at desktop width; then at 375 px, axe again (the layout changes) and
    no sideways scroll of the page itself (a wide table may scroll inside its own box)."""
    page.add_script_tag(path=str(AXE))
    axe_run(page, name, findings)
    page.set_viewport_size(PHONE)
    try:
        axe_run(page, f"{name}, {PHONE['width']} px", findings)
        widths = page.evaluate(PAGE_WIDTHS)
        if widths["scrollWidth"] > widths["innerWidth"] + 1:
            findings.overflowing.append(
                f"[{name}] scrolls sideways at {PHONE['width']} px: scrollWidth "
                f"{widths['scrollWidth']} > {widths['innerWidth']}; outside: {widths['outside']}"
            )
    finally:
        page.set_viewport_size(DESKTOP)


def go(page: Any, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.ok, f"{url} answered {response and response.status}"


def log_in(page: Any, base: str, email: str, words: tuple[str, str, str]) -> None:
    email_label, password_label, button = words
    go(page, f"{base}/login/")
    page.get_by_label(email_label, exact=True).fill(email)
    page.get_by_label(password_label, exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name=button, exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/login/"))


ENGLISH = ("Email", "Password", "Log in")
PORTUGUESE = ("E-mail", "Senha", "Entrar")


def submit_ticket_form(page: Any) -> None:
    page.locator("main form[enctype='multipart/form-data'] button[type=submit]").click()
    page.wait_for_load_state()


def finish(findings: Findings) -> None:
    if findings.noted:
        print(
            "\naxe, moderate, minor or needing review (not failing):\n" + "\n".join(findings.noted)
        )
    assert not findings.failing and not findings.overflowing, "\n" + findings.report()


def test_client_pages_in_english(axe_page: Any, live_server: Any, scene: Scene) -> None:
    page = axe_page("en-US")
    base = live_server.url
    findings = Findings()

    go(page, f"{base}/login/")
    check(page, "login", findings)
    log_in(page, base, scene.owner.email, ENGLISH)
    check(page, "client home", findings)
    go(page, f"{base}/tickets/open/")
    check(page, "department choice", findings)
    go(page, f"{base}/tickets/open/support/")
    check(page, "ticket form", findings)

    # Two refused files: two errors under one field.
    page.get_by_label("Attachments", exact=True).set_input_files(
        files=[
            {"name": name, "mimeType": "application/octet-stream", "buffer": b"MZ\x90\x00"}
            for name in ("setup.exe", "tool.exe")
        ]
    )
    submit_ticket_form(page)
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator(".field p.error").first).to_be_visible()
    check(page, "ticket form, refused", findings)

    page.get_by_role("textbox", name="Subject", exact=True).fill("Webmail is slow")
    service = page.get_by_role("combobox", name="Related Service", exact=True)
    service.select_option(label=service.locator("option", has_text="acme.com.br").inner_text())
    page.get_by_role("textbox", name="Message", exact=True).fill(
        "Webmail takes a minute to open each message since Monday."
    )
    submit_ticket_form(page)
    expect(page.get_by_role("link", name="Continue", exact=True)).to_be_visible()
    check(page, "confirmation", findings)

    go(page, f"{base}/tickets/")
    check(page, "tickets list", findings)
    go(page, f"{base}/tickets/{scene.ticket.number}/")
    expect(page.get_by_role("link", name="screen.png")).to_be_visible()
    expect(page.get_by_role("link", name="mail-log.pdf")).to_be_visible()
    check(page, "client ticket page", findings)
    finish(findings)


def test_client_pages_in_portuguese(axe_page: Any, live_server: Any, scene: Scene) -> None:
    page = axe_page("pt-BR")
    base = live_server.url
    findings = Findings()

    log_in(page, base, scene.owner.email, PORTUGUESE)
    go(page, f"{base}/tickets/open/support/")
    expect(page.locator("html")).to_have_attribute("lang", "pt-BR")
    check(page, "pt-BR ticket form", findings)
    submit_ticket_form(page)
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator(".field p.error").first).to_be_visible()
    check(page, "pt-BR ticket form, refused", findings)
    go(page, f"{base}/tickets/{scene.ticket.number}/")
    expect(page.get_by_role("link", name="mail-log.pdf")).to_be_visible()
    check(page, "pt-BR client ticket page", findings)
    finish(findings)


def test_desk_pages(axe_page: Any, live_server: Any, scene: Scene) -> None:
    page = axe_page("en-US")
    base = live_server.url
    findings = Findings()

    log_in(page, base, scene.agent.email, ENGLISH)
    go(page, f"{base}/desk/")
    expect(page.get_by_role("link", name="Site down after PHP upgrade")).to_be_visible()
    check(page, "desk queue", findings)
    go(page, f"{base}/desk/tickets/{scene.ticket.number}/")
    expect(page.get_by_role("link", name="mail-log.pdf")).to_be_visible()
    check(page, "desk ticket page", findings)
    go(page, f"{base}/desk/search/?q=cPanel")
    expect(page.get_by_role("link", name=re.compile("Reset cPanel password"))).to_be_visible()
    check(page, "desk search", findings)
    go(page, f"{base}/desk/dashboard/")
    page.locator("details.numbers summary").click()  # the table behind the daily chart
    check(page, "dashboard", findings)

    admin_page = axe_page("en-US")
    log_in(admin_page, base, scene.admin.email, ENGLISH)
    go(admin_page, f"{base}/desk/audit/")
    expect(admin_page.get_by_role("table")).to_be_visible()
    check(admin_page, "audit log", findings)
    finish(findings)


def test_the_check_fails_on_a_serious_violation_and_on_sideways_scroll(
    axe_page: Any, live_server: Any, db: None
) -> None:
    """Guards the tests above: a page with no finding must mean axe ran and found nothing."""
    page = axe_page("en-US")
    go(page, f"{live_server.url}/login/")
    page.evaluate(
        """() => {
            const main = document.querySelector("main");
            main.append(document.createElement("input"));
            const wide = document.createElement("div");
            wide.className = "too-wide";
            wide.textContent = "x".repeat(400);
            main.append(wide);
        }"""
    )
    findings = Findings()
    check(page, "login, spoilt", findings)
    assert any("] label (critical)" in text and "main > input" in text for text in findings.failing)
    assert any("div.too-wide" in text for text in findings.overflowing), findings.overflowing


def test_knowledge_base_pages(axe_page: Any, live_server: Any, scene: Scene) -> None:
    """The reader's pages (index, category, article with its contents and the "No" comment
    form, search), in English and pt-BR, the ticket form with suggestions, the writers' report."""
    from tests.kb import builders

    category = builders.category("getting-started", name="Getting started", name_pt_br="Início")
    builders.article(
        category,
        slug="reset-your-password",
        title="How to reset your password",
        body="Intro.\n\n## Ask for a link\n\nOn the login page.\n\n### The email\n\nIt arrives.\n\n"
        "## Choose the new password\n\n| Field | Value |\n|---|---|\n| Password | 10+ chars |",
        title_pt_br="Como redefinir sua senha",
        body_pt_br="Introdução.\n\n## Peça o link\n\nNa página de login.",
    )
    builders.article(category, slug="dns", title="Edit the DNS zone", body="Records of the zone.")
    base = live_server.url
    findings = Findings()
    article = f"{base}/kb/getting-started/reset-your-password/"

    page = axe_page("en-US")
    go(page, f"{base}/kb/")
    check(page, "kb index", findings)
    go(page, f"{base}/kb/getting-started/")
    check(page, "kb category", findings)
    go(page, article)
    page.get_by_role("button", name="No", exact=True).click()
    expect(page.get_by_label("What were you looking for? (optional)")).to_be_visible()
    check(page, "kb article, after No", findings)
    go(page, f"{base}/kb/search/?q=password")
    expect(page.locator("mark").first).to_be_visible()
    check(page, "kb search", findings)

    portuguese = axe_page("pt-BR")
    go(portuguese, article)
    expect(portuguese.get_by_role("button", name="Sim", exact=True)).to_be_visible()
    check(portuguese, "pt-BR kb article", findings)
    go(portuguese, f"{base}/kb/getting-started/dns/")
    expect(portuguese.get_by_text("ainda não está disponível em português")).to_be_visible()
    check(portuguese, "pt-BR kb article in English", findings)

    client = axe_page("en-US")
    log_in(client, base, scene.owner.email, ENGLISH)
    go(client, f"{base}/tickets/open/support/?subject=reset+password")
    expect(client.get_by_role("link", name="How to reset your password")).to_be_visible()
    check(client, "ticket form with suggestions", findings)

    admin_page = axe_page("en-US")
    log_in(admin_page, base, scene.admin.email, ENGLISH)
    go(admin_page, f"{base}/desk/kb/")
    check(admin_page, "writers' report", findings)
    finish(findings)


@pytest.mark.parametrize("locale", ["en-US", "pt-BR"])
def test_sign_in_profile_and_two_factor_pages(
    axe_page: Any, live_server: Any, owner: Any, locale: str
) -> None:
    from tests.accounts.signin import totp_code

    page = axe_page(locale)
    base = live_server.url
    words = ENGLISH if locale == "en-US" else PORTUGUESE
    findings = Findings()

    go(page, f"{base}/accounts/password/reset/")
    check(page, f"{locale} password reset", findings)
    log_in(page, base, owner.email, words)
    for name, path in [
        ("profile", "/accounts/profile/"),
        ("password change", "/accounts/password/change/"),
        ("email", "/accounts/email/"),
        ("sessions", "/accounts/sessions/"),
        ("two-factor", "/accounts/2fa/"),
        ("passkey add", "/accounts/2fa/webauthn/add/"),
        ("authenticator app", "/accounts/2fa/totp/activate/"),
    ]:
        go(page, base + path)
        check(page, f"{locale} {name}", findings)
    secret = page.locator("#totp-key").inner_text().strip()
    page.locator("main form input[name=code]").fill(totp_code(secret))
    page.locator("main form button[type=submit]").click()
    expect(page.locator("ol.codes li")).to_have_count(10)
    check(page, f"{locale} recovery codes", findings)

    page.locator("header button[aria-controls=user-menu]").click()  # the user menu
    page.locator("header form[action$='/logout/'] button").click()
    log_in(page, base, owner.email, words)
    expect(page.locator("main input[name=code]")).to_be_visible()
    check(page, f"{locale} second factor", findings)
    finish(findings)
