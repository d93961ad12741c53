"""`chamado demo`: the demo logins, accounts, services and tickets. Never for production."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from chamado.accounts.models import Account, User
from chamado.ops.demo import DEMO_MARKER_EMAIL, demo_load


class Command(BaseCommand):
    help = "Load the demo accounts, logins, tickets and articles (refuses to run twice)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Load only into a database without accounts; otherwise do nothing.",
        )

    def handle(self, *args: Any, if_empty: bool = False, **options: Any) -> None:
        if if_empty and (Account.objects.exists() or User.objects.exists()):
            self.stdout.write("The database already has data: demo data not loaded.")
            return
        if User.objects.filter(email=DEMO_MARKER_EMAIL).exists():
            raise CommandError("The demo data is already loaded; it is not loaded twice.")
        with transaction.atomic(), tqdm(desc="Demo data", unit="step") as bar:
            demo_load(progress=bar.update)
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
