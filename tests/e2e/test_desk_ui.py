"""The desk of issue 11 in a real browser: sorting the queue, "Assign to me", a canned reply at
the cursor, merge through its preview, bulk changes that change nothing unless chosen, the
rows kept fresh, and the keyboard shortcuts with their help dialog. Every page passes axe
(tests/e2e/test_accessibility.py's check: desktop and phone widths, no sideways scroll)."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import expect

from chamado.tickets.actions import ticket_update
from chamado.tickets.models import CannedReply, Ticket
from tests import factories
from tests.clock import hours_ago
from tests.e2e.test_accessibility import (
    ACTION_TIMEOUT_MS,
    ENGLISH,
    PORTUGUESE,
    Findings,
    check,
    finish,
)

pytestmark = pytest.mark.browser

WIDE = {"width": 1366, "height": 900}
CANNED = "We restarted PHP-FPM for {client_name}; the site answers again."


@dataclass(frozen=True)
class Scene:
    agent: Any
    colleague: Any
    owner: Any
    urgent: Ticket  # High, waiting 1 h
    webmail: Ticket  # Medium, 5 h
    invoice: Ticket  # Medium, 3 h
    mailbox: Ticket  # Low, 2 h


@pytest.fixture
def scene(owner: Any, service: Any, support: Any, agent: Any, colleague: Any) -> Scene:
    factories.department("sales")
    factories.department("billing")

    def waiting(subject: str, priority: int, hours: float) -> Ticket:
        ticket = factories.open_ticket(
            owner, service=service, department=support, subject=subject, priority=priority
        )
        return hours_ago(ticket, hours)

    CannedReply.objects.create(title="PHP restarted", body=CANNED, department=support)
    return Scene(
        agent=agent,
        colleague=colleague,
        owner=owner,
        urgent=waiting("Site down after PHP upgrade", Ticket.Priority.HIGH, 1),
        webmail=waiting("Webmail is slow", Ticket.Priority.MEDIUM, 5),
        invoice=waiting("Invoice charged twice", Ticket.Priority.MEDIUM, 3),
        mailbox=waiting("Add an email account", Ticket.Priority.LOW, 2),
    )


@dataclass
class DeskPage:
    page: Any
    base: str
    errors: list[str]

    def go(self, path: str) -> None:
        response = self.page.goto(self.base + path)
        assert response is not None and response.ok, f"{path}: {response and response.status}"


@pytest.fixture
def desk_page(browser: Any, live_server: Any, scene: Scene) -> Iterator[Any]:
    """desk_page(user) is a page at 1366 px, logged in as ``user``, in a context that lets
    the vendored axe in (bypass_csp); another test below keeps the CSP and watches it."""
    contexts: list[Any] = []

    def _open(user: Any, *, csp: bool = False, locale: str = "en-US") -> DeskPage:
        context = browser.new_context(locale=locale, viewport=WIDE, bypass_csp=not csp)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        result = DeskPage(page=page, base=live_server.url, errors=[])
        page.on("pageerror", lambda error: result.errors.append(str(error)))
        page.on(
            "console",
            lambda message: (
                result.errors.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )
        email, password, button = PORTUGUESE if locale == "pt-BR" else ENGLISH
        result.go("/login/")
        page.get_by_label(email, exact=True).fill(user.email)
        page.get_by_label(password, exact=True).fill(factories.PASSWORD)
        page.get_by_role("button", name=button, exact=True).click()
        expect(page).to_have_url(re.compile(r"/desk/$"))
        return result

    yield _open
    for context in contexts:
        context.close()


def queue_subjects(page: Any) -> list[str]:
    return page.locator("tbody tr.queue-row td.col-subject").all_inner_texts()


def row_of(page: Any, ticket: Ticket) -> Any:
    return page.get_by_role("row").filter(has=page.get_by_role("link", name=ticket.subject))


def status_message(page: Any, text: str) -> None:
    expect(page.get_by_role("status").filter(has_text=text)).to_be_visible()


# Sorting ------------------------------------------------------------------------------------


def test_sorting_the_queue_by_its_columns(desk_page: Any, scene: Scene, support: Any) -> None:
    desk = desk_page(scene.agent)
    page = desk.page
    findings = Findings()
    desk.go(f"/desk/?department={support.pk}")
    queue_order = [scene.urgent, scene.webmail, scene.invoice, scene.mailbox]
    assert queue_subjects(page) == [t.subject for t in queue_order]

    page.get_by_role("link", name="Subject", exact=True).click()
    expect(page.get_by_role("columnheader", name="Subject")).to_have_attribute(
        "aria-sort", "ascending"
    )
    alphabetical = sorted(t.subject for t in queue_order)
    assert queue_subjects(page) == alphabetical
    # At 1366 px every row is one line: nothing wraps, long subjects end in "…".
    heights = [
        box["height"]
        for box in page.locator("tr.queue-row").evaluate_all(
            "rows => rows.map((row) => row.getBoundingClientRect().toJSON())"
        )
    ]
    line = page.locator("tr.queue-row td.col-number").first.evaluate(
        "cell => parseFloat(getComputedStyle(cell).lineHeight)"
    )
    assert all(height < 2 * line + 16 for height in heights), (heights, line)
    assert f"department={support.pk}" in page.url  # the filter stays
    check(page, "queue sorted by subject", findings)

    page.get_by_role("link", name="Subject", exact=True).click()
    expect(page.get_by_role("columnheader", name="Subject")).to_have_attribute(
        "aria-sort", "descending"
    )
    assert queue_subjects(page) == alphabetical[::-1]

    page.get_by_role("link", name="Waiting since", exact=True).click()
    assert queue_subjects(page) == [
        t.subject for t in (scene.webmail, scene.invoice, scene.mailbox, scene.urgent)
    ]
    waited = row_of(page, scene.webmail).locator("time")
    expect(waited).to_have_text(re.compile(r"^5 h 0\d min ago$"))
    expect(waited).to_have_attribute("title", re.compile(r"\d"))

    page.get_by_role("link", name="Back to the queue's order").click()
    assert queue_subjects(page) == [t.subject for t in queue_order]
    expect(page.locator("th[aria-sort]")).to_have_count(0)
    finish(findings)
    assert desk.errors == []


# Assign to me ---------------------------------------------------------------------------------


def test_assign_to_me_from_the_queue_and_from_the_ticket(desk_page: Any, scene: Scene) -> None:
    desk = desk_page(scene.agent)
    page = desk.page
    row = row_of(page, scene.invoice)
    row.get_by_role("button", name=f"Assign to me (#{scene.invoice.number})").click()
    status_message(page, f"Ticket #{scene.invoice.number} is assigned to you.")
    row = row_of(page, scene.invoice)
    expect(row.locator("td.col-assignee")).to_have_text("Elisa Rocha")
    expect(row.get_by_role("button", name=re.compile("to me"))).to_have_count(0)
    assert Ticket.objects.get(pk=scene.invoice.pk).assignee == scene.agent

    # In bulk: the selected rows.
    row_of(page, scene.webmail).get_by_role("checkbox").check()
    row_of(page, scene.mailbox).get_by_role("checkbox").check()
    page.get_by_role("button", name="Assign the selected to me").click()
    status_message(page, "2 tickets updated.")
    assignees = {
        t.assignee for t in Ticket.objects.filter(pk__in=[scene.webmail.pk, scene.mailbox.pk])
    }
    assert assignees == {scene.agent}

    # On the ticket page, by its button.
    page.get_by_role("link", name=scene.urgent.subject).click()
    details = page.get_by_role("complementary", name="Ticket details")
    details.get_by_role("button", name="Assign to me").click()
    status_message(page, f"Ticket #{scene.urgent.number} is assigned to you.")
    expect(details.get_by_role("button", name="Assign to me")).to_have_count(0)
    assert Ticket.objects.get(pk=scene.urgent.pk).assignee == scene.agent
    assert desk.errors == []


# Canned reply at the cursor -------------------------------------------------------------------


def test_canned_reply_goes_in_at_the_cursor(desk_page: Any, scene: Scene) -> None:
    desk = desk_page(scene.agent)
    page = desk.page
    findings = Findings()
    desk.go(f"/desk/tickets/{scene.urgent.number}/")
    reply = page.get_by_role("textbox", name=re.compile(r"^(Your reply|Reply)$"))
    reply.fill("Hello Ana,\n\nBest regards, Elisa")
    reply.press("Control+Home")
    reply.press("End")
    reply.press("Enter")  # the cursor on the empty line between greeting and signature
    canned = page.get_by_role("combobox", name="Canned reply")
    expect(page.get_by_role("button", name="Insert")).to_be_hidden()  # JavaScript does it
    canned.select_option(label="PHP restarted")
    filled = CANNED.replace("{client_name}", "Ana")
    expect(reply).to_have_value(f"Hello Ana,\n{filled}\n\nBest regards, Elisa")
    expect(reply).to_be_focused()
    expect(canned).to_have_value("")
    # Typing goes on where the inserted text ends.
    page.keyboard.type(" Thanks!")
    expect(reply).to_have_value(f"Hello Ana,\n{filled} Thanks!\n\nBest regards, Elisa")
    check(page, "desk ticket page with a canned reply", findings)
    finish(findings)
    assert desk.errors == []


def test_canned_reply_without_javascript_is_filled_by_the_server(
    browser: Any, live_server: Any, scene: Scene
) -> None:
    context = browser.new_context(java_script_enabled=False, viewport=WIDE)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/login/")
        page.get_by_label("Email", exact=True).fill(scene.agent.email)
        page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
        page.get_by_role("button", name="Log in", exact=True).click()
        page.goto(f"{live_server.url}/desk/tickets/{scene.urgent.number}/")
        page.get_by_role("combobox", name="Canned reply").select_option(label="PHP restarted")
        page.get_by_role("button", name="Insert").click()
        reply = page.get_by_role("textbox", name=re.compile(r"^(Your reply|Reply)$"))
        expect(reply).to_have_value(CANNED.replace("{client_name}", "Ana"))
    finally:
        context.close()


# Merge --------------------------------------------------------------------------------------


def test_merge_shows_the_target_and_merges_only_when_confirmed(
    desk_page: Any, scene: Scene
) -> None:
    desk = desk_page(scene.agent)
    page = desk.page
    findings = Findings()
    source, target = scene.invoice, scene.webmail
    desk.go(f"/desk/tickets/{source.number}/")
    merge = page.get_by_role("complementary", name="Ticket details")
    merge.get_by_role("spinbutton", name="Merge into ticket number").fill(str(target.number))
    merge.get_by_role("button", name="Preview the merge").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Merge #{source.number} into #{target.number}?"
    )
    about = page.get_by_role("region", name="The ticket it goes into")
    expect(about).to_contain_text(target.subject)
    expect(about).to_contain_text("Acme Hospedagem · Ana Souza")
    expect(about).to_contain_text("Open")
    expect(about).to_contain_text("The site answers 500 since this morning")
    effects = page.get_by_role("region", name="What the merge does")
    expect(effects).to_contain_text(f"#{source.number} is closed")
    check(page, "merge preview", findings)
    assert Ticket.objects.get(pk=source.pk).merged_into_id is None  # nothing yet

    # Cancel leads back, merging nothing.
    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(source.subject)
    page.go_back()

    page.get_by_role("button", name=f"Merge #{source.number} into #{target.number}").click()
    status_message(page, f"Ticket #{source.number} was merged into this one.")
    expect(page.get_by_role("heading", level=1)).to_contain_text(target.subject)
    assert Ticket.objects.get(pk=source.pk).merged_into_id == target.pk
    # The timeline says so, in words.
    conversation = page.get_by_role("region", name="Conversation")
    expect(
        conversation.get_by_text(f"Ticket #{source.number} merged into #{target.number}")
    ).to_be_visible()
    finish(findings)
    assert desk.errors == []


# Bulk -----------------------------------------------------------------------------------------


def test_bulk_with_nothing_chosen_changes_nothing_and_says_so(desk_page: Any, scene: Scene) -> None:
    desk = desk_page(scene.agent)
    page = desk.page
    findings = Findings()
    before = list(Ticket.objects.order_by("pk").values_list("status", "assignee", "department"))
    select_all = page.get_by_role("checkbox", name="Select every ticket on this page")
    select_all.check()
    for box in page.locator("tbody").get_by_role("checkbox").all():
        expect(box).to_be_checked()
    page.get_by_role("button", name="Apply", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Choose what to do with the selected tickets.")
    check(page, "queue after a bulk refusal", findings)

    page.get_by_role("checkbox", name="Select every ticket on this page").check()
    page.get_by_role("combobox", name="Action").select_option(label="Assign")
    page.get_by_role("button", name="Apply", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Choose who gets the tickets (or Nobody).")

    page.get_by_role("checkbox", name="Select every ticket on this page").check()
    page.get_by_role("combobox", name="Action").select_option(label="Transfer")
    page.get_by_role("button", name="Apply", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Choose a department to transfer to.")

    after = list(Ticket.objects.order_by("pk").values_list("status", "assignee", "department"))
    assert after == before
    finish(findings)
    assert desk.errors == []


# Fresh rows -----------------------------------------------------------------------------------


def test_the_open_queue_refreshes_its_rows_unless_some_are_selected(
    browser: Any, live_server: Any, scene: Scene, owner: Any, service: Any
) -> None:
    context = browser.new_context(viewport=WIDE)
    try:
        page = context.new_page()
        page.clock.install()
        page.goto(live_server.url + "/login/")
        page.get_by_label("Email", exact=True).fill(scene.agent.email)
        page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
        page.get_by_role("button", name="Log in", exact=True).click()
        expect(page.locator("tr.queue-row")).to_have_count(4)

        factories.open_ticket(owner, service=service, subject="Opened while the queue was open")
        row_of_new = page.get_by_role("link", name="Opened while the queue was open")
        # A round may come back late on a loaded machine: the next round tries again, as the
        # page itself does (never a reload).
        for _round in range(4):
            page.clock.run_for(50_000)
            try:
                expect(row_of_new).to_be_visible(timeout=5_000)
                break
            except AssertionError:
                continue
        expect(row_of_new).to_be_visible()
        expect(page.locator("tr.queue-row")).to_have_count(5)

        # A row chosen: the rows stay as they are under the agent's hands.
        page.locator("tr.queue-row").first.get_by_role("checkbox").check()
        factories.open_ticket(owner, service=service, subject="Opened while one was chosen")
        page.clock.run_for(50_000)
        expect(page.locator("tr.queue-row")).to_have_count(5)
        page.locator("tr.queue-row").first.get_by_role("checkbox").uncheck()
        page.get_by_role("heading", level=1).click()  # nothing focused in the rows
        for _round in range(4):
            page.clock.run_for(50_000)
            try:
                expect(page.locator("tr.queue-row")).to_have_count(6, timeout=5_000)
                break
            except AssertionError:
                continue
        expect(page.locator("tr.queue-row")).to_have_count(6)
    finally:
        context.close()


# Keyboard -------------------------------------------------------------------------------------


def test_shortcuts_and_their_help_by_keyboard(desk_page: Any, scene: Scene) -> None:
    desk = desk_page(scene.agent, csp=True)
    page = desk.page
    page.get_by_role("heading", level=1).click()

    page.keyboard.press("?")
    help_dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(help_dialog).to_be_visible()
    expect(help_dialog).to_have_attribute("aria-modal", "true")
    close = help_dialog.get_by_role("button", name="Close")
    expect(close).to_be_focused()
    for key in ("Tab", "Shift+Tab", "Tab"):
        page.keyboard.press(key)
        assert page.evaluate("document.activeElement.closest('dialog') !== null"), key
    expect(help_dialog).to_contain_text("Next ticket in the queue")
    page.keyboard.press("Escape")
    expect(help_dialog).to_be_hidden()

    # The button in the footer opens it too, and focus comes back to it.
    opener = page.get_by_role("button", name="Keyboard shortcuts")
    opener.click()
    expect(help_dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(opener).to_be_focused()

    # j / k move among the rows; Enter opens the ticket.
    page.get_by_role("heading", level=1).click()
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(page.get_by_role("link", name=scene.webmail.subject)).to_be_focused()
    page.keyboard.press("k")
    expect(page.get_by_role("link", name=scene.urgent.subject)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text(scene.urgent.subject)

    # On a ticket: n / p go through the queue in its order.
    page.keyboard.press("n")
    expect(page.get_by_role("heading", level=1)).to_contain_text(scene.webmail.subject)
    page.keyboard.press("j")
    expect(page.get_by_role("heading", level=1)).to_contain_text(scene.invoice.subject)
    page.keyboard.press("p")
    expect(page.get_by_role("heading", level=1)).to_contain_text(scene.webmail.subject)

    # r and i go to the reply and the note; while typing, letters are letters.
    page.keyboard.press("r")
    reply = page.get_by_role("textbox", name=re.compile(r"^(Your reply|Reply)$"))
    expect(reply).to_be_focused()
    page.keyboard.type("j?a")
    expect(reply).to_have_value("j?a")
    expect(help_dialog).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_contain_text(scene.webmail.subject)
    page.get_by_role("heading", level=1).click()
    page.keyboard.press("i")
    expect(page.get_by_role("textbox", name="Internal note", exact=True)).to_be_focused()

    # a takes the ticket.
    page.get_by_role("heading", level=1).click()
    page.keyboard.press("a")
    status_message(page, f"Ticket #{scene.webmail.number} is assigned to you.")
    assert Ticket.objects.get(pk=scene.webmail.pk).assignee == scene.agent
    assert desk.errors == []


def test_the_help_dialog_passes_axe(desk_page: Any, scene: Scene) -> None:
    desk = desk_page(scene.agent)
    page = desk.page
    findings = Findings()
    desk.go(f"/desk/tickets/{scene.urgent.number}/")
    page.get_by_role("heading", level=1).click()
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    check(page, "shortcuts help", findings)
    finish(findings)


# The reworked pages, in both languages --------------------------------------------------------


@pytest.mark.parametrize("locale", ["en-US", "pt-BR"])
def test_desk_pages_pass_axe_at_both_widths(
    desk_page: Any, scene: Scene, admin: Any, agent: Any, locale: str
) -> None:
    ticket_update(actor=agent, ticket=scene.urgent, priority=Ticket.Priority.MEDIUM)
    ticket_update(actor=agent, ticket=scene.urgent, assignee=scene.colleague)
    findings = Findings()
    administrator = desk_page(admin, locale=locale)
    page = administrator.page
    check(page, f"{locale} queue", findings)
    administrator.go("/desk/?sort=-sla&status=all")
    check(page, f"{locale} sorted queue", findings)
    administrator.go(f"/desk/tickets/{scene.urgent.number}/")
    expect(page.locator("li.desk-change").first).to_be_visible()
    check(page, f"{locale} ticket with its timeline", findings)
    administrator.go(f"/desk/tickets/{scene.invoice.number}/merge/?target={scene.webmail.number}")
    check(page, f"{locale} merge preview", findings)
    administrator.go("/desk/audit/")
    check(page, f"{locale} audit log", findings)
    administrator.go(f"/desk/audit/?person=elisa&ticket={scene.urgent.number}")
    expect(page.locator("tr.audit-row")).to_have_count(2)
    check(page, f"{locale} audit log filtered", findings)
    administrator.go("/desk/audit/?ticket=abc")
    check(page, f"{locale} audit log, refused filter", findings)
    finish(findings)
    assert administrator.errors == []


def test_the_desk_keeps_the_csp(desk_page: Any, scene: Scene, admin: Any) -> None:
    """No inline script or style: the pages of this issue with the CSP enforced."""
    desk = desk_page(admin, csp=True)
    for path in (
        "/desk/?sort=subject",
        f"/desk/tickets/{scene.urgent.number}/",
        f"/desk/tickets/{scene.invoice.number}/merge/?target={scene.webmail.number}",
        "/desk/audit/",
    ):
        desk.go(path)
        desk.page.keyboard.press("?")
        expect(desk.page.get_by_role("dialog")).to_be_visible()
        desk.page.keyboard.press("Escape")
    assert desk.errors == []
