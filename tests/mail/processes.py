"""A database that real worker processes share with the test, and those processes.

pytest-django's SQLite test database lives in this process's memory, where no other process
can reach it; its PostgreSQL one sits inside a transaction (or is flushed under us). So a test
that runs `db_worker` as a real process, and kills it, gets a database of its own: a file
SQLite database, or a fresh PostgreSQL database next to the test one. This process's "default"
connection points at it for the test (the ORM, the actions, the reclaim), the workers get it
through DATABASE_URL, and everything written is committed, as in production.
"""

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.db.utils import load_backend

ROOT = Path(__file__).resolve().parent.parent.parent


@dataclass
class SharedDatabase:
    url: str  # DATABASE_URL for the worker processes
    env: dict[str, str]

    def worker(self, *args: str, smtp_port: int) -> subprocess.Popen[str]:
        """`db_worker` as `chamado worker` runs it (every queue), sending to ``smtp_port``."""
        env = {**self.env, "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}"}
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "chamado.cli",
                "db_worker",
                "--queue-name",
                "*",
                "--no-reload",
                "--no-startup-delay",
                "--interval",
                "0.1",
                *args,
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def worker_batch(self, *, smtp_port: int) -> str:
        """Run every due task in a fresh worker process, then return its output."""
        process = self.worker("--batch", smtp_port=smtp_port)
        output, _ = process.communicate(timeout=120)
        assert process.returncode == 0, output
        return output


def _connection_to(settings_dict: dict[str, Any]) -> Any:
    backend = load_backend(settings_dict["ENGINE"])
    return backend.DatabaseWrapper(settings_dict, alias="default")


def shared_database(
    django_db_blocker: Any, tmp_path: Path, *, template: str | None = None
) -> Iterator[SharedDatabase]:
    """Body of a fixture: yields the shared database, migrated, as this process's default.
    On PostgreSQL, ``template`` names a migrated database to copy instead of migrating."""
    original = connections["default"]
    base = {**original.settings_dict}
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "chamado.config.settings",
        "SECRET_KEY": settings.SECRET_KEY,  # the reply tags the worker signs are checked here
        "CHAMADO_VAR": str(tmp_path / "var"),
        "MESSAGE_ID_DOMAIN": settings.MESSAGE_ID_DOMAIN,
        "DEFAULT_FROM_EMAIL": settings.DEFAULT_FROM_EMAIL,
        "SITE_URL": settings.SITE_URL,
    }
    with django_db_blocker.unblock():
        if base["ENGINE"].endswith("sqlite3"):
            path = tmp_path / "shared.sqlite3"
            settings_dict = {**base, "NAME": str(path)}
            url = f"sqlite:///{path}"
            drop = None
        else:
            name = f"chamado_shared_{uuid.uuid4().hex[:12]}"
            with original._nodb_cursor() as cursor:
                copy = f' TEMPLATE "{template}"' if template else ""
                cursor.execute(f'CREATE DATABASE "{name}"{copy}')
            settings_dict = {**base, "NAME": name}
            parts = urlsplit(os.environ["DATABASE_URL"])
            url = urlunsplit(parts._replace(path=f"/{name}"))
            drop = name
        shared = _connection_to(settings_dict)
        connections["default"] = shared
        try:
            if not (template and drop):
                call_command("migrate", verbosity=0, interactive=False)
            yield SharedDatabase(url=url, env={**env, "DATABASE_URL": url})
        finally:
            shared.close()
            connections["default"] = original
            if drop is not None:
                with original._nodb_cursor() as cursor:
                    cursor.execute(f'DROP DATABASE IF EXISTS "{drop}" WITH (FORCE)')
