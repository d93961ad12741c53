"""`chamado seed_bench`: bench/seed.py from a source checkout; an installation has no seeder."""

import pytest
from django.core.management import CommandError, call_command

from chamado.ops.management.commands import seed_bench
from chamado.tickets.models import Ticket


@pytest.mark.django_db(transaction=True)
def test_seed_bench_runs_the_checkouts_seeder() -> None:
    call_command("seed_bench", "--tickets", "40", "--accounts", "4")
    assert Ticket.objects.count() == 40


def test_an_installation_without_the_checkout_is_told_so(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(seed_bench, "CHECKOUT", tmp_path)
    with pytest.raises(CommandError, match="source checkout"):
        call_command("seed_bench", "--tickets", "10")
