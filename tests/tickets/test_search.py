"""The desk's ticket search: number, subject, every message, the client's email and
name; only the agent's departments; newest activity first; matches marked, client HTML inert.
Accents and case are ignored ("paginas" finds "páginas"). Runs on SQLite (folded matching)
and PostgreSQL (full text with unaccent on a GIN index)."""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from chamado.tickets.access import tickets_visible_to_agent
from chamado.tickets.actions import ticket_reply_by_agent, ticket_reply_by_client
from chamado.tickets.models import Ticket
from chamado.tickets.search import ticket_search
from tests import factories

pytestmark = pytest.mark.django_db

SEARCH = reverse("desk:search")


@pytest.fixture
def client_person(db: None) -> Any:
    return factories.OwnerFactory(full_name="Giovana Albuquerque", email="giovana@zeta.example")


@pytest.fixture
def conversation(client_person, agent, support) -> Ticket:
    """The word 'kerberos' appears only in the third message."""
    ticket = factories.open_ticket(
        client_person, subject="Mailbox quota exceeded", department=support
    )
    ticket_reply_by_agent(actor=agent, ticket=ticket, body="Which mailbox is it, please?")
    ticket_reply_by_client(
        actor=client_person, ticket=ticket, body="The one behind the kerberos login, sales@."
    )
    return ticket


@pytest.fixture
def bystander(owner, service) -> Ticket:
    return factories.open_ticket(owner, service=service, subject="Site is slow")


def found(agent: Any, text: str) -> list[Ticket]:
    return list(ticket_search(tickets_visible_to_agent(agent), text).order_by("pk"))


@pytest.mark.parametrize(
    "text",
    [
        "kerberos",
        "KERBEROS",
        "kerberos login",
        "Mailbox quota",
        "quota",
        "giovana@zeta.example",
        "Albuquerque",
        "Giovana Albuquerque",
    ],
)
def test_search_finds_the_ticket_by_messages_subject_and_client(
    agent, conversation, bystander, text
) -> None:
    assert found(agent, text) == [conversation]


@pytest.mark.parametrize("form", ["#{}", "{}", " #{} "])
def test_search_finds_the_ticket_by_number(agent, conversation, bystander, form) -> None:
    assert found(agent, form.format(conversation.number)) == [conversation]


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("As páginas do site demoram", "paginas"),
        ("As paginas do site demoram", "páginas"),
        ("Configuração do domínio", "CONFIGURACAO dominio"),
        ("Erro na emissão da nota fiscal", "emissao"),
        ("Straße und Café", "cafe"),
    ],
)
def test_search_ignores_accents_and_case(agent, owner, service, bystander, stored, typed) -> None:
    ticket = factories.open_ticket(owner, service=service, subject=stored)
    assert found(agent, typed) == [ticket]


def test_accent_insensitive_match_is_marked_on_the_page(searching, owner, service) -> None:
    factories.open_ticket(
        owner, service=service, subject="Site lento", body="As páginas demoram a abrir hoje."
    )
    page = searching.get(SEARCH, {"q": "paginas"}).content.decode()
    assert "<mark>páginas</mark>" in page


def test_every_word_must_match(agent, conversation, bystander) -> None:
    assert found(agent, "kerberos slow") == []
    assert found(agent, "nothing-like-this") == []


def test_agent_reply_and_transfer_note_are_searchable(agent, conversation) -> None:
    assert found(agent, "mailbox") == [conversation]  # in the subject and the agent's reply
    ticket_reply_by_agent(actor=agent, ticket=conversation, body="Raised the quota to 5 GB.")
    assert found(agent, "5 GB") == [conversation]


def test_search_stays_within_the_agents_departments(
    agent, client_person, conversation, admin_user
) -> None:
    billing = factories.department("billing")
    billing_agent = factories.AgentFactory()
    billing.agents.add(billing_agent)
    invoice = factories.open_ticket(
        client_person,
        department=billing,
        subject="Kerberos invoice",
        service=factories.ServiceFactory(account=client_person.account),
    )

    assert found(agent, "kerberos") == [conversation]
    assert found(billing_agent, "kerberos") == [invoice]
    assert found(billing_agent, str(conversation.number)) == []
    assert found(admin_user, "kerberos") == [conversation, invoice]


@pytest.fixture
def admin_user(db: None) -> Any:
    return factories.AgentFactory(is_superuser=True, is_staff=True)


# The search page --------------------------------------------------------------------------


@pytest.fixture
def searching(client: Client, agent: Any) -> Client:
    client.force_login(agent)
    return client


def result_numbers(response: Any) -> list[int]:
    assert response.status_code == 200
    page = response.content.decode()
    return [int(n) for n in re.findall(r'<li><a href="/desk/tickets/(\d+)/">', page)]


def test_results_are_paginated_newest_activity_first(searching, owner, service) -> None:
    tickets = [
        factories.open_ticket(owner, service=service, subject=f"Invoice {n}") for n in range(27)
    ]
    now = timezone.now()
    for age, ticket in enumerate(tickets):  # the first opened is the most recently active
        Ticket.objects.filter(pk=ticket.pk).update(last_activity_at=now - timedelta(hours=age))
    expected = [t.number for t in tickets]

    first = searching.get(SEARCH, {"q": "invoice"})
    second = searching.get(SEARCH, {"q": "invoice", "page": 2})

    assert result_numbers(first) == expected[:25]
    assert result_numbers(second) == expected[25:]
    # Only the matches up to the page are found: the total shows once the matches end.
    assert "Page 1<" in first.content.decode()
    assert "Page 2 of 2" in second.content.decode()
    assert 'href="?q=invoice&amp;page=1"' in second.content.decode()
    assert 'href="?q=invoice&amp;page=2"' in first.content.decode()


def test_match_is_marked_and_client_html_is_escaped(searching, owner, service) -> None:
    factories.open_ticket(
        owner,
        service=service,
        subject="Strange text on the page",
        body='The page shows <script>alert(1)</script> zanzibar & "5 < 6" there.',
    )

    page = searching.get(SEARCH, {"q": "zanzibar"}).content.decode()

    assert "<mark>zanzibar</mark> &amp; &quot;5 &lt; 6&quot;" in page
    assert "<script>alert(1)</script>" not in page
    if connection.vendor == "sqlite":
        assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>zanzibar</mark>" in page
    else:  # PostgreSQL's headline drops the tags themselves and keeps the text
        assert "alert(1)  <mark>zanzibar</mark>" in page


def test_no_match_says_so(searching, conversation) -> None:
    page = searching.get(SEARCH, {"q": "nothing-like-this"}).content.decode()
    assert "No ticket matches." in page


def test_empty_search_shows_the_form_only(searching, conversation) -> None:
    response = searching.get(SEARCH, {"q": "  "})
    assert response.status_code == 200 and response.context["page"] is None


# PostgreSQL: the GIN index ----------------------------------------------------------------


@pytest.mark.postgres
def test_search_has_a_gin_index_the_query_can_use(agent, conversation, bystander) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): SQLite searches without the GIN index")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = %s AND indexname = %s",
            [Ticket._meta.db_table, "ticket_search_unaccent_gin"],
        )
        rows = cursor.fetchall()
        cursor.execute(
            "SELECT 1 FROM pg_indexes WHERE tablename = %s AND indexname = 'ticket_search_gin'",
            [Ticket._meta.db_table],
        )
        assert cursor.fetchall() == [], "the accent-sensitive index is left behind"
    assert len(rows) == 1
    assert "USING gin" in rows[0][0] and "to_tsvector('chamado_simple'" in rows[0][0]

    for text in ("kerberos", "kérberos"):
        # Unordered: ordered by activity, walking the ``ticket_activity`` index and filtering
        # each row can cost less on a handful of rows, and the planner may pick it.
        results = ticket_search(Ticket.objects.order_by(), text)
        with connection.cursor() as cursor:
            # A handful of rows are read faster without an index; forbid that to see if it can.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
        assert "ticket_search_unaccent_gin" in results.explain()
        assert list(results) == [conversation]


# Only the matches up to the page: windows of recent activity --------------------------------


@pytest.fixture
def spread(owner, service) -> list[Ticket]:
    """12 tickets about 'walrus' and 6 about something else, one hour of activity apart: the
    matches most recently active first are ``spread``'s walrus tickets in this order."""
    now = timezone.now()
    walrus, other = [], []
    for n in range(18):
        subject = f"Walrus {n}" if n % 3 else f"Penguin {n}"
        ticket = factories.open_ticket(owner, service=service, subject=subject)
        Ticket.objects.filter(pk=ticket.pk).update(last_activity_at=now - timedelta(hours=n))
        (walrus if n % 3 else other).append(ticket)
    return walrus


@pytest.mark.parametrize("windows", [(2,), (1, 4, 9), (3, 50), (100,)])
@pytest.mark.parametrize("limit", [1, 5, 8, 12, 30])
def test_matches_up_to_a_limit_are_the_first_of_all_matches_sorted(
    agent, spread, monkeypatch, windows, limit
) -> None:
    from chamado.tickets import search

    # Each test has a cache key prefix of its own (tests/conftest.py): no window start cached
    # by another test is seen here. Never cache.clear(): on Redis it flushes the database
    # every parallel worker shares, and their cached sessions and settings with it.
    monkeypatch.setattr(search, "SEARCH_WINDOWS", windows)
    ids, complete = search.ticket_search_ids(tickets_visible_to_agent(agent), "walrus", limit)
    assert ids == [t.pk for t in spread][:limit]
    assert complete == (limit >= len(spread))


def test_a_window_start_cached_from_older_data_only_widens_the_window(
    agent, spread, monkeypatch
) -> None:
    from django.core.cache import cache

    from chamado.tickets import search

    monkeypatch.setattr(search, "SEARCH_WINDOWS", (2, 4))
    for rows in (2, 4):  # stale: long before every ticket's activity
        cache.set(search.WINDOW_CACHE_KEY.format(rows=rows), timezone.now() - timedelta(days=9))
    ids, complete = search.ticket_search_ids(tickets_visible_to_agent(agent), "walrus", 5)
    assert ids == [t.pk for t in spread][:5] and not complete


def test_a_page_past_the_matches_shows_them(searching, spread) -> None:
    response = searching.get(SEARCH, {"q": "walrus", "page": 99})
    assert result_numbers(response) == [t.number for t in spread]
    assert 'class="pager"' not in response.content.decode()  # one page: no pager at all
    response = searching.get(SEARCH, {"q": "walrus", "page": "x"})
    assert result_numbers(response) == [t.number for t in spread]


def test_pages_past_the_matches_show_the_last_page(searching, owner, service) -> None:
    for n in range(30):
        factories.open_ticket(owner, service=service, subject=f"Invoice {n}")
    page = searching.get(SEARCH, {"q": "invoice", "page": 7}).content.decode()
    assert "Page 2 of 2" in page
    assert len(re.findall(r'<li><a href="/desk/tickets/', page)) == 5
