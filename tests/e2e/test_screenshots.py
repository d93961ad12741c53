"""Every page of the client area, the knowledge base, the desk and the admin, photographed in
English and pt-BR, light and dark (the browser's colour-scheme preference), at 1366 px and at
390 px, and checked with axe in each of those states.

The screenshots go to test-output/screenshots/pages/<locale>/ (ignored by git): NN-page.<scheme>.
<width>.png, to be looked at by a person. A serious or critical axe violation anywhere, or a page
wider than the window (sideways scroll; a wide table may scroll inside its own box), fails the
test, which lists every one of them (page, language, scheme, width, rule, elements).

Kept fast: one browser, one logged-in context per person and language (the colour scheme and
the width change on the same page), each language its own test so `-n auto` runs them side by
side. axe-core is the vendored copy of test_accessibility.py (tests/e2e/vendor/).
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from chamado.accounts.actions import api_token_create
from chamado.accounts.models import Membership
from chamado.tickets.actions import ticket_merge, ticket_reply_by_agent
from tests import factories
from tests.e2e.conftest import SCREENSHOTS

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
FAILING_IMPACTS = {"serious", "critical"}
# axe files some sure failures under "incomplete" (needs review): count those as violations.
REVIEW_IS_VIOLATION = {"duplicate-id-aria"}
SCHEMES = ("light", "dark")
WIDTHS = {1366: 900, 390: 844}  # width: height (a laptop; a phone)
STATES = [("light", 1366), ("dark", 1366), ("dark", 390), ("light", 390)]
ACTION_TIMEOUT_MS = 15_000
LOCALES = {
    "en-US": {"email": "Email", "password": "Password", "log_in": "Log in"},
    "pt-BR": {"email": "E-mail", "password": "Senha", "log_in": "Entrar"},
}

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
        .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 1)
        .slice(0, 5)
        .map((element) => element.tagName.toLowerCase() + "." + element.className),
})"""


@dataclass
class Album:
    """The screenshots taken and what axe said, for one language."""

    folder: Path
    locale: str
    count: int = 0
    taken: list[Path] = field(default_factory=list)
    failing: list[str] = field(default_factory=list)
    schemes: dict[int, str] = field(default_factory=dict)  # each page's emulated scheme

    def shoot(self, page: Any, name: str) -> None:
        """The page as it is now, in each scheme and width: a full-page screenshot, then axe.

        The states are visited in a loop that ends where it began, each one change away from
        the last (light wide, dark wide, dark narrow, light narrow), and the next page starts
        in the state this one ended in: one change per state, none to reset."""
        self.count += 1
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        states = STATES if self.count % 2 else STATES[::-1]
        for scheme, width in states:
            if page.viewport_size["width"] != width:
                page.set_viewport_size({"width": width, "height": WIDTHS[width]})
            if self.schemes.get(id(page)) != scheme:
                page.emulate_media(color_scheme=scheme)
                self.schemes[id(page)] = scheme
            path = self.folder / f"{self.count:02d}-{slug}.{scheme}.{width}.png"
            # Transitions finished first: a colour changing with the scheme is read as it ends.
            page.screenshot(path=str(path), full_page=True, animations="disabled")
            self.taken.append(path)
            where = f"{name} [{self.locale}, {scheme}, {width} px]"
            self._axe(page, where)
            widths = page.evaluate(PAGE_WIDTHS)
            if widths["scrollWidth"] > widths["innerWidth"] + 1:
                self.failing.append(
                    f"{where}: the page scrolls sideways (scrollWidth {widths['scrollWidth']} > "
                    f"{widths['innerWidth']}); wider than the window: {widths['outside']}"
                )

    def _axe(self, page: Any, where: str) -> None:
        """axe as the page is now; its serious and critical violations kept with ``where``."""
        for rule in page.evaluate(RUN_AXE):
            violation = rule["outcome"] == "violation" or rule["id"] in REVIEW_IS_VIOLATION
            if violation and rule["impact"] in FAILING_IMPACTS:
                targets = "\n".join(f"      {target}" for target in rule["nodes"][:8])
                self.failing.append(
                    f"{where}: {rule['id']} ({rule['impact']}): {rule['help']}\n{targets}"
                )


@dataclass
class Scene:
    owner: Any
    admin: Any
    ticket: Any
    merged: Any


@pytest.fixture
def scene(owner: Any, service: Any, support: Any, admin: Any) -> Scene:
    """Acme's owner (also a contact of a second account, so there is an account to switch
    to) with tickets, one of which another was merged into; an API token; a knowledge base; an
    administrator who also works Support (the desk's pages and the admin's)."""
    from tests.kb import builders

    factories.department("sales")
    factories.department("billing")
    support.agents.add(admin)
    factories.ContactFactory(account=owner.account, can_tickets=True, full_name="Bruno Lima")
    Membership.objects.create(
        user=owner, account=factories.AccountFactory(name="Beta Sites"), can_tickets=True
    )
    ticket = factories.open_ticket(
        owner,
        service=service,
        department=support,
        subject="Reset cPanel password",
        body="I lost my cPanel password and the reset email never arrives.",
        files=[factories.upload("screen.png", factories.png_bytes(), "image/png")],
    )
    ticket_reply_by_agent(
        actor=admin,
        ticket=ticket,
        body="We sent a new reset link to your cPanel contact address; the log is attached.",
        files=[factories.upload("mail-log.pdf", factories.PDF_BYTES, "application/pdf")],
    )
    again = factories.open_ticket(
        owner,
        service=service,
        department=support,
        subject="cPanel password, again",
        body="Writing again: the reset email still does not arrive in my inbox.",
    )
    ticket_merge(actor=admin, source=again, target=ticket)
    factories.open_ticket(
        owner,
        service=service,
        department=support,
        subject="Site down after PHP upgrade",
        priority=factories.Ticket.Priority.HIGH,
        body="Since the PHP upgrade tonight acme.com.br answers 503 on every page.",
    )
    api_token_create(actor=None, user=owner, name="Billing sync")

    category = builders.category("getting-started", name="Getting started", name_pt_br="Início")
    builders.article(
        category,
        slug="reset-your-password",
        title="How to reset your password",
        body="Intro.\n\n## Ask for a link\n\nOn the login page.\n\n## Choose the new password\n\n"
        "| Field | Value |\n|---|---|\n| Password | 10+ chars |",
        title_pt_br="Como redefinir sua senha",
        body_pt_br="Introdução.\n\n## Peça o link\n\nNa página de login.\n\n## Escolha a senha\n\n"
        "Pelo menos 10 caracteres.",
    )
    return Scene(owner=owner, admin=admin, ticket=ticket, merged=again)


@pytest.fixture
def context_for(browser: Any) -> Iterator[Any]:
    """context_for(locale): a page in a context that ignores the site's CSP (so the vendored
    axe can be injected; only the accessibility tests do so)."""
    contexts: list[Any] = []

    def _open(locale: str) -> Any:
        context = browser.new_context(
            locale=locale, viewport={"width": 1366, "height": WIDTHS[1366]}, bypass_csp=True
        )
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        context.add_init_script(path=str(AXE))  # in every page the context opens
        contexts.append(context)
        return context.new_page()

    yield _open
    for context in contexts:
        context.close()


def go(page: Any, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.ok, f"{url} answered {response and response.status}"


def log_in(page: Any, base: str, email: str, locale: str) -> None:
    words = LOCALES[locale]
    go(page, f"{base}/accounts/login/")
    page.get_by_label(words["email"], exact=True).fill(email)
    page.get_by_label(words["password"], exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name=words["log_in"], exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/login/"))


def submit_ticket_form(page: Any) -> None:
    page.locator("main form[enctype='multipart/form-data'] button[type=submit]").last.click()
    page.wait_for_load_state()


@pytest.mark.parametrize("locale", list(LOCALES))
def test_every_page_in_light_and_dark_on_a_laptop_and_a_phone(
    context_for: Any, live_server: Any, scene: Scene, locale: str
) -> None:
    base = live_server.url
    folder = SCREENSHOTS / "pages" / locale
    for old in folder.glob("*.png"):
        old.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    album = Album(folder=folder, locale=locale)
    number = scene.ticket.number

    # Anyone: the login page and the knowledge base.
    client = context_for(locale)
    go(client, f"{base}/accounts/login/")
    album.shoot(client, "login")
    go(client, f"{base}/kb/")
    album.shoot(client, "kb index")
    go(client, f"{base}/kb/getting-started/reset-your-password/")
    album.shoot(client, "kb article")
    go(client, f"{base}/kb/search/?q=password")
    album.shoot(client, "kb search")

    # The client.
    log_in(client, base, scene.owner.email, locale)
    go(client, f"{base}/")
    album.shoot(client, "client home")
    go(client, f"{base}/tickets/")
    album.shoot(client, "tickets list")
    go(client, f"{base}/tickets/open/")
    album.shoot(client, "department choice")
    go(client, f"{base}/tickets/open/support/")
    album.shoot(client, "open ticket form")
    submit_ticket_form(client)
    expect(client.locator(".error-summary")).to_be_visible()
    album.shoot(client, "open ticket form refused")
    client.locator("#id_subject").fill("Webmail is slow")
    client.locator("#id_message").fill("Webmail takes a minute to open each message since Monday.")
    service = client.locator("#id_service option:not([value=''])").first.get_attribute("value")
    client.locator("#id_service").select_option(service)
    submit_ticket_form(client)
    expect(client).to_have_url(re.compile(r"/tickets/\d+/created/$"))
    album.shoot(client, "ticket created")
    go(client, f"{base}/tickets/{number}/")
    album.shoot(client, "client ticket page")
    close = client.goto(f"{base}/tickets/{number}/close/")
    if close is not None and close.ok:  # a confirmation page, where the client area has one
        album.shoot(client, "close confirmation")
    go(client, f"{base}/account/contacts/")
    album.shoot(client, "contacts")
    go(client, f"{base}/account/switch/")
    album.shoot(client, "account switch")
    go(client, f"{base}/accounts/profile/")
    album.shoot(client, "profile")
    go(client, f"{base}/accounts/tokens/")
    album.shoot(client, "api tokens")

    # The desk and the admin, as an administrator who works Support.
    staff = context_for(locale)
    log_in(staff, base, scene.admin.email, locale)
    go(staff, f"{base}/desk/")
    album.shoot(staff, "desk queue")
    go(staff, f"{base}/desk/tickets/{number}/")
    album.shoot(staff, "desk ticket page")
    go(staff, f"{base}/desk/search/?q=cPanel")
    album.shoot(staff, "desk search")
    go(staff, f"{base}/desk/dashboard/")
    album.shoot(staff, "dashboard")
    go(staff, f"{base}/desk/audit/")
    album.shoot(staff, "audit log")
    go(staff, f"{base}/desk/mail/")
    album.shoot(staff, "mail to review")
    go(staff, f"{base}/admin/")
    album.shoot(staff, "admin index")
    go(staff, f"{base}/admin/accounts/user/add-agent/")
    album.shoot(staff, "admin add an agent")
    go(staff, f"{base}/admin/accounts/account/{scene.owner.account_id}/change/")
    album.shoot(staff, "admin client account")

    assert album.count >= 24
    assert len(album.taken) == album.count * len(SCHEMES) * len(WIDTHS)
    assert all(path.stat().st_size > 0 for path in album.taken)
    assert not album.failing, (
        f"{len(album.failing)} serious or critical axe violations or sideways scrolls "
        f"({locale}; screenshots in {folder}):\n" + "\n".join(album.failing)
    )
