"""`chamado seed_bench`: the benchmark's seeder, run from a source checkout. The seeder itself
(bench/seed.py and its data, with the fixed password of every seeded login) is not part of the
package, so an installation has none of it."""

import importlib
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

# chamado/ops/management/commands/ -> the checkout (or site-packages, where bench/ is not).
CHECKOUT = Path(__file__).resolve().parents[4]


class Command(BaseCommand):
    help = (
        "FOR BENCHMARK DATABASES ONLY: bench/seed.py of a source checkout on this database, "
        "in one transaction, with a progress bar (1,000,000 tickets unless --tickets)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--tickets", type=int, help="tickets to create (1,000,000)")
        parser.add_argument("--accounts", type=int, help="client accounts (tickets/20)")
        parser.add_argument("--seed", type=int, help="random seed (0)")
        parser.add_argument("--batch-size", type=int, help="tickets per COPY or INSERT batch")
        parser.add_argument("--force", action="store_true", help="even if there are tickets")

    def handle(self, *args: Any, **options: Any) -> None:
        seed_args = [
            f"--{name.replace('_', '-')}={options[name]}"
            for name in ("tickets", "accounts", "seed", "batch_size")
            if options[name] is not None
        ] + (["--force"] if options["force"] else [])
        if not (CHECKOUT / "bench" / "seed.py").is_file():
            raise CommandError(
                "seed_bench runs from a source checkout of Chamado (bench/seed.py): the "
                "benchmark's seeder is not part of the installed package."
            )
        if str(CHECKOUT) not in sys.path:
            sys.path.insert(0, str(CHECKOUT))
        # A checkout's module, never the package's (and not type-checked with it).
        importlib.import_module("bench.seed").main(seed_args)
