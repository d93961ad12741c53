"""A real SMTP server on loopback (aiosmtpd) and settings that send to it."""

import asyncio
import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Inbox:
    """What the SMTP server accepted: parsed messages and their envelope recipients."""

    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[list[str]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(parsed)  # type: ignore[arg-type]
        self.envelopes.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m, rcpt in zip(self.messages, self.envelopes, strict=True) if address in rcpt]


@dataclass
class HoldingInbox(Inbox):
    """An inbox whose server stops answering RCPT for the first email to each address in
    ``hold`` until ``release``: the client is left mid-send, connected and waiting, as with a
    slow server."""

    hold: set[str] = field(default_factory=set)
    holding: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.hold:
            self.hold.discard(address)  # once: the next email to it goes through
            self.holding.set()
            await asyncio.get_running_loop().run_in_executor(None, self.released.wait, 120)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    def release(self) -> None:
        self.released.set()


@dataclass
class SmtpServer:
    port: int
    inbox: Inbox
    controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def mailers_for(port: int) -> dict[str, Any]:
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[SmtpServer]:
    """A running SMTP server; settings.MAILERS sends to it (the test runner forces locmem)."""
    server = SmtpServer(port=free_port(), inbox=Inbox())
    server.start()
    settings.MAILERS = mailers_for(server.port)
    yield server
    server.stop()


@pytest.fixture
def smtp_down(settings: Any) -> Iterator[SmtpServer]:
    """Mail goes to a loopback port where nothing listens; call .start() to bring it up."""
    server = SmtpServer(port=free_port(), inbox=Inbox())
    settings.MAILERS = mailers_for(server.port)
    yield server
    server.stop()
