"""Many synthetic tickets for a benchmark database. FOR BENCHMARK DATABASES ONLY.

    .venv/bin/python bench/seed.py [--tickets N] [--accounts N] [--seed N] [--batch-size N]
                                   [--force]

Writes synthetic accounts, contacts, services, agents, tickets (about four messages each,
spread over the last three years) and a knowledge base (`bench/seed_data.py` builds them) into
the database of `DATABASE_URL`, as `chamado` would use it: a million tickets by default, with
COPY on PostgreSQL. One transaction: an interrupted seed (Ctrl-C) leaves nothing, and running
it again starts over. Refuses a database that already has tickets unless --force. Every
seeded login has the password in `seed_data.BENCH_PASSWORD`, which is why this lives in
bench/ and not in the `chamado` package. `bench/run.py` calls `seed_database()`.
"""

import argparse
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from bench.seed_data import SeedSummary

ROOT = Path(__file__).resolve().parent.parent


class SeedRefused(Exception):
    """The database or the options are not fit for seeding; nothing was written."""


def django_setup() -> None:
    """Chamado's settings, unless Django is already set up (by bench/run.py or pytest)."""
    if str(ROOT) not in sys.path:  # run as `python bench/seed.py`: make `bench` importable
        sys.path.insert(0, str(ROOT))
    from django.apps import apps

    if not apps.ready:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chamado.config.settings")
        import django

        django.setup()


def seed_database(
    *,
    tickets: int = 1_000_000,
    accounts: int | None = None,
    seed: int = 0,
    batch_size: int = 10_000,
    force: bool = False,
    out: TextIO | None = None,
) -> "SeedSummary":
    """Seed ``tickets`` tickets over ``accounts`` accounts (tickets/20 by default) with a tqdm
    progress bar; returns the `SeedSummary`. Raises `SeedRefused` before writing anything."""
    from tqdm import tqdm

    from bench.seed_data import bench_seed
    from chamado.tickets.models import Ticket

    out = out or sys.stdout
    if tickets < 1:
        raise SeedRefused("--tickets must be at least 1.")
    accounts = accounts or max(tickets // 20, 1)
    existing = Ticket.objects.count()
    if existing and not force:
        raise SeedRefused(
            f"The database already has {existing:,} tickets. bench/seed.py is for benchmark "
            "databases only; pass --force to add more anyway."
        )
    started = time.monotonic()
    with tqdm(total=tickets, desc="Tickets", unit="ticket", unit_scale=True, file=out) as bar:

        def phase(text: str) -> None:
            bar.write(f"[{time.monotonic() - started:5.0f} s] {text}", file=out)

        try:
            summary = bench_seed(
                tickets=tickets,
                accounts=accounts,
                seed=seed,
                batch_size=batch_size,
                progress=bar.update,
                phase=phase,
            )
        except ValueError as error:
            raise SeedRefused(str(error)) from None
    statuses = ", ".join(f"{k} {v:,}" for k, v in sorted(summary.by_status.items()))
    out.write(
        f"Seeded {summary.tickets:,} tickets, {summary.messages:,} messages, "
        f"{summary.accounts:,} accounts, {summary.users:,} contacts, "
        f"{summary.services:,} services, {summary.articles} articles in "
        f"{time.monotonic() - started:.0f} s.\n"
    )
    digits = ", ".join(f"{k} digits {v:,}" for k, v in sorted(summary.by_digits.items()))
    out.write(f"Statuses: {statuses}.\nNumbers: {digits}.\n")
    return summary


def arguments(argv: list[str] | None) -> argparse.Namespace:
    from bench.seed_data import BENCH_AGENT_EMAIL, BENCH_PASSWORD, DEFAULT_TICKETS

    parser = argparse.ArgumentParser(
        description="FOR BENCHMARK DATABASES ONLY: bulk-insert synthetic accounts, contacts, "
        "services, agents, tickets (about four messages each, over the last three years) and "
        "knowledge-base articles for bench/run.py, into the database of DATABASE_URL, in one "
        "transaction (an interrupted seed leaves nothing; run it again). Refuses a database "
        "that already has tickets unless --force. Every seeded login has the password "
        f"'{BENCH_PASSWORD}'; the agent of every department is {BENCH_AGENT_EMAIL}."
    )
    parser.add_argument(
        "--tickets",
        type=int,
        default=DEFAULT_TICKETS,
        help=f"tickets to create (default {DEFAULT_TICKETS})",
    )
    parser.add_argument(
        "--accounts", type=int, default=None, help="client accounts (default tickets/20)"
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--batch-size", type=int, default=10_000, help="tickets per COPY or INSERT batch"
    )
    parser.add_argument(
        "--force", action="store_true", help="add tickets even though the database has some"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    django_setup()
    options = arguments(argv)
    try:
        seed_database(
            tickets=options.tickets,
            accounts=options.accounts,
            seed=options.seed,
            batch_size=options.batch_size,
            force=options.force,
        )
    except SeedRefused as error:
        sys.exit(f"bench/seed.py: {error}")


if __name__ == "__main__":
    main()
