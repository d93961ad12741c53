"""`chamado seed_bench`: many synthetic tickets for a benchmark database. Never for production."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from chamado.core.bench_data import BENCH_AGENT_EMAIL, BENCH_PASSWORD, MAX_TICKETS, bench_seed
from chamado.tickets.models import Ticket


class Command(BaseCommand):
    help = (
        "FOR BENCHMARK DATABASES ONLY: bulk-insert synthetic accounts, contacts, services, "
        "agents and tickets (1-4 messages each, spread over the last 365 days) for bench/run.py. "
        "Refuses a database that already has tickets unless --force. Every seeded login has the "
        f"password '{BENCH_PASSWORD}'; the agent of every department is {BENCH_AGENT_EMAIL}."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--tickets",
            type=int,
            default=100_000,
            help=f"tickets to create (default 100000, at most {MAX_TICKETS}: numbers have six "
            "digits)",
        )
        parser.add_argument(
            "--accounts", type=int, default=None, help="client accounts (default tickets/20)"
        )
        parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
        parser.add_argument("--batch-size", type=int, default=2000, help="rows per INSERT")
        parser.add_argument(
            "--force",
            action="store_true",
            help="add tickets even though the database already has some",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        tickets: int = options["tickets"]
        if tickets < 1:
            raise CommandError("--tickets must be at least 1.")
        if tickets > MAX_TICKETS:
            raise CommandError(
                f"--tickets {tickets:,} is more than {MAX_TICKETS:,}: ticket numbers have six "
                "digits (100000-999999), 900,000 in all. A million tickets needs seven-digit "
                "numbers first."
            )
        accounts: int = options["accounts"] or max(tickets // 20, 1)
        existing = Ticket.objects.count()
        if existing and not options["force"]:
            raise CommandError(
                f"The database already has {existing:,} tickets. seed_bench is for benchmark "
                "databases only; pass --force to add more anyway."
            )
        started = time.monotonic()
        with tqdm(total=tickets, desc="Tickets", unit="ticket", unit_scale=True) as bar:
            try:
                summary = bench_seed(
                    tickets=tickets,
                    accounts=accounts,
                    seed=options["seed"],
                    batch_size=options["batch_size"],
                    progress=bar.update,
                )
            except ValueError as error:
                raise CommandError(str(error)) from None
        statuses = ", ".join(f"{k} {v:,}" for k, v in sorted(summary.by_status.items()))
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {summary.tickets:,} tickets, {summary.messages:,} messages, "
                f"{summary.accounts:,} accounts, {summary.users:,} contacts, "
                f"{summary.services:,} services in {time.monotonic() - started:.0f} s."
            )
        )
        self.stdout.write(f"Statuses: {statuses}.")
