"""Running `chamado` as real processes against a database they share with the test.

On PostgreSQL that is the test database itself (the test must be transactional, so what the
processes commit is visible and flushed afterwards). SQLite's test database lives in memory,
out of reach of another process: there a fresh file database is migrated for the test."""

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.db import connection

REPO_ROOT = Path(__file__).resolve().parents[2]
# The installed `chamado` command, as an MTA runs it (the module when it is not installed).
_SCRIPT = Path(sys.executable).with_name("chamado")
CHAMADO = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "chamado.cli"]

# Run in a process: build the people and tickets of tests/inbox/conftest.py, lift the flood
# limits (the same sender writes many times here), and print the placeholders as JSON.
SEED = """
import json, django
django.setup()
from chamado.inbox.models import InboxPolicy
from chamado.tickets.models import Policy
from tests.inbox.conftest import mail_world_build
world = mail_world_build()
InboxPolicy.objects.update_or_create(pk=1, defaults={"sender_max_per_hour": 1000})
Policy.objects.update_or_create(pk=1, defaults={"flood_max_messages": 1000})
print(json.dumps({"placeholders": world.placeholders(), "ticket": world.ticket.pk}))
"""


def postgres_url(settings: dict[str, Any]) -> str:
    user = quote(settings.get("USER") or "")
    password = f":{quote(settings['PASSWORD'])}" if settings.get("PASSWORD") else ""
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"


@dataclass
class Processes:
    env: dict[str, str]

    def run(
        self, *args: str, stdin: bytes | None = None, timeout: float = 120
    ) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [*CHAMADO, *args],
            input=stdin,
            capture_output=True,
            env=self.env,
            cwd=REPO_ROOT,
            timeout=timeout,
        )

    def start(self, *args: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [*CHAMADO, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=self.env,
            cwd=REPO_ROOT,
        )

    def python(self, code: str) -> Any:
        """Run ``code`` in a process with Django's settings; its last line of output is JSON."""
        result = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            env=self.env,
            cwd=REPO_ROOT,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr.decode(errors="replace")
        return json.loads(result.stdout.decode().strip().splitlines()[-1])


def _environment(tmp_path: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "EMAIL_URL"} and not key.startswith("PYTEST")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="chamado.config.settings",
        CHAMADO_VAR=str(tmp_path / "var"),
        MEDIA_ROOT=str(tmp_path / "media"),
        EMAIL_URL=f"eml://{tmp_path / 'outbox'}",
        SECRET_KEY="inbox-processes-test-secret-key-0123456789",
        PYTHONPATH=str(REPO_ROOT),
    )
    return env


def processes_for_test(tmp_path: Path) -> Processes:
    """Processes on the database this test sees (see the module's docstring)."""
    env = _environment(tmp_path)
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = postgres_url(connection.settings_dict)
        return Processes(env)
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'chamado.sqlite3'}"
    processes = Processes(env)
    migrated = processes.run("migrate", "--no-input", "-v", "0")
    assert migrated.returncode == 0, migrated.stderr.decode(errors="replace")
    return processes


def processes_without_database(tmp_path: Path, port: int) -> Processes:
    """Processes whose PostgreSQL is a loopback port where nothing listens."""
    env = _environment(tmp_path)
    env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:{port}/chamado"
    return Processes(env)


def fill(raw: bytes, placeholders: dict[str, str]) -> bytes:
    for placeholder, value in placeholders.items():
        raw = raw.replace(placeholder.encode(), value.encode())
    return raw
