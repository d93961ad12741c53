"""`bench/seed.py`: benchmark data shaped like the actions' writes (timings never here)."""

import io
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.db.models import Count, Q
from django.utils import timezone

from bench.seed import SeedRefused, main, seed_database
from bench.seed_data import BENCH_AGENT_EMAIL, BENCH_DOMAIN
from chamado.accounts.models import Account, User
from chamado.tickets import sla, workflow
from chamado.tickets.access import tickets_visible_to_agent
from chamado.tickets.models import Message, Ticket
from chamado.tickets.search import ticket_search
from chamado.tickets.selectors import queue_for_agent, sla_targets

pytestmark = pytest.mark.django_db


def seed(**options: object) -> str:
    out = io.StringIO()
    seed_database(out=out, **options)  # type: ignore[arg-type]
    return out.getvalue()


@pytest.fixture
def seeded(db: None) -> None:
    seed(tickets=200)


@pytest.fixture
def bench_agent(seeded: None) -> User:
    return User.objects.get(email=BENCH_AGENT_EMAIL)


def test_seeds_the_tickets_over_a_twentieth_as_many_accounts(seeded) -> None:
    assert Ticket.objects.count() == 200
    assert Account.objects.count() == 10
    assert all(
        User.objects.filter(account=account, is_account_owner=True).count() == 1
        for account in Account.objects.all()
    )
    assert User.objects.filter(is_agent=True, email__endswith=BENCH_DOMAIN).count() >= 3
    per_ticket = Ticket.objects.annotate(
        public=Count("messages", filter=Q(messages__is_internal=False))
    )
    assert {t.public for t in per_ticket} <= {1, 2, 3, 4}
    assert Message.objects.count() >= 200


def test_numbers_are_unique_and_six_digits(seeded) -> None:
    numbers = list(Ticket.objects.values_list("number", flat=True))
    assert len(set(numbers)) == len(numbers) == 200
    assert all(workflow.NUMBER_MIN <= n <= workflow.NUMBER_MAX for n in numbers)


def test_statuses_are_mostly_closed_with_some_waiting(seeded) -> None:
    closed = Ticket.objects.filter(status=Ticket.Status.CLOSED).count()
    waiting = Ticket.objects.filter(status__in=workflow.WAITING).count()
    assert closed > 150
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
        assert now - timedelta(days=366) < ticket.created_at <= ticket.last_activity_at <= now
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
    with pytest.raises(SeedRefused, match="already has 200 tickets"):
        seed(tickets=10)
    seed(tickets=10, force=True)
    numbers = list(Ticket.objects.values_list("number", flat=True))
    assert len(set(numbers)) == len(numbers) == 210


def test_refuses_more_tickets_than_six_digit_numbers_allow(db: None) -> None:
    with pytest.raises(SeedRefused, match="six digits"):
        seed(tickets=1_000_000)
    assert not Ticket.objects.exists()


def test_the_script_parses_its_options_and_exits_with_the_refusal(seeded, capsys) -> None:
    with pytest.raises(SystemExit, match="already has 200 tickets"):
        main(["--tickets", "5"])
    main(["--tickets", "5", "--accounts", "2", "--seed", "3", "--batch-size", "2", "--force"])
    assert "Seeded 5 tickets" in capsys.readouterr().out
    assert Ticket.objects.count() == 205


def test_the_script_runs_on_its_own() -> None:
    """`python bench/seed.py` sets up Django itself (--help: no database is touched)."""
    script = Path(__file__).resolve().parents[2] / "bench" / "seed.py"
    result = subprocess.run(
        [sys.executable, str(script), "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "FOR BENCHMARK DATABASES ONLY" in result.stdout
    assert "--tickets" in result.stdout and "--force" in result.stdout
