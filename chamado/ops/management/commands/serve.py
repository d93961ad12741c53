"""`chamado serve`: gunicorn on HOST:PORT plus the task worker, static files by WhiteNoise."""

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

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
        parser.add_argument("--host", default=None)
        parser.add_argument("--port", type=int, default=None)
        parser.add_argument("--workers", type=int, default=None, help="gunicorn workers")
        parser.add_argument("--no-worker", action="store_true", help="web only")

    def handle(self, *args: Any, **options: Any) -> None:
        host = options["host"] or settings.HOST
        port = options["port"] or settings.PORT
        workers = options["workers"] or settings.WEB_WORKERS
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
            "--access-logfile",
            "-",
        ]
        children = [Child(gunicorn)]
        if not options["no_worker"]:
            children.append(Child(chamado_command("worker"), essential=False))
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
        raise SystemExit(supervise(children))
