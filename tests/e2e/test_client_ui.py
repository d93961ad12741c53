"""The client area's design system in a real browser: the header's menus by keyboard alone,
the error summary taking the focus, Close Ticket's confirmation (dialog and page), a pasted
screenshot stored with the ticket, the unsent draft offered back after the tab was closed, the
dark theme (the device's and the switch's), the space under the header, and axe in both
themes on every client page."""

import base64
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from chamado.tickets.actions import ticket_reply_by_agent
from chamado.tickets.models import Attachment, Ticket
from tests import factories
from tests.e2e.test_accessibility import AXE, Findings, axe_run, finish

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
ACTION_TIMEOUT_MS = 15_000
MESSAGE = "Webmail takes a minute to open each message since Monday, on every browser."
LIGHT_BG = "rgb(245, 247, 250)"  # --bg, light
DARK_BG = "rgb(15, 23, 32)"  # --bg, dark


@pytest.fixture
def new_page(browser: Any, live_server: Any) -> Iterator[Callable[..., Any]]:
    """new_page(**context_options) -> a page in its own context (viewport, color_scheme,
    java_script_enabled, bypass_csp...); new_page.context_of(page) reopens in the same one."""
    contexts: list[Any] = []

    def _open(**options: Any) -> Any:
        options.setdefault("viewport", DESKTOP)
        options.setdefault("locale", "en-US")
        context = browser.new_context(**options)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.errors = []  # type: ignore[attr-defined]
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.on(
            "console",
            lambda m: page.errors.append(m.text) if "Content Security Policy" in m.text else None,
        )
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def acme(owner: Any, service: Any, support: Any, agent: Any) -> Any:
    """Acme's owner with a service, the three departments and an answered ticket."""
    factories.department("sales")
    factories.department("billing")
    ticket = factories.open_ticket(
        owner,
        service=service,
        subject="Reset cPanel password",
        body="I lost my cPanel password and the reset email never arrives.",
        files=[factories.upload("screen.png", factories.png_bytes((40, 30)), "image/png")],
    )
    ticket_reply_by_agent(
        actor=agent, ticket=ticket, body="We sent a new reset link; the log is attached."
    )
    owner.ticket = ticket
    return owner


def url(live_server: Any, path: str) -> str:
    return live_server.url.rstrip("/") + path


def log_in(page: Any, live_server: Any, email: str) -> None:
    page.goto(url(live_server, "/login/"))
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/login/"))


def focused(page: Any) -> str:
    return str(
        page.evaluate(
            """() => {
                const e = document.activeElement;
                return e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
                    + " " + (e.getAttribute("aria-controls") || "")
                    + " " + (e.textContent || "").trim().replace(/\\s+/g, " ");
            }"""
        )
    )


def tab_to(page: Any, locator: Any, limit: int = 30) -> None:
    """Press Tab until the locator has the focus (the keyboard alone, as a person would)."""
    for _press in range(limit):
        if locator.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {locator}; focus is on {focused(page)}")


# ---- The header by keyboard ------------------------------------------------------------------


def test_support_menu_by_keyboard_alone(new_page: Any, live_server: Any, acme: Any) -> None:
    page = new_page()
    log_in(page, live_server, acme.email)
    banner = page.get_by_role("banner")
    support = banner.get_by_role("button", name="Support", exact=True)
    tickets = banner.get_by_role("link", name="Tickets", exact=True)
    expect(support).to_have_attribute("aria-expanded", "false")
    expect(tickets).to_be_hidden()

    tab_to(page, support)
    page.keyboard.press("Enter")
    expect(support).to_have_attribute("aria-expanded", "true")
    expect(tickets).to_be_visible()
    expect(banner.get_by_role("link", name="Knowledge Base", exact=True)).to_be_visible()
    page.keyboard.press("Tab")
    expect(tickets).to_be_focused()
    page.keyboard.press("Escape")
    expect(support).to_have_attribute("aria-expanded", "false")
    expect(support).to_be_focused()
    expect(tickets).to_be_hidden()

    # Arrow down opens it at its first link; Enter follows the link.
    page.keyboard.press("ArrowDown")
    expect(tickets).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tickets")

    # The user menu is the same kind of button; leaving it by Tab closes it.
    mine = banner.locator("button[aria-controls=user-menu]")
    tab_to(page, mine)
    page.keyboard.press("Enter")
    expect(mine).to_have_attribute("aria-expanded", "true")
    expect(banner.get_by_role("link", name="Profile")).to_be_visible()
    expect(banner.get_by_role("button", name="Log out")).to_be_visible()
    page.keyboard.press("Escape")
    expect(mine).to_be_focused()
    expect(mine).to_have_attribute("aria-expanded", "false")
    assert page.errors == []


def test_phone_menu_by_keyboard_alone(new_page: Any, live_server: Any, acme: Any) -> None:
    page = new_page(viewport=PHONE)
    log_in(page, live_server, acme.email)
    banner = page.get_by_role("banner")
    menu = banner.get_by_role("button", name="Menu", exact=True)
    open_ticket = banner.get_by_role("link", name="Open Ticket", exact=True)
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_have_attribute("aria-controls", "site-nav")
    expect(open_ticket).to_be_hidden()
    # One row: brand, account, Menu share the header's first line.
    middles = page.evaluate(
        """() => [".brand", ".account-name", ".nav-toggle"].map((s) => {
            const box = document.querySelector(s).getBoundingClientRect();
            return (box.top + box.bottom) / 2;
        })"""
    )
    assert max(middles) - min(middles) < 8, middles
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    tab_to(page, menu)
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(open_ticket).to_be_visible()
    page.keyboard.press("Tab")
    expect(open_ticket).to_be_focused()
    page.keyboard.press("Tab")
    support = banner.get_by_role("button", name="Support", exact=True)
    expect(support).to_be_focused()
    page.keyboard.press("Enter")
    expect(banner.get_by_role("link", name="Tickets", exact=True)).to_be_visible()
    page.keyboard.press("Escape")  # closes Support first, focus on its button
    expect(support).to_be_focused()
    expect(menu).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Escape")  # then the menu, focus back on Menu
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()
    expect(open_ticket).to_be_hidden()
    assert page.errors == []


def test_without_javascript_the_menus_are_plain_links(
    new_page: Any, live_server: Any, acme: Any
) -> None:
    page = new_page(viewport=PHONE, java_script_enabled=False)
    log_in(page, live_server, acme.email)
    banner = page.get_by_role("banner")
    expect(banner.get_by_role("button", name="Menu")).to_have_count(0)
    for name in ("Open Ticket", "Tickets", "Knowledge Base", "Profile", "Switch account"):
        expect(banner.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(banner.get_by_role("button", name="Log out")).to_be_visible()


# ---- The error summary takes the focus -------------------------------------------------------


def test_a_refused_submit_moves_the_focus_to_the_error_summary(
    new_page: Any, live_server: Any, acme: Any
) -> None:
    page = new_page()
    log_in(page, live_server, acme.email)
    page.goto(url(live_server, "/tickets/open/support/"))
    page.get_by_label("Attachments", exact=True).set_input_files(
        files=[{"name": "setup.exe", "mimeType": "application/octet-stream", "buffer": b"MZ\x90"}]
    )
    page.get_by_role("button", name="Submit", exact=True).click()
    summary = page.get_by_role("alert").filter(has_text="Please correct the fields marked below.")
    expect(summary).to_be_focused()
    # Its links lead to the fields.
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link").first).to_be_focused()
    summary.get_by_role("link", name=re.compile("^Subject")).click()
    expect(page.get_by_role("textbox", name="Subject", exact=True)).to_be_focused()
    assert page.errors == []


# ---- Close Ticket asks first -----------------------------------------------------------------


def test_close_ticket_asks_in_a_dialog_and_escape_keeps_it_open(
    new_page: Any, live_server: Any, acme: Any
) -> None:
    ticket = acme.ticket
    page = new_page()
    log_in(page, live_server, acme.email)
    page.goto(url(live_server, f"/tickets/{ticket.number}/"))
    opener = page.get_by_role("button", name="Close Ticket", exact=True)
    opener.click()
    dialog = page.get_by_role("dialog", name=f"Close ticket #{ticket.number}?")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()
    assert Ticket.objects.get(pk=ticket.pk).status != Ticket.Status.CLOSED

    opener.click()
    dialog.get_by_role("button", name="Keep it open").click()
    expect(dialog).to_be_hidden()
    assert Ticket.objects.get(pk=ticket.pk).status != Ticket.Status.CLOSED

    opener.click()
    dialog.get_by_role("button", name="Close Ticket").click()
    expect(page.get_by_role("status")).to_contain_text("closed")
    expect(page.get_by_role("main").get_by_role("definition").get_by_text("Closed")).to_be_visible()
    assert Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.CLOSED
    assert page.errors == []


def test_close_ticket_without_javascript_is_a_confirmation_page(
    new_page: Any, live_server: Any, acme: Any
) -> None:
    ticket = acme.ticket
    page = new_page(java_script_enabled=False)
    log_in(page, live_server, acme.email)
    page.goto(url(live_server, f"/tickets/{ticket.number}/"))
    page.get_by_role("link", name="Close Ticket", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Close ticket #{ticket.number}?")
    assert Ticket.objects.get(pk=ticket.pk).status != Ticket.Status.CLOSED
    page.get_by_role("button", name="Close Ticket", exact=True).click()
    expect(page).to_have_url(url(live_server, f"/tickets/{ticket.number}/"))
    assert Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.CLOSED


# ---- A pasted screenshot, stored with the ticket ---------------------------------------------

PASTE_PNG = """([name, b64]) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const file = new File([bytes], name, { type: "image/png" });
    const data = new DataTransfer();
    data.items.add(file);
    const box = document.querySelector("textarea[name=message]");
    box.focus();
    const event = new ClipboardEvent(
        "paste", { clipboardData: data, bubbles: true, cancelable: true });
    box.dispatchEvent(event);
    return event.defaultPrevented;
}"""


def fill_ticket_form(page: Any, subject: str) -> None:
    page.get_by_role("textbox", name="Subject", exact=True).fill(subject)
    service = page.get_by_role("combobox", name="Related Service", exact=True)
    service.select_option(label=service.locator("option", has_text="acme.com.br").inner_text())
    page.get_by_role("textbox", name="Message", exact=True).fill(MESSAGE)


def test_a_pasted_screenshot_is_attached_and_stored(
    new_page: Any, live_server: Any, acme: Any
) -> None:
    page = new_page()
    log_in(page, live_server, acme.email)
    page.goto(url(live_server, "/tickets/open/support/"))
    fill_ticket_form(page, "Webmail is slow")
    png = base64.b64encode(factories.png_bytes((24, 16))).decode()
    assert page.evaluate(PASTE_PNG, ["image.png", png]) is True
    files = page.get_by_role("list", name="Files to send")
    expect(files.get_by_role("listitem")).to_have_count(1)
    expect(files).to_contain_text(re.compile(r"screenshot-\d{8}-\d{6}-1\.png"))
    # A second paste, removed again with its button.
    page.evaluate(PASTE_PNG, ["image.png", png])
    expect(files.get_by_role("listitem")).to_have_count(2)
    files.get_by_role("button", name=re.compile(r"Remove screenshot-.*-2\.png")).click()
    expect(files.get_by_role("listitem")).to_have_count(1)
    count = page.get_by_label("Attachments", exact=True).evaluate("input => input.files.length")
    assert count == 1

    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.get_by_role("link", name="Continue", exact=True)).to_be_visible()
    ticket = Ticket.objects.get(subject="Webmail is slow")
    stored = Attachment.objects.get(message__ticket=ticket)
    assert re.fullmatch(r"screenshot-\d{8}-\d{6}-1\.png", stored.original_name)
    assert stored.content_type == "image/png"
    page.get_by_role("link", name="Continue", exact=True).click()
    thumb = page.get_by_role("img", name=stored.original_name)
    expect(thumb).to_be_visible()
    # Visible is not loaded (the thumbnail is lazy, and slower from object storage): wait for it.
    assert thumb.evaluate(THUMBNAIL_WIDTH) == 24
    assert page.errors == []


# The loaded image's width; an image still loading is waited for, a broken one fails.
THUMBNAIL_WIDTH = """img => img.complete ? img.naturalWidth : new Promise((done, fail) => {
    img.addEventListener("load", () => done(img.naturalWidth));
    img.addEventListener("error", () => fail(new Error("the thumbnail did not load")));
})"""


# ---- The unsent draft survives a closed tab --------------------------------------------------

DRAFT_SAVED = "() => Object.keys(localStorage).some((k) => k.startsWith('chamado-draft:'))"


def test_the_draft_is_offered_back_after_the_tab_was_closed(
    new_page: Any, live_server: Any, acme: Any
) -> None:
    page = new_page()
    log_in(page, live_server, acme.email)
    context = page.context
    page.goto(url(live_server, "/tickets/open/support/"))
    offer = page.get_by_role("region", name="Unsent draft")
    expect(offer).to_be_hidden()
    page.get_by_role("textbox", name="Subject", exact=True).fill("Backups stopped")
    page.get_by_role("combobox", name="Priority", exact=True).select_option(label="High")
    page.get_by_role("textbox", name="Message", exact=True).fill(MESSAGE)
    page.wait_for_function(DRAFT_SAVED)
    page.close()

    page = context.new_page()
    page.goto(url(live_server, "/tickets/open/support/"))
    offer = page.get_by_role("region", name="Unsent draft")
    expect(offer).to_be_visible()
    expect(offer).to_contain_text("Restore your unsent draft from")
    expect(offer).to_contain_text("Attached files cannot be kept")
    assert page.get_by_role("textbox", name="Subject", exact=True).input_value() == ""
    offer.get_by_role("button", name="Restore").click()
    expect(offer).to_be_hidden()
    expect(page.get_by_role("textbox", name="Subject", exact=True)).to_have_value("Backups stopped")
    expect(page.get_by_role("textbox", name="Message", exact=True)).to_have_value(MESSAGE)
    priority = page.get_by_role("combobox", name="Priority", exact=True)
    assert priority.evaluate("s => s.selectedOptions[0].text") == "High"

    service = page.get_by_role("combobox", name="Related Service", exact=True)
    service.select_option(label=service.locator("option", has_text="acme.com.br").inner_text())
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.get_by_role("link", name="Continue", exact=True)).to_be_visible()
    assert page.evaluate(DRAFT_SAVED) is False  # the page after submit cleared it
    page.goto(url(live_server, "/tickets/open/support/"))
    expect(page.get_by_role("region", name="Unsent draft")).to_be_hidden()


def test_a_reply_draft_is_kept_per_ticket_and_can_be_discarded(
    new_page: Any, live_server: Any, acme: Any
) -> None:
    ticket = acme.ticket
    page = new_page()
    log_in(page, live_server, acme.email)
    ticket_url = url(live_server, f"/tickets/{ticket.number}/")
    page.goto(ticket_url)
    page.get_by_role("textbox", name="Message", exact=True).fill("The new link expired too.")
    page.wait_for_function(DRAFT_SAVED)
    page.reload()
    offer = page.get_by_role("region", name="Unsent draft")
    expect(offer).to_be_visible()
    offer.get_by_role("button", name="Discard").click()
    expect(offer).to_be_hidden()
    assert page.evaluate(DRAFT_SAVED) is False
    page.reload()
    expect(page.get_by_role("region", name="Unsent draft")).to_be_hidden()


# ---- Dark theme ------------------------------------------------------------------------------


def background(page: Any) -> str:
    return str(page.evaluate("getComputedStyle(document.body).backgroundColor"))


def test_dark_theme_follows_the_device_and_the_switch(
    new_page: Any, live_server: Any, acme: Any
) -> None:
    page = new_page(color_scheme="dark")
    log_in(page, live_server, acme.email)
    assert background(page) == DARK_BG

    page.locator("button[aria-controls=user-menu]").click()
    menu = page.locator("#user-menu")
    menu.get_by_role("button", name="Light").click()
    expect(page.locator("html")).to_have_attribute("data-theme", "light")
    assert background(page) == LIGHT_BG
    expect(menu.get_by_role("button", name="Light")).to_have_attribute("aria-pressed", "true")
    page.reload()  # the server renders the choice from the cookie: no flash
    expect(page.locator("html")).to_have_attribute("data-theme", "light")
    assert background(page) == LIGHT_BG

    page.locator("button[aria-controls=user-menu]").click()
    menu.get_by_role("button", name="System").click()
    expect(page.locator("html")).not_to_have_attribute("data-theme", re.compile(".*"))
    assert background(page) == DARK_BG

    # A light device, dark chosen without JavaScript: the form posts and comes back.
    plain = new_page(color_scheme="light", java_script_enabled=False)
    plain.goto(url(live_server, "/login/"))
    assert background(plain) == LIGHT_BG
    plain.get_by_role("button", name="Dark").click()
    expect(plain).to_have_url(url(live_server, "/accounts/login/"))
    expect(plain.locator("html")).to_have_attribute("data-theme", "dark")
    assert background(plain) == DARK_BG
    assert page.errors == []


# ---- Space under the header (the confirmation card and headings were flush against it) -------


def gap_below_header(page: Any, selector: str) -> float:
    return float(
        page.evaluate(
            """(selector) => document.querySelector(selector).getBoundingClientRect().top
                - document.querySelector("header.top").getBoundingClientRect().bottom""",
            selector,
        )
    )


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_content_keeps_its_distance_from_the_header(
    new_page: Any, live_server: Any, acme: Any, viewport: dict[str, int]
) -> None:
    page = new_page(viewport=viewport)
    log_in(page, live_server, acme.email)
    page.goto(url(live_server, f"/tickets/{acme.ticket.number}/created/"))
    assert gap_below_header(page, ".confirmation") >= 24
    for path in ("/", "/tickets/", "/tickets/open/"):
        page.goto(url(live_server, path))
        assert gap_below_header(page, "main > :first-child") >= 24, path


# ---- axe on every client page, light and dark ------------------------------------------------


def client_pages(ticket: Ticket) -> list[tuple[str, str]]:
    return [
        ("home", "/"),
        ("tickets", "/tickets/"),
        ("department choice", "/tickets/open/"),
        ("ticket form", "/tickets/open/support/"),
        ("ticket page", f"/tickets/{ticket.number}/"),
        ("created page", f"/tickets/{ticket.number}/created/"),
        ("close confirmation", f"/tickets/{ticket.number}/close/"),
        ("contacts", "/account/contacts/"),
        ("invite", "/account/contacts/invite/"),
        ("account switch", "/account/switch/"),
        ("profile", "/accounts/profile/"),
        ("tokens", "/accounts/tokens/"),
        ("kb", "/kb/"),
        ("kb search", "/kb/search/?q=password"),
    ]


def check_page(page: Any, name: str, findings: Findings) -> None:
    page.add_script_tag(path=str(AXE))
    axe_run(page, name, findings)
    page.set_viewport_size(PHONE)
    try:
        axe_run(page, f"{name}, phone", findings)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"] + 1:
            findings.overflowing.append(f"[{name}] scrolls sideways on a phone: {width}")
        # The menus open, so their panels are checked too.
        page.locator("[data-nav-toggle]").click()
        mine = page.locator("button[aria-controls=user-menu]")
        if mine.count():
            mine.click()
        axe_run(page, f"{name}, phone, menus open", findings)
    finally:
        page.set_viewport_size(DESKTOP)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_on_every_client_page_in_both_themes(
    new_page: Any, live_server: Any, acme: Any, scheme: str
) -> None:
    findings = Findings()
    page = new_page(color_scheme=scheme, bypass_csp=True)
    page.goto(url(live_server, "/login/"))
    check_page(page, f"{scheme} login", findings)
    log_in(page, live_server, acme.email)
    for name, path in client_pages(acme.ticket):
        response = page.goto(url(live_server, path))
        assert response is not None and response.ok, path
        check_page(page, f"{scheme} {name}", findings)
    page.goto(url(live_server, "/tickets/open/support/"))
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.locator(".error-summary")).to_be_focused()
    check_page(page, f"{scheme} ticket form, refused", findings)
    page.goto(url(live_server, f"/tickets/{acme.ticket.number}/"))
    page.get_by_role("button", name="Close Ticket", exact=True).click()
    page.add_script_tag(path=str(AXE))
    axe_run(page, f"{scheme} close dialog", findings)
    finish(findings)
