"""Two clicks on Submit (or a resent request) store one ticket or one message: the form's
one-time key leads the second post to the first result."""

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from chamado.tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db

BODY = "The site answers 500 since this morning, nothing changed."


def key_of(page: str) -> str:
    match = re.search(r'name="submission_key" value="([0-9a-f]{32})"', page)
    assert match, "the form carries a one-time key"
    return match.group(1)


@pytest.fixture
def owner_client(owner: Any) -> Client:
    client = Client()
    client.force_login(owner)
    return client


def test_opening_twice_with_one_form_opens_one_ticket(owner_client, service, support) -> None:
    url = reverse("portal:ticket_new", args=["support"])
    form = {
        "department": support.pk,
        "subject": "Site down",
        "service": service.pk,
        "priority": "2",
        "message": BODY,
        "submission_key": key_of(owner_client.get(url).content.decode()),
    }

    first = owner_client.post(url, form)
    second = owner_client.post(url, form)

    ticket = Ticket.objects.get()
    confirmation = reverse("portal:ticket_created", args=[ticket.number])
    assert first["Location"] == second["Location"] == confirmation
    assert Message.objects.count() == 1


def test_a_new_form_has_a_new_key(owner_client) -> None:
    url = reverse("portal:ticket_new", args=["support"])
    assert key_of(owner_client.get(url).content.decode()) != key_of(
        owner_client.get(url).content.decode()
    )


def test_replying_twice_with_one_form_adds_one_message(owner_client, ticket) -> None:
    url = reverse("portal:ticket", args=[ticket.number])
    form = {"message": "One more detail: it fails only on /checkout.", "submission_key": ""}
    form["submission_key"] = key_of(owner_client.get(url).content.decode())

    assert owner_client.post(url, form).status_code == 302
    assert owner_client.post(url, form).status_code == 302

    assert ticket.messages.filter(body__startswith="One more detail").count() == 1


def test_the_same_key_from_another_person_is_their_own(owner_client, contact, ticket) -> None:
    url = reverse("portal:ticket", args=[ticket.number])
    form = {"message": "One more detail: it fails only on /checkout.", "submission_key": "a" * 32}
    owner_client.post(url, form)
    other = Client()
    other.force_login(contact)
    other.post(url, form)
    assert ticket.messages.filter(body__startswith="One more detail").count() == 2


def test_desk_reply_and_note_sent_twice_are_stored_once(agent, ticket) -> None:
    client = Client()
    client.force_login(agent)
    page = client.get(reverse("desk:ticket", args=[ticket.number])).content.decode()
    keys = re.findall(r'name="submission_key" value="([0-9a-f]{32})"', page)
    assert len(set(keys)) == 2  # the reply form's and the note form's

    reply = {"message": "We restarted the server.", "status": "", "submission_key": keys[0]}
    note = {"message": "Checked the logs first.", "submission_key": keys[1]}
    for _twice in range(2):
        assert client.post(reverse("desk:reply", args=[ticket.number]), reply).status_code == 302
        assert client.post(reverse("desk:note", args=[ticket.number]), note).status_code == 302

    assert ticket.messages.filter(body="We restarted the server.").count() == 1
    assert ticket.messages.filter(body="Checked the logs first.").count() == 1
