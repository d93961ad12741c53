"""Who may reach a ticket or an attachment in the client area (SPEC §3 "Only the account").

A table: actor by URL. Everyone but the account's owner and its contacts with `tickets` gets
404, the same answer as for a ticket that does not exist.
"""

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from chamado.tickets.actions import ticket_reply_by_agent
from chamado.tickets.models import Attachment, Ticket
from tests import factories

pytestmark = pytest.mark.django_db

REPLY = {"message": "Somebody else writing into this ticket, long enough."}


@pytest.fixture
def opened(owner, service, support) -> Ticket:
    return factories.open_ticket(
        owner,
        service=service,
        department=support,
        files=[
            factories.upload("screen.png", factories.png_bytes(), "image/png"),
            factories.upload("invoice.pdf", factories.PDF_BYTES, "application/pdf"),
        ],
    )


def attachment_url(attachment: Attachment) -> str:
    return reverse("portal:attachment", args=[attachment.pk, attachment.original_name])


# url name → (method, how to build the URL, POST data)
URLS = {
    "ticket page": ("get", lambda t: reverse("portal:ticket", args=[t.number]), None),
    "reply": ("post", lambda t: reverse("portal:ticket", args=[t.number]), REPLY),
    "created page": ("get", lambda t: reverse("portal:ticket_created", args=[t.number]), None),
    "close": ("post", lambda t: reverse("portal:ticket_close", args=[t.number]), {}),
    "attachment": (
        "get",
        lambda t: attachment_url(Attachment.objects.filter(message__ticket=t).first()),
        None,
    ),
}

OUTSIDERS = ["other_owner", "contact_without_tickets", "agent"]


def request(client: Any, url_name: str, ticket: Ticket, **extra: Any) -> Any:
    method, build, data = URLS[url_name]
    url = build(ticket)
    if method == "post":
        return client.post(url, data, **extra)
    return client.get(url, **extra)


def assert_ticket_untouched(ticket: Ticket) -> None:
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.status == Ticket.Status.OPEN
    assert fresh.messages.count() == 1


@pytest.mark.parametrize("url_name", URLS)
@pytest.mark.parametrize("actor", OUTSIDERS)
def test_outsider_gets_404(client, request_fixture, opened, actor, url_name) -> None:
    client.force_login(request_fixture(actor))
    response = request(client, url_name, opened)
    assert response.status_code == 404
    assert opened.subject not in response.content.decode()
    assert_ticket_untouched(opened)


@pytest.mark.parametrize("url_name", URLS)
def test_missing_ticket_looks_the_same_as_a_forbidden_one(client, owner, opened, url_name):
    client.force_login(owner)
    missing = Ticket(number=100_000 if opened.number != 100_000 else 100_001)
    method, build, data = URLS[url_name]
    if url_name == "attachment":
        url = reverse("portal:attachment", args=["7f1c9c6e-0000-4000-8000-000000000000", "x.png"])
    else:
        url = build(missing)
    response = client.post(url, data) if method == "post" else client.get(url)
    assert response.status_code == 404


@pytest.mark.parametrize("url_name", URLS)
@pytest.mark.parametrize("actor", OUTSIDERS)
def test_anonymous_is_sent_to_login_and_the_wrong_login_still_gets_404(
    client, request_fixture, opened, actor, url_name
) -> None:
    response = request(client, url_name, opened)
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("login")
    assert "next=" in location.query

    wrong = request_fixture(actor)
    after_login = client.post(
        response["Location"],
        {"login": wrong.email, "password": factories.PASSWORD},
        follow=True,
    )
    assert after_login.redirect_chain, "the login form should redirect back to the URL"
    # The redirect back is a GET: the close URL's GET is its confirmation page, 404 too.
    assert after_login.status_code == 404
    assert request(client, url_name, opened).status_code == 404
    assert_ticket_untouched(opened)


@pytest.fixture
def request_fixture(request) -> Any:
    return request.getfixturevalue


@pytest.mark.parametrize("actor", ["owner", "contact"])
def test_owner_and_contact_with_tickets_see_the_ticket_and_its_files(
    client, request_fixture, opened, actor
) -> None:
    client.force_login(request_fixture(actor))
    page = client.get(reverse("portal:ticket", args=[opened.number]))
    assert page.status_code == 200
    assert opened.subject in page.content.decode()
    assert client.get(reverse("portal:ticket_created", args=[opened.number])).status_code == 200
    for attachment in Attachment.objects.filter(message__ticket=opened):
        assert attachment.original_name in page.content.decode()
        download = client.get(attachment_url(attachment))
        assert download.status_code == 200
        assert b"".join(download.streaming_content) == attachment.file.open("rb").read()


def test_contact_with_tickets_can_reply_and_close_the_owners_ticket(client, contact, opened):
    client.force_login(contact)
    assert client.post(reverse("portal:ticket", args=[opened.number]), REPLY).status_code == 302
    assert client.post(reverse("portal:ticket_close", args=[opened.number])).status_code == 302
    opened.refresh_from_db()
    assert opened.status == Ticket.Status.CLOSED
    assert opened.messages.filter(author=contact).count() == 1


def test_get_on_close_only_asks_to_confirm(client, owner, opened) -> None:
    client.force_login(owner)
    close_url = reverse("portal:ticket_close", args=[opened.number])
    page = client.get(close_url)
    assert page.status_code == 200
    assert f'<form method="post" action="{close_url}"' in page.content.decode()
    assert Ticket.objects.get(pk=opened.pk).status == Ticket.Status.OPEN
    assert client.put(close_url).status_code == 405


@pytest.mark.parametrize("actor", OUTSIDERS)
def test_outsider_gets_404_on_the_close_confirmation(client, request_fixture, opened, actor):
    client.force_login(request_fixture(actor))
    response = client.get(reverse("portal:ticket_close", args=[opened.number]))
    assert response.status_code == 404
    assert opened.subject not in response.content.decode()


def test_attachment_of_an_internal_note_is_404_even_for_the_owner(
    client, owner, agent, opened
) -> None:
    note = ticket_reply_by_agent(
        actor=agent,
        ticket=opened,
        body="Internal: the client's server log, for the team only.",
        is_internal=True,
        files=[factories.upload("server-log.pdf", factories.PDF_BYTES, "application/pdf")],
    ).message
    hidden = note.attachments.get()
    client.force_login(owner)
    assert client.get(attachment_url(hidden)).status_code == 404
    page = client.get(reverse("portal:ticket", args=[opened.number])).content.decode()
    assert "server-log.pdf" not in page and "for the team only" not in page


def test_pdf_is_downloaded_as_an_attachment(client, owner, opened) -> None:
    pdf = Attachment.objects.get(message__ticket=opened, original_name="invoice.pdf")
    client.force_login(owner)
    response = client.get(attachment_url(pdf))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="invoice.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_image_is_shown_inline(client, owner, opened) -> None:
    image = Attachment.objects.get(message__ticket=opened, original_name="screen.png")
    client.force_login(owner)
    response = client.get(attachment_url(image))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'inline; filename="screen.png"'


def test_inline_image_keeps_its_name_even_when_it_contains_attachment(client, owner, service):
    ticket = factories.open_ticket(
        owner,
        service=service,
        files=[factories.upload("attachment-1.png", factories.png_bytes(), "image/png")],
    )
    image = Attachment.objects.get(message__ticket=ticket)
    client.force_login(owner)
    response = client.get(attachment_url(image))
    assert response["Content-Disposition"] == 'inline; filename="attachment-1.png"'


def test_stored_file_name_is_random_not_the_uploaded_name(opened) -> None:
    for attachment in Attachment.objects.filter(message__ticket=opened):
        stored = attachment.file.name.rsplit("/", 1)[-1]
        stem = attachment.original_name.rsplit(".", 1)[0]
        assert stem not in attachment.file.name
        assert re.fullmatch(r"[0-9a-f]{32}\.(png|pdf)", stored)


def test_attachment_url_with_another_file_name_serves_the_real_name(client, owner, opened):
    pdf = Attachment.objects.get(message__ticket=opened, original_name="invoice.pdf")
    client.force_login(owner)
    response = client.get(reverse("portal:attachment", args=[pdf.pk, "evil.html"]))
    assert response["Content-Disposition"] == 'attachment; filename="invoice.pdf"'
    assert response["Content-Type"] == "application/pdf"
