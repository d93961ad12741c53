"""`bench/seed.py`: benchmark data shaped like the actions' writes (timings never here)."""

import io
import random
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.db.models import Count, Q
from django.utils import timezone

from bench.seed import SeedRefused, main, seed_database
from bench.seed_data import (
    BENCH_AGENT_EMAIL,
    BENCH_DOMAIN,
    MESSAGE_COUNT_WEIGHTS,
    SPAN,
    _numbers,
)
from chamado.accounts.models import Account, Membership, User
from chamado.kb import render
from chamado.kb.models import Article
from chamado.services.models import Service
from chamado.tickets import sla, workflow
from chamado.tickets.access import tickets_visible_to_agent
from chamado.tickets.models import Message, Policy, Ticket
from chamado.tickets.search import ticket_search
from chamado.tickets.selectors import queue_for_agent, sla_targets

pytestmark = pytest.mark.django_db


def seed(**options: object) -> str:
    out = io.StringIO()
    seed_database(out=out, **options)  # type: ignore[arg-type]
    return out.getvalue()


@pytest.fixture
def seeded(db: None) -> None:
    # Over three years, 1,000 tickets leave a few still waiting (recent or forgotten).
    seed(tickets=1000)


@pytest.fixture
def bench_agent(seeded: None) -> User:
    return User.objects.get(email=BENCH_AGENT_EMAIL)


def test_seeds_the_tickets_over_a_twentieth_as_many_accounts(seeded) -> None:
    assert Ticket.objects.count() == 1000
    assert Account.objects.count() == 50
    assert all(
        Membership.objects.filter(account=account, is_owner=True).count() == 1
        for account in Account.objects.all()
    )
    assert User.objects.filter(is_agent=True, email__endswith=BENCH_DOMAIN).count() >= 3
    assert 100 <= Membership.objects.count() <= 150
    assert 80 <= Service.objects.count() <= 120
    per_ticket = Ticket.objects.annotate(
        public=Count("messages", filter=Q(messages__is_internal=False))
    )
    assert {t.public for t in per_ticket} <= set(MESSAGE_COUNT_WEIGHTS)
    assert 3.5 * 1000 < Message.objects.count() < 4.5 * 1000


def test_new_rows_continue_the_sequences(seeded) -> None:
    """Ids are given by the seeder: the database's own next id must come after them."""
    account = Account.objects.create(name="After the seed")
    assert account.pk == Account.objects.order_by("-pk").values_list("pk", flat=True)[1] + 1


def test_numbers_grow_a_digit_once_half_of_a_length_is_used() -> None:
    """As ticket_open gives them: the oldest tickets get the short numbers."""
    policy = Policy(number_min_digits=4, number_grow_at_percent=50)
    numbers = _numbers(random.Random(1), 5000, policy)
    assert len(set(numbers)) == 5000
    assert [len(str(n)) for n in numbers] == [4] * 4500 + [5] * 500


def test_a_million_tickets_get_450000_six_digit_numbers(db: None) -> None:
    numbers = _numbers(random.Random(0), 1_000_000, Policy())
    lengths = [len(str(n)) for n in numbers]
    assert lengths == [6] * 450_000 + [7] * 550_000
    assert len(set(numbers)) == 1_000_000


def test_knowledge_base_articles_are_saved_as_kb_actions_store_them(seeded) -> None:
    articles = list(Article.objects.all())
    assert len(articles) >= 30
    both = [a for a in articles if a.body and a.body_pt_br]
    assert len(both) >= 30
    for article in articles:
        assert article.text == render.render(article.body).text
        assert article.text_pt_br == render.render(article.body_pt_br).text


def test_numbers_are_unique_and_six_digits(seeded) -> None:
    numbers = list(Ticket.objects.values_list("number", flat=True))
    assert len(set(numbers)) == len(numbers) == 1000
    assert all(workflow.NUMBER_MIN <= n <= workflow.NUMBER_MAX for n in numbers)


def test_statuses_are_mostly_closed_with_some_waiting(seeded) -> None:
    closed = Ticket.objects.filter(status=Ticket.Status.CLOSED).count()
    waiting = Ticket.objects.filter(status__in=workflow.WAITING).count()
    assert closed > 900
    assert waiting > 0


def test_ticket_fields_are_what_the_actions_would_have_written(seeded) -> None:
    now = timezone.now()
    for ticket in Ticket.objects.select_related("contact"):
        conversation = list(ticket.messages.order_by("created_at", "pk"))
        public = [m for m in conversation if not m.is_internal]
        assert not public[0].from_agent, "a client opens every ticket"
        assert [m.from_agent for m in public] == [i % 2 == 1 for i in range(len(public))]
        answers = [m.created_at for m in public if m.from_agent]
        assert ticket.first_response_at == (answers[0] if answers else None)
        assert ticket.search_document == "\n".join(
            [ticket.subject, ticket.contact.full_name, ticket.contact.email]
            + [m.body for m in conversation]
        )
        assert now - SPAN - timedelta(days=1) < ticket.created_at <= ticket.last_activity_at <= now
        if ticket.status in workflow.WAITING:
            assert ticket.waiting_since == public[-1].created_at
            assert not public[-1].from_agent
            assert (ticket.response_due_at, ticket.response_warn_at) == sla.response_deadline(
                waiting_since=ticket.waiting_since,
                answered_before=bool(answers),
                targets=sla_targets(ticket.department_id, ticket.priority),
            )
        else:
            assert ticket.waiting_since is ticket.response_due_at is ticket.response_warn_at
        assert (ticket.closed_at is not None) == (ticket.status == Ticket.Status.CLOSED)


def test_waiting_tickets_fill_the_queue_in_queue_order(bench_agent) -> None:
    queue = list(queue_for_agent(bench_agent, now=timezone.now()))
    waiting = Ticket.objects.filter(status__in=workflow.WAITING)
    assert {t.number for t in queue} == set(waiting.values_list("number", flat=True))
    assert [t.pk for t in queue] == [
        t.pk
        for t in sorted(waiting, key=lambda t: (-t.priority, t.waiting_since, t.created_at, t.pk))
    ]


def test_seeded_tickets_are_found_by_number_email_and_word(bench_agent) -> None:
    visible = tickets_visible_to_agent(bench_agent)
    ticket = Ticket.objects.select_related("contact").order_by("pk").first()
    assert ticket is not None
    assert [t.pk for t in ticket_search(visible, f"#{ticket.number}")] == [ticket.pk]
    assert ticket.pk in {t.pk for t in ticket_search(visible, ticket.contact.email)}
    word = re.compile(r"\bcertificado\b", re.IGNORECASE)
    expected = {t.pk for t in Ticket.objects.all() if word.search(t.search_document)}
    assert expected, "the seeded texts use the word"
    assert {t.pk for t in ticket_search(visible, "certificado")} == expected


def test_refuses_a_database_with_tickets_unless_forced(seeded) -> None:
    with pytest.raises(SeedRefused, match="already has 1,000 tickets"):
        seed(tickets=10)
    seed(tickets=10, force=True)
    numbers = list(Ticket.objects.values_list("number", flat=True))
    assert len(set(numbers)) == len(numbers) == 1010


def test_the_script_parses_its_options_and_exits_with_the_refusal(seeded, capsys) -> None:
    with pytest.raises(SystemExit, match="already has 1,000 tickets"):
        main(["--tickets", "5"])
    main(["--tickets", "5", "--accounts", "2", "--seed", "3", "--batch-size", "2", "--force"])
    assert "Seeded 5 tickets" in capsys.readouterr().out
    assert Ticket.objects.count() == 1005


def test_the_script_runs_on_its_own() -> None:
    """`python bench/seed.py` sets up Django itself (--help: no database is touched)."""
    script = Path(__file__).resolve().parents[2] / "bench" / "seed.py"
    result = subprocess.run(
        [sys.executable, str(script), "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "FOR BENCHMARK DATABASES ONLY" in result.stdout
    assert "--tickets" in result.stdout and "--force" in result.stdout
