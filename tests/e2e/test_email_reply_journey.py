"""A client opens a ticket on the web, answers the confirmation from their mail client (the
reply goes through `chamado mail_pipe`, built on the confirmation's Reply-To), and sees the
answer on the ticket page without the quoted confirmation."""

import io
import re
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from chamado.mail.models import Delivery
from chamado.mail.render import delivery_email
from tests import factories

pytestmark = pytest.mark.browser

ANSWER = "Thanks! The reset email arrived after all, but the new password is refused too."


def mail_client_reply(confirmation: Any, sender: str) -> bytes:
    """What Gmail sends when the client presses Reply: the answer on top, then the quoted
    confirmation under an "On ... wrote:" line."""
    quoted = "\n".join(f"> {line}" if line else ">" for line in confirmation.body.splitlines())
    reply_to = confirmation.extra_headers["Reply-To"]
    return (
        f"From: Ana Souza <{sender}>\n"
        f"To: {reply_to}\n"
        f"Subject: Re: {confirmation.subject}\n"
        f"In-Reply-To: {confirmation.extra_headers['Message-ID']}\n"
        "Message-ID: <CAGmail-journey-0001@mail.gmail.com>\n"
        "Date: Wed, 25 Nov 2026 10:00:00 -0300\n"
        "MIME-Version: 1.0\n"
        'Content-Type: text/plain; charset="UTF-8"\n\n'
        f"{ANSWER}\n\n"
        f"On Wed, Nov 25, 2026 at 9:58 AM Chamado <{reply_to}> wrote:\n\n{quoted}\n"
    ).encode()


def test_a_client_answers_the_confirmation_by_email_and_sees_it_on_the_ticket(
    open_page: Any, owner: Any, service: Any, support: Any
) -> None:
    browser_page = open_page(locale="en-US")
    page = browser_page.page
    page.goto(browser_page.url("/login/"))
    page.get_by_label("Email", exact=True).fill(owner.email)
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    page.get_by_role("banner").get_by_role("link", name="Open Ticket", exact=True).click()
    page.get_by_role("main").get_by_role("link", name="Support", exact=True).click()
    page.get_by_role("textbox", name="Subject", exact=True).fill("Reset cPanel password")
    related = page.get_by_role("combobox", name="Related Service", exact=True)
    related.select_option(label=related.locator("option", has_text=service.label).inner_text())
    page.get_by_role("textbox", name="Message", exact=True).fill(
        "I lost my cPanel password and the reset email never arrives. I checked the spam."
    )
    page.get_by_role("button", name="Submit", exact=True).click()
    number_link = page.get_by_role("main").get_by_role("link", name=re.compile(r"^#\d+$"))
    expect(number_link).to_be_visible()
    number = int(number_link.inner_text().removeprefix("#"))

    delivery = Delivery.objects.get(
        ticket__number=number, kind=Delivery.Kind.TICKET_CONFIRMATION, recipient=owner
    )
    confirmation = delivery_email(delivery)
    assert f"+{number}." in confirmation.extra_headers["Reply-To"]
    confirmation_line = next(line for line in confirmation.body.splitlines() if line.strip())

    output = io.StringIO()
    call_command("mail_pipe", stdin=io.BytesIO(mail_client_reply(confirmation, owner.email)),
                 stdout=output)  # fmt: skip
    assert output.getvalue().strip() == "reply"

    page.get_by_role("link", name="Continue", exact=True).click()
    conversation = page.get_by_role("main")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"#{number}")
    expect(conversation.get_by_text(ANSWER)).to_be_visible()
    expect(conversation.get_by_text("wrote:")).to_have_count(0)
    expect(conversation.get_by_text(confirmation_line.strip(), exact=False)).to_have_count(0)
    assert browser_page.csp_violations == []
    assert browser_page.page_errors == []
