"""docs/DEPLOY.md and deploy/ stay true where a test can tell: the variables are the ones the
settings read, the compose file parses and runs commands that exist with options they take, the
Containerfile copies files that exist, the proxies' size limit is the policy's."""

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
from django.core.management import get_commands, load_command_class

from chamado.tickets.models import Policy

ROOT = Path(__file__).resolve().parent.parent.parent
DEPLOY = ROOT / "deploy"
DOC = (ROOT / "docs" / "DEPLOY.md").read_text()
SETTINGS = (ROOT / "chamado" / "config" / "settings.py").read_text()


def settings_variables() -> set[str]:
    """Every variable settings.py reads: env.str("X", ...), env.db("X"), env.list(\n "X"...)."""
    return set(re.findall(r'\benv\.\w+\(\s*"([A-Z][A-Z0-9_]*)"', SETTINGS))


def documented_variables() -> set[str]:
    section = DOC.split("## Environment variables", 1)[1].split("\n## ", 1)[0]
    names: set[str] = set()
    for row in section.splitlines():
        if row.startswith("| `"):
            names.update(re.findall(r"`([A-Z][A-Z0-9_]*)`", row.split("|")[1]))
    return names


def test_the_settings_read_some_variables() -> None:
    # The parser itself: a multi-line call and the storage's family are found.
    assert {"ALLOWED_HOSTS", "DATABASE_URL", "AWS_S3_ENDPOINT_URL", "LOG_FORMAT"} <= (
        settings_variables()
    )


def test_every_variable_the_settings_read_is_documented_and_no_other() -> None:
    documented, read = documented_variables(), settings_variables()
    assert read - documented == set(), "read by settings.py, missing from docs/DEPLOY.md"
    assert documented - read == set(), "in docs/DEPLOY.md, never read by settings.py"


def _env_file(path: Path) -> dict[str, str]:
    pairs = [line.split("=", 1) for line in path.read_text().splitlines() if "=" in line]
    return {key.strip(): value for key, value in pairs if not key.lstrip().startswith("#")}


def test_the_example_environments_name_only_variables_chamado_reads() -> None:
    example = _env_file(DEPLOY / "chamado.env.example")
    assert {"SITE_URL", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "STORAGE_URL"} <= set(example)
    assert set(example) <= settings_variables()
    chamado = _compose()["x-chamado"]["environment"]
    assert set(chamado) <= settings_variables()
    assert chamado["REDIS_URL"].startswith("redis://")
    assert chamado["STORAGE_URL"].startswith("s3://")


def _compose() -> dict[str, Any]:
    yaml = pytest.importorskip("yaml")
    return dict(yaml.safe_load((DEPLOY / "compose.yaml").read_text()))


def _command_parses(argv: list[str]) -> None:
    """``chamado <command> <options>``: the command exists and takes these options (a wrong
    one raises CommandError)."""
    assert argv[0] == "chamado", argv
    name, *options = argv[1:]
    commands = get_commands()
    assert name in commands, f"no command {name}"
    command = load_command_class(commands[name], name)
    command.create_parser("chamado", name).parse_args(options)


def test_the_compose_file_runs_the_topology_with_commands_that_exist() -> None:
    compose = _compose()
    services = compose["services"]
    assert {"web-1", "web-2", "worker-1", "worker-2", "postgres", "redis", "minio"} <= set(services)
    for name in ("web-1", "web-2", "worker-1", "worker-2", "migrate"):
        service = services[name]
        assert service["build"]["dockerfile"] == "deploy/Containerfile"
        assert (DEPLOY / service["build"]["context"]).resolve() == ROOT.resolve()
        _command_parses(service["command"])
    assert services["web-1"]["command"][:2] == ["chamado", "serve"]
    assert "--no-worker" in services["web-1"]["command"]
    assert services["worker-1"]["command"][:2] == ["chamado", "worker"]
    # Every Chamado process waits for the migrations; the proxy sends to both web processes.
    assert services["web-1"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )
    assert services["proxy"]["environment"]["CHAMADO_UPSTREAMS"].split() == [
        "web-1:8000",
        "web-2:8000",
    ]
    for volume in services["proxy"]["volumes"]:
        source = volume.split(":")[0]
        if source.startswith("./"):
            assert (DEPLOY / source).exists(), source


def _containerfile() -> list[str]:
    """The Containerfile's instructions, continuation lines joined."""
    text = (DEPLOY / "Containerfile").read_text().replace("\\\n", " ")
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


def test_the_containerfile_copies_what_exists_and_runs_commands_that_exist() -> None:
    instructions = _containerfile()
    assert instructions[0] == "FROM python:3.13-slim"
    for line in instructions:
        if line.startswith("COPY "):
            for source in line.split()[1:-1]:
                assert (ROOT / source).exists(), source
        if line.startswith("RUN "):
            for step in line.removeprefix("RUN ").split("&&"):
                words = shlex.split(step)
                words = [w for w in words if not re.match(r"^[A-Z_]+=", w)]  # VAR=value prefix
                if words and words[0] == "chamado":
                    _command_parses(words)
    assert any(line.startswith("RUN pip install -r requirements.lock") for line in instructions)
    assert any("collectstatic" in line for line in instructions)
    assert "USER chamado" in instructions
    cmd = next(line for line in instructions if line.startswith("CMD "))
    import json

    _command_parses(json.loads(cmd.removeprefix("CMD ")))


@pytest.mark.parametrize("unit", ["chamado-web.service", "chamado-worker.service"])
def test_the_systemd_units_run_commands_that_exist(unit: str) -> None:
    text = (DEPLOY / "systemd" / unit).read_text()
    start = re.search(r"^ExecStart=(.*)$", text, re.MULTILINE)
    assert start is not None
    argv = shlex.split(start.group(1))
    assert argv[0].endswith("/bin/chamado")
    _command_parses(["chamado", *argv[1:]])
    assert "EnvironmentFile=/etc/chamado/chamado.env" in text


def test_the_proxies_refuse_what_the_policy_refuses() -> None:
    limit = Policy().request_max_bytes  # the defaults: what a new installation has
    mib = limit // (1024 * 1024)
    assert mib * 1024 * 1024 == limit
    nginx = (DEPLOY / "nginx" / "chamado.conf").read_text()
    caddy = (DEPLOY / "caddy" / "Caddyfile").read_text()
    assert re.search(rf"client_max_body_size {mib}m;", nginx)
    assert re.search(rf"max_size {mib}MiB", caddy)
    assert f"**{mib} MB**" in DOC
    for proxy in (nginx, caddy):
        assert "X-Request-ID" in proxy
    assert "X-Forwarded-Proto $scheme" in nginx


def test_the_page_is_linked_from_the_readme_and_the_architecture() -> None:
    for page in ("README.md", "docs/ARCHITECTURE.md"):
        assert "DEPLOY.md" in (ROOT / page).read_text(), page
    for linked in re.findall(r"\]\(\.\./(deploy/[^)]+)\)", DOC):
        assert (ROOT / linked).exists(), linked


def test_every_command_and_option_the_page_names_exists() -> None:
    mentions = re.findall(r"\bchamado ([a-z_]+)((?: --?[a-z][a-z-]*(?:[ =][^`\s-][^`\s]*)?)*)", DOC)
    assert len(mentions) > 5
    commands = get_commands()
    for name, rest in mentions:
        if name in {"serve", "worker", "migrate", "sqlmigrate", "mail_pipe", "mail_poll"}:
            assert name in commands, name
            parser = load_command_class(commands[name], name).create_parser("chamado", name)
            for option in re.findall(r"--[a-z][a-z-]*", rest):
                assert option in parser._option_string_actions, f"chamado {name} {option}"
    named = {name for name, _ in mentions}
    assert {"serve", "worker", "migrate"} <= named


def test_the_serve_options_the_page_lists_exist() -> None:
    paragraph = DOC.split("`chamado serve` options:", 1)[1].split("\n\n", 1)[0]
    commands = get_commands()
    options: set[str] = set()
    for name in ("serve", "worker"):
        parser = load_command_class(commands[name], name).create_parser("chamado", name)
        options |= set(parser._option_string_actions)
    listed = set(re.findall(r"--[a-z][a-z-]*", paragraph))
    assert len(listed) >= 4
    assert listed <= options
