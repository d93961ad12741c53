"""Mail to review in the desk: agents only (404 to anyone else), a list and a detail page, and
the two decisions: a ticket for the contact the agent chooses, or discard."""

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from chamado.core.models import AuditEvent
from chamado.inbox.actions import inbound_receive
from chamado.inbox.models import InboundMessage
from chamado.tickets.models import Ticket
from tests import factories
from tests.inbox.conftest import MailWorld

Outcome = InboundMessage.Outcome
PIPE = InboundMessage.Source.PIPE
# the user (the session comes from the cache), COUNT for the pager, the page, the menu, counts
LIST_QUERIES = 5
ITEM_LINK = re.compile(r'href="/desk/mail/\d+/"')


def listed(client: Client) -> int:
    """How many emails the review list links to."""
    return len(ITEM_LINK.findall(client.get(reverse("desk:review")).content.decode()))


def review(world: MailWorld, name: str = "unknown_sender_to_support.eml") -> InboundMessage:
    taken = inbound_receive(world.corpus(name), source=PIPE)
    assert taken.inbound is not None and taken.inbound.outcome == Outcome.REVIEW
    return taken.inbound


def as_user(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


URLS = {
    "list": ("get", lambda pk: reverse("desk:review")),
    "detail": ("get", lambda pk: reverse("desk:review_detail", args=[pk])),
    "convert": ("post", lambda pk: reverse("desk:review_convert", args=[pk])),
    "discard": ("post", lambda pk: reverse("desk:review_discard", args=[pk])),
}


@pytest.mark.parametrize("url", sorted(URLS))
@pytest.mark.parametrize("who", ["anonymous", "client", "inactive agent", "agent", "admin"])
def test_only_active_agents_reach_mail_to_review(world: MailWorld, url: str, who: str) -> None:
    inbound = review(world)
    inactive = factories.AgentFactory(is_active=True)
    inactive.is_active = False
    inactive.save()
    user = {
        "anonymous": None,
        "client": world.ana,
        "inactive agent": inactive,
        "agent": world.agent,
        "admin": factories.AgentFactory(is_superuser=True, is_staff=True),
    }[who]
    method, build = URLS[url]
    response = getattr(as_user(user), method)(build(inbound.pk))
    if who in {"anonymous", "inactive agent"}:  # an inactive user's session logs in no one
        assert response.status_code == 302 and "/login/" in response["Location"]
    elif who == "client":
        assert response.status_code == 404
    elif method == "get":
        assert response.status_code == 200
    inbound.refresh_from_db()
    if who not in {"agent", "admin"} or url == "convert":  # an empty convert form is refused
        assert inbound.outcome == Outcome.REVIEW


def test_an_unknown_id_is_404(world: MailWorld) -> None:
    client = as_user(world.agent)
    assert client.get(reverse("desk:review_detail", args=[999999])).status_code == 404


def test_the_list_shows_only_mail_waiting_for_review(world: MailWorld) -> None:
    waiting = review(world)
    inbound_receive(world.corpus("new_ticket_gmail_en.eml"), source=PIPE)
    inbound_receive(world.corpus("bounce_dsn.eml"), source=PIPE)
    html = as_user(world.agent).get(reverse("desk:review")).content.decode()
    assert "Mail to review" in html
    assert reverse("desk:review_detail", args=[waiting.pk]) in html
    assert "Hosting plans for my company" in html and "Unknown sender" in html
    assert "Email bounces for every message" not in html
    assert "Undelivered Mail" not in html


def test_the_desk_menu_links_to_mail_to_review(world: MailWorld) -> None:
    html = as_user(world.agent).get(reverse("desk:queue")).content.decode()
    assert f'href="{reverse("desk:review")}"' in html


@pytest.mark.parametrize("count", [2, 6])
def test_the_list_query_count_does_not_grow(
    world: MailWorld, count: int, django_assert_num_queries: Any
) -> None:
    for n in range(count):
        raw = world.corpus("unknown_sender_to_support.eml").replace(
            b"stranger-0001", f"stranger-{n}".encode()
        )
        inbound_receive(raw, source=PIPE)
    client = as_user(world.agent)
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(reverse("desk:review"))
    assert len(ITEM_LINK.findall(response.content.decode())) == count


def test_the_detail_shows_the_text_and_offers_the_decisions(world: MailWorld) -> None:
    inbound = review(world, "spoofed_sender.eml")
    html = as_user(world.agent).get(reverse("desk:review_detail", args=[inbound.pk])).content
    page = html.decode()
    assert "new-owner@attacker.example today" in page
    assert "The sender&#x27;s domain failed authentication" in page
    assert "Turn into a ticket" in page and "Discard the email" in page
    assert 'value="ana@acme.example"' in page  # the sender, to confirm or change


def test_converting_opens_the_ticket_with_the_files_and_records_who(world: MailWorld) -> None:
    raw = (
        world.corpus("gmail_reply_with_attachments.eml")
        .replace(world.placeholders()["{{ANA_TAG}}"].encode(), b"support@chamado.example")
        .replace(b"From: Ana Souza <ana@acme.example>", b"From: Ana <ana.personal@gmail.example>")
    )
    inbound = inbound_receive(raw, source=PIPE).inbound
    assert inbound is not None and inbound.reason == InboundMessage.Reason.HINT_ONLY
    response = as_user(world.agent).post(
        reverse("desk:review_convert", args=[inbound.pk]),
        {
            "contact": "ana@acme.example",
            "department": world.support.pk,
            "service": "",
            "subject": "Screenshot of the error",
            "message": "Here is a screenshot of the error and the invoice you asked for.",
        },
    )
    ticket = Ticket.objects.exclude(pk__in=[world.ticket.pk, world.bob_ticket.pk]).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("desk:ticket", args=[ticket.number])
    assert (ticket.contact, ticket.department, ticket.subject) == (
        world.ana,
        world.support,
        "Screenshot of the error",
    )
    assert ticket.messages.get().attachments.count() == 2
    inbound.refresh_from_db()
    assert (inbound.outcome, inbound.ticket, inbound.resolved_by) == (
        Outcome.TICKET,
        ticket,
        world.agent,
    )
    event = AuditEvent.objects.get(verb="inbox.convert")
    assert event.actor == world.agent and event.after["ticket"] == ticket.number
    # Dealt with: it leaves the list, and a second decision is refused.
    assert listed(as_user(world.agent)) == 0
    again = as_user(world.agent).post(reverse("desk:review_discard", args=[inbound.pk]))
    assert again.status_code == 302
    inbound.refresh_from_db()
    assert inbound.outcome == Outcome.TICKET


@pytest.mark.parametrize(
    ("contact", "error"),
    [
        ("stranger@example.net", "Choose the email address of a contact who may use tickets."),
        ("carla@acme.example", "Choose the email address of a contact who may use tickets."),
        ("elisa@chamado.example", "Choose the email address of a contact who may use tickets."),
    ],
)
def test_converting_for_someone_who_may_not_use_tickets_is_refused(
    world: MailWorld, contact: str, error: str
) -> None:
    inbound = review(world)
    response = as_user(world.agent).post(
        reverse("desk:review_convert", args=[inbound.pk]),
        {
            "contact": contact,
            "department": world.support.pk,
            "subject": "Prices",
            "message": "Hello, I would like to know the prices of your hosting plans.",
        },
    )
    assert response.status_code == 400
    assert error in response.content.decode()
    inbound.refresh_from_db()
    assert inbound.outcome == Outcome.REVIEW
    assert Ticket.objects.count() == 2


def test_a_service_named_by_the_agent_must_be_the_contacts(world: MailWorld) -> None:
    inbound = review(world)
    data = {
        "contact": "ana@acme.example",
        "department": world.support.pk,
        "service": "beta.example",
        "subject": "Prices",
        "message": "Hello, I would like to know the prices of your hosting plans.",
    }
    refused = as_user(world.agent).post(reverse("desk:review_convert", args=[inbound.pk]), data)
    assert refused.status_code == 400
    assert "has no service called" in refused.content.decode()
    data["service"] = "ACME.example"
    accepted = as_user(world.agent).post(reverse("desk:review_convert", args=[inbound.pk]), data)
    assert accepted.status_code == 302
    inbound.refresh_from_db()
    assert inbound.ticket is not None and inbound.ticket.service is not None
    assert inbound.ticket.service.label == "acme.example"


def test_discarding_keeps_the_email_in_the_log(world: MailWorld) -> None:
    inbound = review(world)
    response = as_user(world.agent).post(reverse("desk:review_discard", args=[inbound.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("desk:review")
    inbound.refresh_from_db()
    assert (inbound.outcome, inbound.resolved_by) == (Outcome.DISCARDED, world.agent)
    assert AuditEvent.objects.filter(verb="inbox.discard", actor=world.agent).exists()
    assert Ticket.objects.count() == 2
    page = as_user(world.agent).get(reverse("desk:review_detail", args=[inbound.pk]))
    assert "Discarded by an agent" in page.content.decode()
    assert "Turn into a ticket" not in page.content.decode()


def test_the_admin_logs_every_inbound_email_and_never_shows_a_mailbox_password(
    world: MailWorld,
) -> None:
    from chamado.inbox.models import Mailbox

    inbound_receive(world.corpus("bounce_dsn.eml"), source=PIPE)
    inbound_receive(world.corpus("new_ticket_gmail_en.eml"), source=PIPE)
    mailbox = Mailbox.objects.create(
        name="Support", host="imap.example", username="support", password="s3cret-imap"
    )
    admin = as_user(factories.AgentFactory(is_superuser=True, is_staff=True))
    log = admin.get(reverse("admin:inbox_inboundmessage_changelist")).content.decode()
    assert "Undelivered Mail Returned to Sender" in log and "Bounce" in log
    assert "Email bounces for every message" in log and "Opened a ticket" in log
    page = admin.get(reverse("admin:inbox_mailbox_change", args=[mailbox.pk])).content.decode()
    assert "s3cret-imap" not in page
    kept = admin.post(
        reverse("admin:inbox_mailbox_change", args=[mailbox.pk]),
        {
            "name": "Support desk",
            "host": "imap.example",
            "port": 993,
            "use_ssl": "on",
            "username": "support",
            "password": "",
            "folder": "INBOX",
            "processed_folder": "Processed",
            "is_active": "on",
        },
    )
    assert kept.status_code == 302
    mailbox.refresh_from_db()
    assert (mailbox.name, mailbox.password) == ("Support desk", "s3cret-imap")
