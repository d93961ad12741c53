"""A real HTTP server on loopback (http.server in a thread) that records what it receives and
answers from a script, and an endpoint pointed at it with 127.0.0.1 allowed."""

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from chamado.hooks.models import AllowedHost, Endpoint, Event


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Answer:
    status: int = 200
    body: bytes = b"ok"
    headers: dict[str, str] = field(default_factory=dict)


class HookServer:
    """Answers each request with the next scripted Answer (200 "ok" once they run out)."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.script: list[Answer] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                server.received.append(Received(self.path, dict(self.headers.items()), body))
                answer = server.script.pop(0) if server.script else Answer()
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            do_GET = do_POST

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> "HookServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def hook_server() -> Iterator[HookServer]:
    with HookServer() as server:
        yield server


@pytest.fixture
def other_server() -> Iterator[HookServer]:
    """A second server, where a redirect points: it must never be reached."""
    with HookServer() as server:
        yield server


@pytest.fixture
def loopback_allowed(db: None) -> AllowedHost:
    return AllowedHost.objects.create(host="127.0.0.1", note="the test server")


@pytest.fixture
def endpoint(hook_server: HookServer, loopback_allowed: AllowedHost) -> Endpoint:
    return Endpoint.objects.create(name="CRM", url=hook_server.url(), events=Event.values)
