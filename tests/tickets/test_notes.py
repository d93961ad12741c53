"""System notes are stored as events and read in the reader's language: the merge note an agent
working in Portuguese leaves reads in English to an English reader and in Portuguese to a
Portuguese one, on the desk's page, through the API and in email; notes stored as text before
are converted by the migration, and any other stays readable as it was written."""

import html
import importlib
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import translation

from chamado.mail.models import Delivery
from chamado.mail.render import delivery_email
from chamado.tickets import notes
from chamado.tickets.actions import ticket_merge
from chamado.tickets.models import Message, Ticket
from tests import factories
from tests.api.conftest import API, token_for

pytestmark = pytest.mark.django_db

ENGLISH = "Ticket #{number} was merged into this ticket."
PORTUGUESE = "O ticket #{number} foi mesclado a este ticket."


@pytest.fixture
def merged(owner: Any, service: Any, support: Any) -> tuple[Ticket, Ticket, Any]:
    """(source, target, the Portuguese-speaking agent who merged them, in Portuguese)."""
    agent = factories.AgentFactory(full_name="Joana Prado", language="pt-br")
    support.agents.add(agent)
    source = factories.open_ticket(owner, service=service, department=support)
    target = factories.open_ticket(owner, service=service, department=support)
    with translation.override("pt-br"):
        ticket_merge(actor=agent, source=source, target=target)
    return source, target, agent


def note_of(target: Ticket) -> Message:
    return Message.objects.get(ticket=target, source=Message.Source.SYSTEM)


def page(client: Client, url: str, language: str) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_the_merge_note_is_stored_as_its_event_with_english_text(merged) -> None:
    source, target, agent = merged
    note = note_of(target)
    assert note.event_code == notes.MERGED
    assert note.event_params == {"source": source.number}
    assert note.body == ENGLISH.format(number=source.number)  # not the agent's Portuguese
    assert note.author == agent and note.is_internal and note.from_agent


def test_the_merge_note_reads_in_each_readers_language(merged) -> None:
    source, target, _agent = merged
    note = note_of(target)
    with translation.override("en"):
        assert notes.message_text(note) == ENGLISH.format(number=source.number)
    with translation.override("pt-br"):
        assert notes.message_text(note) == PORTUGUESE.format(number=source.number)


def test_the_desk_page_shows_the_note_in_the_readers_language(merged, support) -> None:
    source, target, _agent = merged
    english_agent = factories.AgentFactory(full_name="Elisa Rocha", language="en")
    support.agents.add(english_agent)
    client = Client()
    client.force_login(english_agent)
    url = reverse("desk:ticket", args=[target.number])

    english = page(client, url, "en")
    assert ENGLISH.format(number=source.number) in english
    assert PORTUGUESE.format(number=source.number) not in english
    portuguese = page(client, url, "pt-BR")
    assert PORTUGUESE.format(number=source.number) in portuguese
    assert ENGLISH.format(number=source.number) not in portuguese


def test_the_api_gives_the_note_in_the_requests_language(merged, support) -> None:
    source, target, agent = merged
    key = token_for(agent)
    texts = {}
    for language in ("en", "pt-BR"):
        response = Client().get(
            f"{API}/desk/tickets/{target.number}",
            headers={"Authorization": f"Bearer {key}", "Accept-Language": language},
        )
        assert response.status_code == 200
        (note,) = [m for m in response.json()["messages"] if m["source"] == "system"]
        texts[language] = note["body"]
    assert texts == {
        "en": ENGLISH.format(number=source.number),
        "pt-BR": PORTUGUESE.format(number=source.number),
    }


def test_the_clients_email_about_the_merge_speaks_the_clients_language(merged, owner) -> None:
    """The agent merged in Portuguese; the email is written for its reader when it is sent."""
    source, target, _agent = merged
    delivery = Delivery.objects.get(kind=Delivery.Kind.MERGED, recipient=owner)
    english = delivery_email(delivery)
    assert f"Your ticket #{source.number} continues in ticket #{target.number}" in english.body
    owner.language = "pt-br"
    owner.save(update_fields=["language"])
    delivery.refresh_from_db()
    portuguese = delivery_email(delivery)
    assert f"Seu ticket #{source.number} continua no ticket #{target.number}" in portuguese.body


@pytest.mark.parametrize(
    ("language", "expected"), [("en", ENGLISH), ("pt-br", PORTUGUESE)], ids=["en", "pt-br"]
)
def test_an_email_quoting_a_system_note_renders_it_for_its_recipient(
    merged, support, language, expected
) -> None:
    """Emails quote a message through the same function: a note reads in the recipient's
    language in the text and the HTML part alike."""
    source, target, _agent = merged
    reader = factories.AgentFactory(full_name="Leitor", language=language)
    delivery = Delivery(
        kind=Delivery.Kind.TRANSFER_AGENTS_NOTICE,
        ticket=target,
        message=note_of(target),
        recipient=reader,
        email_message_id="<note-test@chamado.localhost>",
    )
    email = delivery_email(delivery)
    sentence = expected.format(number=source.number)
    assert sentence in email.body
    (html_part, _type) = email.alternatives[0]
    assert sentence in html.unescape(str(html_part))


def test_a_note_of_an_unknown_event_or_without_event_reads_as_stored(ticket, agent) -> None:
    stored = factories.open_ticket(ticket.contact, department=ticket.department)
    old = Message.objects.create(
        ticket=stored, body="Nota antiga do sistema.", source=Message.Source.SYSTEM
    )
    unknown = Message.objects.create(
        ticket=stored,
        body="Something new happened.",
        source=Message.Source.SYSTEM,
        event_code="ticket.from_the_future",
        event_params={"what": 1},
    )
    broken = Message.objects.create(
        ticket=stored, body="Merged.", source=Message.Source.SYSTEM, event_code=notes.MERGED
    )
    with translation.override("pt-br"):
        assert notes.message_text(old) == "Nota antiga do sistema."
        assert notes.message_text(unknown) == "Something new happened."
        assert notes.message_text(broken) == "Merged."


def test_the_migration_turns_merge_notes_stored_as_text_into_events(ticket) -> None:
    migration = importlib.import_module("chamado.tickets.migrations.0014_message_events")
    written = {
        "en": Message.objects.create(
            ticket=ticket, body="Ticket #123456 was merged into this ticket.", source="system"
        ),
        "pt": Message.objects.create(
            ticket=ticket, body="O ticket #654321 foi mesclado a este ticket.", source="system"
        ),
        "other": Message.objects.create(ticket=ticket, body="Outra nota.", source="system"),
        "client": Message.objects.create(
            ticket=ticket, body="Ticket #111111 was merged into this ticket.", source="web"
        ),
    }
    migration.merge_notes_to_events(apps, None)
    for message in written.values():
        message.refresh_from_db()
    assert (written["en"].event_code, written["en"].event_params) == (
        notes.MERGED,
        {"source": 123456},
    )
    assert written["pt"].event_params == {"source": 654321}
    assert written["pt"].body == "Ticket #654321 was merged into this ticket."
    assert written["other"].event_code == "" and written["other"].body == "Outra nota."
    assert written["client"].event_code == ""  # a client's words are never rewritten
    with translation.override("pt-br"):
        assert notes.message_text(written["en"]) == "O ticket #123456 foi mesclado a este ticket."
