"""The agent's journey in a real browser: queue, reply, note, transfer, presence."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import expect

from tests import factories

pytestmark = pytest.mark.browser

SERVICE_DETAILS = "cPanel server web03.example.net, plan Pro 10 GB, PHP 8.3"
REPLY = "We restarted PHP-FPM on web03 and the site answers again; the log is attached."
NOTE = "Root cause: the PHP 8.3 upgrade left the old FPM pool socket behind."
TRANSFER_NOTE = "Our billing team handles duplicate charges; they will answer here."
COLLEAGUE_REPLY = "Webmail was slow because of a full mail queue; we cleared it."
AGENT_REPLY = "Adding to my colleague's answer: your mailbox quota is fine too."


@dataclass(frozen=True)
class Desk:
    """The people and tickets of the scenario."""

    owner: Any
    agent: Any
    colleague: Any
    urgent: Any
    older: Any
    misrouted: Any


@pytest.fixture
def desk(owner: Any, contact: Any, service: Any, support: Any, agent: Any) -> Desk:
    """Acme with two services and two contacts; Support, Sales and Billing with their agents;
    three of Acme's tickets in Support, opened through the real action."""
    service.details = SERVICE_DETAILS
    service.save(update_fields=["details"])
    factories.ServiceFactory(account=owner.account, name="Domain", label="acme.net")
    sales = factories.department("sales")
    billing = factories.department("billing")
    sales.agents.add(agent)
    colleague = factories.AgentFactory(full_name="Marcos Pereira")
    support.agents.add(colleague)
    billing.agents.add(factories.AgentFactory(full_name="Fabio Costa"))
    older = factories.open_ticket(
        owner, service=service, department=support, subject="Webmail is slow"
    )
    misrouted = factories.open_ticket(
        owner,
        service=service,
        department=support,
        subject="Invoice charged twice",
        body="My card was charged twice for this month's hosting invoice, please refund one.",
    )
    urgent = factories.open_ticket(
        owner,
        service=service,
        department=support,
        subject="Site down after PHP upgrade",
        priority=factories.Ticket.Priority.HIGH,
        body="Since the PHP upgrade tonight acme.com.br answers 503 on every page.",
    )
    return Desk(owner, agent, colleague, urgent, older, misrouted)


@contextmanager
def step(shots: Any, page: Any, name: str) -> Iterator[None]:
    """One step: a screenshot of `page` after it, or a marked one with a note on failure."""
    shots.page = page
    try:
        yield
    except Exception as error:
        path = shots.take(f"{name}-FAILED")
        error.add_note(f"desk journey step '{name}' failed; see {path}")
        raise
    shots.take(name)


def log_in(page: Any, email: str) -> None:
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()


def fact(page: Any, term: str) -> Any:
    """The value shown beside a term of the ticket's facts list (Status, SLA, Department...)."""
    return (
        page.locator("dl.facts div")
        .filter(has=page.get_by_role("term").filter(has_text=re.compile(f"^{term}$")))
        .get_by_role("definition")
    )


def success_message(page: Any, text: str) -> None:
    expect(page.get_by_role("status").filter(has_text=text)).to_be_visible()


def assert_every_control_labelled(page: Any) -> None:
    """No id used twice, and no form control without a label: a duplicated id sends the
    second label's clicks and its accessible name to the first control."""
    problems = list(
        page.evaluate(
            """() => {
                const problems = [];
                const seen = new Set();
                for (const element of document.querySelectorAll("[id]")) {
                    if (seen.has(element.id)) problems.push("id used twice: " + element.id);
                    seen.add(element.id);
                }
                const controls = "input:not([type=hidden]), select, textarea";
                for (const control of document.querySelectorAll(controls)) {
                    const named = control.labels.length || control.getAttribute("aria-label");
                    if (!named) problems.push("no label: " + (control.name || control.id));
                }
                return problems;
            }"""
        )
    )
    assert not problems, problems


def reply_form(page: Any) -> Any:
    return page.locator("form").filter(has=page.get_by_role("button", name="Send reply"))


def test_agent_answers_notes_transfers_and_never_crosses_a_colleague(
    open_page: Any, screenshots: Any, desk: Desk
) -> None:
    agent_page = open_page()
    page = agent_page.page
    shots = screenshots(page, "desk")
    menu = page.get_by_role("banner")
    urgent = f"#{desk.urgent.number} · {desk.urgent.subject}"

    with step(shots, page, "login-page"):
        response = page.goto(agent_page.url("/login/"))
        assert response is not None and response.ok
        expect(page.get_by_role("button", name="Log in", exact=True)).to_be_visible()

    with step(shots, page, "desk-queue"):
        log_in(page, desk.agent.email)
        expect(page).to_have_url(agent_page.url("/desk/"))
        expect(page.get_by_role("heading", level=1)).to_have_text("All my queues")
        # The agent's departments, and only those.
        expect(menu.get_by_role("link", name=re.compile(r"^Sales\b"))).to_be_visible()
        expect(menu.get_by_role("link", name=re.compile(r"^Billing\b"))).to_have_count(0)

    with step(shots, page, "support-queue"):
        menu.get_by_role("link", name=re.compile(r"^Support\b")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Support")
        rows = page.get_by_role("table").get_by_role("row")
        expect(rows).to_have_count(4)  # the header and the three tickets
        first = rows.nth(1)
        expect(first.get_by_role("link", name=desk.urgent.subject)).to_be_visible()
        expect(first.get_by_role("cell", name="High", exact=True)).to_be_visible()
        # High first; among Medium ones, whoever has waited longest.
        expect(rows.nth(2)).to_contain_text(desk.older.subject)
        expect(rows.nth(3)).to_contain_text(desk.misrouted.subject)
        assert_every_control_labelled(page)

    with step(shots, page, "ticket-opened"):
        with page.expect_response(re.compile(rf"/desk/tickets/{desk.urgent.number}/$")) as opened:
            first.get_by_role("link", name=desk.urgent.subject).click()
        # Without the header, "no CSP violation" below would prove nothing.
        assert "default-src 'self'" in opened.value.headers["content-security-policy"]
        expect(page.get_by_role("heading", level=1)).to_have_text(urgent)
        side = page.get_by_role("complementary", name="Ticket details")
        expect(side.get_by_text("Acme Hospedagem", exact=True)).to_be_visible()
        expect(side.get_by_text(f"Ana Souza <{desk.owner.email}>")).to_be_visible()
        expect(side.get_by_text("Bruno Lima")).to_be_visible()
        related = side.get_by_role("listitem").filter(has_text="acme.com.br")
        expect(related).to_contain_text("related")
        expect(related).to_contain_text(SERVICE_DETAILS)
        expect(side.get_by_role("listitem").filter(has_text="acme.net")).not_to_contain_text(
            "related"
        )
        expect(fact(page, "SLA")).to_have_text(re.compile(r"\d.* left\b"))
        expect(fact(page, "Status")).to_have_text("Open")
        assert_every_control_labelled(page)

    with step(shots, page, "reply-with-attachment"):
        form = reply_form(page)
        form.get_by_role("textbox", name="Your reply", exact=True).fill(REPLY)
        form.get_by_label("Attachments", exact=True).set_input_files(
            files=[
                {"name": "fpm-log.png", "mimeType": "image/png", "buffer": factories.png_bytes()}
            ]
        )
        form.get_by_role("button", name="Send reply").click()
        success_message(page, "Reply sent to the client.")
        expect(fact(page, "Status")).to_have_text("Answered")
        expect(fact(page, "SLA")).to_have_text("Not waiting")
        expect(page.get_by_text(REPLY)).to_be_visible()
        expect(page.get_by_role("link", name="fpm-log.png")).to_be_visible()

    with step(shots, page, "internal-note"):
        page.get_by_role("textbox", name="Internal note", exact=True).fill(NOTE)
        page.get_by_role("button", name="Add note").click()
        success_message(page, "Internal note added.")
        note = page.get_by_role("listitem").filter(has_text=NOTE)
        expect(note).to_contain_text("Internal note")
        expect(fact(page, "Status")).to_have_text("Answered")

    with step(shots, page, "other-ticket"):
        side = page.get_by_role("complementary", name="Ticket details")
        side.get_by_role("link", name=f"#{desk.misrouted.number}").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(desk.misrouted.subject)

    with step(shots, page, "transfer-filled"):
        transfer = page.locator("form").filter(
            has=page.get_by_role("button", name="Transfer", exact=True)
        )
        transfer.get_by_role("combobox", name="Move to department").select_option(label="Billing")
        transfer.get_by_role("textbox", name="Note to the client (optional)").fill(TRANSFER_NOTE)

    with step(shots, page, "transferred"):
        transfer.get_by_role("button", name="Transfer", exact=True).click()
        success_message(page, "Ticket moved to Billing; the client was told.")
        # Not a Billing agent: back to the queue, where the ticket no longer is.
        expect(page).to_have_url(agent_page.url("/desk/"))
        expect(page.get_by_role("link", name=desk.misrouted.subject)).to_have_count(0)

    client_page = open_page()
    client = client_page.page
    client_menu = client.get_by_role("banner")

    with step(shots, client, "client-logged-in"):
        client.goto(client_page.url("/login/"))
        log_in(client, desk.owner.email)
        expect(client_menu.get_by_role("link", name="Open Ticket")).to_be_visible()

    with step(shots, client, "client-sees-the-answer"):
        client_menu.get_by_role("button", name="Support", exact=True).click()  # Support's menu
        client_menu.get_by_role("link", name="Tickets", exact=True).click()
        client.get_by_role("link", name=desk.urgent.subject).click()
        expect(client.get_by_role("heading", level=1)).to_have_text(urgent)
        expect(fact(client, "Status")).to_have_text("Answered")
        expect(client.get_by_text(REPLY)).to_be_visible()
        expect(client.get_by_text("Elisa (staff)")).to_be_visible()
        attachment = client.get_by_role("link", name="fpm-log.png")
        expect(attachment).to_have_attribute("href", re.compile(r"^/attachments/"))
        assert NOTE not in client.content()
        expect(client.get_by_text("Internal note")).to_have_count(0)
        # Fetched with the client's cookies rather than opened: Chromium's own image viewer
        # uses inline styles, which the CSP rightly reports.
        download = client.request.get(client_page.url(attachment.get_attribute("href")))
        assert download.ok
        assert download.headers["content-type"] == "image/png"
        assert download.body() == factories.png_bytes()

    with step(shots, client, "client-sees-the-transfer"):
        client_menu.get_by_role("button", name="Support", exact=True).click()  # Support's menu
        client_menu.get_by_role("link", name="Tickets", exact=True).click()
        row = client.get_by_role("row").filter(has_text=desk.misrouted.subject)
        expect(row.get_by_role("cell", name="Billing", exact=True)).to_be_visible()
        row.get_by_role("link", name=desk.misrouted.subject).click()
        expect(fact(client, "Department")).to_have_text("Billing")
        expect(client.get_by_text(TRANSFER_NOTE)).to_be_visible()

    colleague_page = open_page()
    colleague = colleague_page.page
    presence = "Also on this ticket now"

    with step(shots, page, "agent-opens-a-ticket"):
        menu.get_by_role("link", name=re.compile(r"^Support\b")).click()
        page.get_by_role("link", name=desk.older.subject).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(desk.older.subject)
        expect(page.get_by_role("status").filter(has_text=presence)).to_have_count(0)
        # The account's other tickets, but only those of the agent's departments.
        side = page.get_by_role("complementary", name="Ticket details")
        expect(side.get_by_role("link", name=f"#{desk.urgent.number}")).to_be_visible()
        expect(side.get_by_text(desk.misrouted.subject)).to_have_count(0)

    with step(shots, colleague, "colleague-sees-the-agent-there"):
        colleague.goto(colleague_page.url("/login/"))
        log_in(colleague, desk.colleague.email)
        colleague.get_by_role("link", name=desk.older.subject).click()
        expect(colleague.get_by_role("status").filter(has_text=presence)).to_have_text(
            f"{presence}: Elisa Rocha"
        )

    with step(shots, page, "agent-sees-the-colleague-there"):
        page.reload()
        expect(page.get_by_role("status").filter(has_text=presence)).to_have_text(
            f"{presence}: Marcos Pereira"
        )

    with step(shots, colleague, "colleague-replies"):
        reply_form(colleague).get_by_role("textbox", name="Your reply", exact=True).fill(
            COLLEAGUE_REPLY
        )
        reply_form(colleague).get_by_role("button", name="Send reply").click()
        success_message(colleague, "Reply sent to the client.")

    with step(shots, page, "agent-reply-refused"):
        form = reply_form(page)
        form.get_by_role("textbox", name="Your reply", exact=True).fill(AGENT_REPLY)
        form.get_by_role("button", name="Send reply").click()
        alert = page.get_by_role("alert")
        expect(alert).to_contain_text("Marcos Pereira replied while you were writing:")
        expect(alert).to_contain_text(COLLEAGUE_REPLY)
        expect(form.get_by_role("textbox", name="Your reply", exact=True)).to_have_value(
            AGENT_REPLY
        )
        confirm = form.get_by_role("checkbox", name="I read the newer reply; send mine anyway")
        expect(confirm).not_to_be_checked()
        assert_every_control_labelled(page)

    with step(shots, page, "agent-confirms-and-sends"):
        confirm.check()
        form.get_by_role("button", name="Send reply").click()
        success_message(page, "Reply sent to the client.")
        conversation = page.get_by_role("region", name="Conversation")
        expect(conversation.get_by_text(COLLEAGUE_REPLY)).to_be_visible()
        expect(conversation.get_by_text(AGENT_REPLY)).to_be_visible()
        expect(page.get_by_role("alert")).to_have_count(0)

    for browser_page in (agent_page, client_page, colleague_page):
        assert browser_page.csp_violations == []
        assert browser_page.page_errors == []
