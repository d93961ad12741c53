"""`chamado serve`: gunicorn on HOST:PORT plus the task worker, static files by WhiteNoise."""

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from chamado.accounts.models import User
from chamado.ops.processes import Child, chamado_command, supervise

DEMO_LOGINS = [
    ("client@example.com", "demo-client-pass"),
    ("contact@example.com", "demo-contact-pass"),
    ("finance@example.com", "demo-finance-pass"),
    ("other@example.com", "demo-other-pass"),
    ("agent@example.com", "demo-agent-pass"),
    ("billing@example.com", "demo-billing-pass"),
    ("admin@example.com", "demo-admin-pass"),
]


class Command(BaseCommand):
    help = "Serve Chamado with gunicorn and run the background worker beside it."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--bind", default=None, help="HOST:PORT (default HOST, PORT)")
        parser.add_argument("--host", default=None)
        parser.add_argument("--port", type=int, default=None)
        parser.add_argument(
            "--web-workers",
            "--workers",
            dest="workers",
            type=int,
            default=None,
            help="gunicorn workers (default WEB_WORKERS)",
        )
        parser.add_argument(
            "--task-workers",
            type=int,
            default=1,
            help="`chamado worker` processes beside the web server (1; 0: web only); the "
            "first also runs the scheduler",
        )
        parser.add_argument("--no-worker", action="store_true", help="web only (--task-workers 0)")
        parser.add_argument(
            "--graceful-timeout",
            type=int,
            default=30,
            help="seconds a stop (SIGTERM, Ctrl+C) leaves requests in flight and tasks in hand",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host = options["host"] or settings.HOST
        port = options["port"] or settings.PORT
        if options["bind"]:
            bound_host, _sep, bound_port = options["bind"].rpartition(":")
            if not bound_host or not bound_port.isdigit():
                raise CommandError("--bind takes HOST:PORT, such as 0.0.0.0:8000")
            host, port = bound_host, int(bound_port)
        workers = options["workers"] or settings.WEB_WORKERS
        task_workers = 0 if options["no_worker"] else max(options["task_workers"], 0)
        grace = max(options["graceful_timeout"], 1)
        call_command("collectstatic", interactive=False, verbosity=0)
        gunicorn = [
            *chamado_command()[:1],
            "-m",
            "gunicorn",
            "chamado.config.wsgi",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--graceful-timeout",
            str(grace),
            "--access-logfile",
            "-",
        ]
        children = [Child(gunicorn)]
        for n in range(task_workers):
            # One scheduler whatever the count (it also takes a lock across machines).
            extra = ["--no-scheduler"] if n else []
            children.append(Child(chamado_command("worker", *extra), essential=False))
        self.stdout.write(self.style.SUCCESS(f"Chamado is at http://{host}:{port}/"))
        if User.objects.filter(email=DEMO_LOGINS[0][0]).exists():
            self.stdout.write("Demo logins (email / password):")
            for email, password in DEMO_LOGINS:
                self.stdout.write(f"  {email:24} {password}")
            if settings.CHAMADO_REQUIRE_2FA:
                self.stdout.write(
                    "Agents and administrators must set up two-factor sign-in at their first "
                    "login (CHAMADO_REQUIRE_2FA=0 turns that off, as `make run` does)."
                )
        self.stdout.write("Press Ctrl+C to stop.")
        raise SystemExit(supervise(children, stop_timeout=grace + 5))
