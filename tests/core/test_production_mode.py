"""Production mode (DEBUG off, a site that is not this machine): secure by default, and
Django's deployment check has nothing to say."""

import json
import os
import subprocess
import sys
from pathlib import Path

PRODUCTION = {"DEBUG": "0", "SITE_URL": "https://help.example.com"}
SHOW = (
    "from django.conf import settings as s; import json; print(json.dumps({"
    "'hosts': s.ALLOWED_HOSTS, 'secure': s.SESSION_COOKIE_SECURE and s.CSRF_COOKIE_SECURE,"
    "'hsts': s.SECURE_HSTS_SECONDS, 'redirect': s.SECURE_SSL_REDIRECT,"
    "'origins': s.CSRF_TRUSTED_ORIGINS}))"
)


def chamado(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "chamado.config.settings",
        "CHAMADO_VAR": str(tmp_path),
        **env,
    }
    for name in (
        "SECRET_KEY",
        "DATABASE_URL",
        "REDIS_URL",
        "ALLOWED_HOSTS",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    ):
        environment.pop(name, None)  # a fresh machine: SQLite, a key generated into var/
    return subprocess.run(
        [sys.executable, "-m", "chamado.cli", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


def test_the_deployment_check_reports_nothing_in_production(tmp_path: Path) -> None:
    result = chamado(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_defaults(tmp_path: Path) -> None:
    result = chamado(tmp_path, "shell", "-c", SHOW, **PRODUCTION)
    shown = json.loads(result.stdout.strip().splitlines()[-1])
    assert shown["hosts"] == ["help.example.com"]  # no testserver, no localhost
    assert shown["secure"] and shown["redirect"] and shown["hsts"] >= 31_536_000
    assert shown["origins"] == ["https://help.example.com"]


def test_one_machine_defaults_stay_easy(tmp_path: Path) -> None:
    result = chamado(tmp_path, "shell", "-c", SHOW, DEBUG="0")
    shown = json.loads(result.stdout.strip().splitlines()[-1])
    assert "testserver" not in shown["hosts"] and "127.0.0.1" in shown["hosts"]
    assert not shown["secure"] and shown["hsts"] == 0
