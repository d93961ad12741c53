"""`chamado worker`: the background task worker plus the scheduler of periodic tasks."""

from typing import Any

from django.core.management.base import BaseCommand

from chamado.ops.processes import STOP_TIMEOUT, Child, chamado_command, supervise


class Command(BaseCommand):
    help = "Run the task worker (db_worker) and the scheduler (crontask, one per installation)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-scheduler", action="store_true", help="Run tasks only.")

    def handle(self, *args: Any, no_scheduler: bool = False, **options: Any) -> None:
        # Both are restarted if they end: the scheduler stops when its Redis lock is lost.
        children = [
            Child(chamado_command("db_worker", "--queue-name", "*", "--no-reload"), essential=False)
        ]
        if not no_scheduler:
            children.append(Child(chamado_command("scheduler"), essential=False))
        # db_worker finishes the task in hand on SIGTERM: leave it time before a kill.
        raise SystemExit(supervise(children, stop_timeout=STOP_TIMEOUT))
