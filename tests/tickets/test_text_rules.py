"""Text from any surface is made safe to store, search and mail: one-line values lose control
characters, line breaks and bidi overrides; bodies keep their lines but lose NUL and the
search markers."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from chamado.core.text import body_clean, single_line, validate_single_line
from chamado.mail.models import Delivery
from chamado.mail.render import delivery_email
from chamado.services.models import Service
from chamado.tickets.actions import ticket_reply_by_client
from chamado.tickets.models import Ticket
from tests import factories

BODY = "The site answers 500 since this morning, nothing changed."


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Site down\r\nBcc: someone@example.com", "Site down Bcc: someone@example.com"),
        ("Site\ndown", "Site down"),
        ("Null\x00byte", "Null byte"),
        ("Search \x02markers\x03", "Search markers"),
        ("invoice\u202efdp.exe", "invoice fdp.exe"),
        ("  tabs\tand   spaces  ", "tabs and spaces"),
        ("Ação não concluída", "Ação não concluída"),
    ],
)
def test_single_line(typed: str, stored: str) -> None:
    assert single_line(typed) == stored


def test_bodies_keep_their_lines_and_lose_what_nobody_types() -> None:
    typed = "First line\r\nSecond\x00 line\rThird \x02line\x03\u202e\n\n\tIndented"
    assert body_clean(typed) == "First line\nSecond line\nThird line\n\n\tIndented"


def test_the_admin_refuses_a_label_on_two_lines(account) -> None:
    with pytest.raises(ValidationError) as refused:
        Service(account=account, name="Hosting", label="acme.com.br\nevil").full_clean()
    assert "label" in refused.value.message_dict
    validate_single_line("acme.com.br")  # a plain one passes


@pytest.mark.django_db
def test_a_subject_typed_with_a_line_break_is_stored_on_one_line_and_mailed(
    owner: Any, service: Any, support: Any
) -> None:
    client = Client()
    client.force_login(owner)
    response = client.post(
        reverse("portal:ticket_new", args=["support"]),
        {
            "department": support.pk,
            "subject": "Site down\r\nBcc: someone@example.com",
            "service": service.pk,
            "priority": "2",
            "message": BODY + "\u202e",
        },
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.subject == "Site down Bcc: someone@example.com"
    assert ticket.messages.get().body == BODY
    for delivery in Delivery.objects.filter(ticket=ticket):
        email = delivery_email(delivery).message()  # raised BadHeaderError before
        assert (
            email["Subject"]
            == f"[#{ticket.number}] "
            + {
                Delivery.Kind.TICKET_CONFIRMATION: "Ticket opened: ",
                Delivery.Kind.TICKET_NEW_NOTICE: "New ticket in Support: ",
            }[Delivery.Kind(delivery.kind)]
            + "Site down Bcc: someone@example.com"
        )


@pytest.mark.django_db
def test_a_reply_body_with_nul_is_stored_without_it(owner: Any, service: Any) -> None:
    ticket = factories.open_ticket(owner, service=service)
    outcome = ticket_reply_by_client(actor=owner, ticket=ticket, body="More\x00 details " * 3)
    assert outcome.message is not None and "\x00" not in outcome.message.body
