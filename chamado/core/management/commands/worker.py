"""`chamado worker`: the background task worker plus the scheduler of periodic tasks."""

from typing import Any

from django.core.management.base import BaseCommand

from chamado.core.processes import chamado_command, supervise


class Command(BaseCommand):
    help = "Run the task worker (db_worker) and the scheduler (crontask)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-scheduler", action="store_true", help="Run tasks only.")

    def handle(self, *args: Any, no_scheduler: bool = False, **options: Any) -> None:
        commands = [chamado_command("db_worker", "--queue-name", "*", "--no-reload")]
        if not no_scheduler:
            commands.append(chamado_command("crontask"))
        raise SystemExit(supervise(commands))
