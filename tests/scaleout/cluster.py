"""Real web and worker processes sharing PostgreSQL, Redis and the file storage, for the
scale-out tests (CHAMADO_SCALEOUT=1, the third pass of .ci/run).

- The database: a fresh PostgreSQL database of the test's own, migrated, which this process's
  ORM uses too (`tests.mail.processes.shared_database`), dropped at the end.
- Redis: the configured server (REDIS_URL), in a logical database the test claims empty and
  empties at the end, so the cache keys and the scheduler's lock ("crontask-lock") of two
  tests running at once never meet; as two installations sharing one Redis must do.
- Files: the test's own MEDIA_ROOT, or its own key prefix in the S3 bucket when the suite runs
  on S3 (`tests.object_storage.storage_environment`).
- Mail: a real SMTP server in this process (aiosmtpd) that every worker sends to.
"""

import http.client
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

from bench.forms import forms_of, multipart

ROOT = Path(__file__).resolve().parent.parent.parent
CLAIM_KEY = "chamado-scaleout:claim"
TIMEOUT = 60.0  # seconds a request may take


def skip_reason() -> str | None:
    """Why the scale-out tests cannot run here, or None."""
    if os.environ.get("CHAMADO_SCALEOUT") != "1":
        return (
            "scale-out tests run real web and worker processes: set CHAMADO_SCALEOUT=1 with "
            "DATABASE_URL (PostgreSQL) and REDIS_URL, as the third pass of .ci/run does"
        )
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        return "scale-out tests need DATABASE_URL=postgres://... (every process shares it)"
    if not os.environ.get("REDIS_URL"):
        return "scale-out tests need REDIS_URL (cache, sessions and the scheduler's lock)"
    return None


def wait_for(
    what: str, check: Callable[[], Any], *, timeout: float = 120, every: float = 0.2
) -> Any:
    """Poll ``check`` until it returns something true; fail with ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(every)


# ---- Redis: a logical database of the test's own ------------------------------------------


def _with_db(url: str, number: int) -> str:
    return urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path=f"/{number}"))


@contextmanager
def redis_database(url: str) -> Iterator[str]:
    """A logical database of the Redis at ``url`` that is empty and claimed by this test (a
    key set with NX), emptied when the test ends."""
    import redis

    configured = int(urllib.parse.urlsplit(url).path.strip("/") or 0)
    for number in range(15, 0, -1):
        if number == configured:
            continue
        candidate = _with_db(url, number)
        client = redis.Redis.from_url(candidate)
        if not client.set(CLAIM_KEY, os.getpid(), nx=True, ex=1800):
            continue
        if client.dbsize() != 1:  # someone else's data: leave it alone
            client.delete(CLAIM_KEY)
            client.close()
            continue
        try:
            yield candidate
        finally:
            client.flushdb()
            client.close()
        return
    raise RuntimeError(f"no empty Redis database to claim at {url}")


# ---- Processes ----------------------------------------------------------------------------


def descendants(pid: int) -> list[int]:
    """Every living descendant of ``pid`` (read from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat[stat.rindex(")") + 2 :].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def tree_kill(pid: int) -> None:
    """SIGKILL to ``pid``, its process group and every descendant and their groups."""
    tree = [pid, *descendants(pid)]
    for member in tree:
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(member, signal.SIGKILL)
        with suppress(ProcessLookupError):
            os.kill(member, signal.SIGKILL)


def chamado(*args: str) -> list[str]:
    return [sys.executable, "-m", "chamado.cli", *args]


@dataclass
class Process:
    """A child in its own session: SIGTERM goes to the leader only, as systemd's
    KillMode=mixed does, and the leader stops its own children; SIGKILL takes the leader and
    all its descendants, as when a machine or container dies."""

    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    def start(self) -> None:
        with self.log.open("ab") as handle:
            handle.write(f"\n==== start {self.starts + 1}: {' '.join(self.command)}\n".encode())
            self.process = subprocess.Popen(
                self.command,
                cwd=ROOT,
                env=self.env,
                stdout=handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.starts += 1

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def terminate(self, timeout: float = 90) -> int | None:
        """SIGTERM to the leader, wait; the group is killed if it does not stop in time."""
        if not self.running:
            return None
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired as late:
            self.kill()
            raise AssertionError(
                f"{self.name} did not stop within {timeout} s of SIGTERM"
            ) from late

    def kill(self) -> None:
        """SIGKILL to the process and every descendant (`chamado worker` starts its children
        in process groups of their own), as when a machine or container dies."""
        if self.process is None:
            return
        tree_kill(self.process.pid)
        self.process.wait()

    def group_stop(self) -> None:
        """At the end of a test: nothing of it may outlive it."""
        if self.process is None:
            return
        if self.running:
            with suppress(AssertionError):
                self.terminate(timeout=30)
        tree_kill(self.process.pid)  # an orphaned child or grandchild

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@dataclass
class Cluster:
    """Starts and stops the processes of one test, all with the same environment."""

    env: dict[str, str]
    folder: Path
    processes: list[Process] = field(default_factory=list)

    def web(self, name: str, *, workers: int = 2) -> "Web":
        from tests.object_storage import free_port

        port = free_port()
        command = [
            sys.executable,
            *("-m", "gunicorn", "chamado.config.wsgi"),
            *("--bind", f"127.0.0.1:{port}", "--workers", str(workers)),
            *("--no-control-socket", "--log-level", "warning", "--graceful-timeout", "30"),
        ]
        web = Web(name, command, {**self.env}, self.folder / f"{name}.log", port=port)
        self.processes.append(web)
        return web

    def worker(self, name: str, *args: str, env: dict[str, str] | None = None) -> Process:
        process = Process(
            name, chamado("worker", *args), {**self.env, **(env or {})}, self.folder / f"{name}.log"
        )
        self.processes.append(process)
        return process

    def process(self, name: str, command: list[str], env: dict[str, str] | None = None) -> Process:
        process = Process(name, command, {**self.env, **(env or {})}, self.folder / f"{name}.log")
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in self.processes:
            process.group_stop()

    def logs(self) -> str:
        """Every process's log, for a failure message."""
        return "\n".join(f"---- {p.name}\n{p.output()[-6000:]}" for p in self.processes)


@dataclass
class Web(Process):
    port: int = 0

    def start(self) -> None:
        super().start()

    def wait_up(self) -> None:
        def answers() -> bool:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"{self.name} exited:\n{self.output()[-4000:]}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/healthz")
                return connection.getresponse().status == 200
            except OSError:
                return False

        wait_for(f"{self.name} to answer on port {self.port}", answers, timeout=120)


# ---- A browser over http.client ------------------------------------------------------------


@dataclass
class Response:
    status: int
    location: str
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Browser:
    """Cookies, CSRF tokens and one-time submission keys read from the forms, as a browser
    sends them; any web process may be asked (``port`` per request)."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def request(
        self, port: int, method: str, path: str, body: bytes = b"", content_type: str = ""
    ) -> Response:
        headers = {"User-Agent": "chamado-scaleout", "Accept-Language": "en"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            headers["Content-Type"] = content_type
            headers["Content-Length"] = str(len(body))
            headers["Origin"] = f"http://127.0.0.1:{port}"
            headers["Referer"] = f"http://127.0.0.1:{port}{path}"
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        try:
            connection.request(method, path, body=body or None, headers=headers)
            answer = connection.getresponse()
            raw = answer.read()
            for header in answer.headers.get_all("Set-Cookie") or []:
                cookie = SimpleCookie()
                cookie.load(header)
                for name, morsel in cookie.items():
                    if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.coded_value
            return Response(answer.status, answer.getheader("Location", "") or "", raw)
        finally:
            connection.close()

    def get(self, port: int, path: str) -> Response:
        return self.request(port, "GET", path)

    def post(
        self,
        port: int,
        path: str,
        fields: dict[str, str],
        files: list[tuple[str, str, bytes]] | None = None,
    ) -> Response:
        if files is None:
            body = urllib.parse.urlencode(fields).encode()
            return self.request(port, "POST", path, body, "application/x-www-form-urlencoded")
        body, content_type = multipart(fields, files)
        return self.request(port, "POST", path, body, content_type)

    def form(
        self, port: int, path: str, choose: Callable[[dict[str, Any]], bool]
    ) -> dict[str, Any]:
        page = self.get(port, path)
        assert page.status == 200, f"GET {path}: {page.status}"
        found = next((f for f in forms_of(page.text) if choose(f)), None)
        assert found is not None, f"no such form on {path}"
        return found

    def login(self, port: int, email: str, password: str) -> None:
        form = self.form(port, "/accounts/login/", lambda f: "password" in f["fields"])
        fields = {**form["fields"], "login": email, "password": password}
        answer = self.post(port, "/accounts/login/", fields)
        assert answer.status == 302 and "sessionid" in self.cookies, (
            f"login as {email}: {answer.status} {answer.text[:500]}"
        )

    def ticket_form(self, port: int) -> dict[str, str]:
        """The new-ticket form's fields, its one-time submission key included."""
        form = self.form(port, "/tickets/open/support/", lambda f: f["id"] == "ticket-form")
        fields = dict(form["fields"])
        services = [v for v in form["options"].get("service", []) if v]
        if services:
            fields["service"] = services[0]
        return fields

    def ticket_open(
        self, port: int, fields: dict[str, str], subject: str, files: list[tuple[str, str, bytes]]
    ) -> int | None:
        """Posts the form; the ticket's number when the server acknowledged it (302 to its
        confirmation page), None otherwise."""
        fields = {**fields, "subject": subject, "message": f"{subject}: the site answers 500."}
        answer = self.post(port, "/tickets/open/support/", fields, files)
        found = re.fullmatch(r"/tickets/(\d+)/created/", answer.location)
        return int(found.group(1)) if answer.status == 302 and found else None

    def reply_form(self, port: int, number: int) -> dict[str, str]:
        path = f"/tickets/{number}/"
        form = self.form(port, path, lambda f: f["method"] == "post" and "message" in f["fields"])
        return dict(form["fields"])

    def reply(self, port: int, number: int, fields: dict[str, str], text: str) -> bool:
        """True when the server acknowledged the reply (302 back to the ticket)."""
        path = f"/tickets/{number}/"
        answer = self.post(port, path, {**fields, "message": text}, [])
        return answer.status == 302 and answer.location == path
