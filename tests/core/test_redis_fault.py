"""Redis stopped in the middle of work, then started again: every accepted ticket and message
is stored once, the app keeps answering, and the limits and presence come back with Redis."""

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from chamado.core.ratelimit import rate_peek
from chamado.tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db

BODY = "The site answers 500 since this morning, nothing changed."


class RedisServer:
    def __init__(self, directory: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
        )
        for _attempt in range(100):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait()


@pytest.fixture
def redis_server(tmp_path: Path, settings: Any) -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        pytest.skip("needs redis-server (Debian's redis-server package; .ci/run has it)")
    server = RedisServer(tmp_path)
    server.start()
    settings.CACHES = {
        "default": {
            # The backend production uses with Redis (settings.py): sessions are read from it.
            "BACKEND": "chamado.core.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{server.port}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    yield server
    caches["default"].close()
    if server.process and server.process.poll() is None:
        server.kill()


def test_redis_stopped_mid_work_loses_nothing(redis_server, owner, service, support) -> None:
    client = Client()
    client.force_login(owner)
    url = reverse("portal:ticket_new", args=["support"])

    def open_ticket(subject: str) -> int:
        form = {
            "department": support.pk,
            "subject": subject,
            "service": service.pk,
            "priority": "2",
            "message": BODY,
        }
        return client.post(url, form).status_code

    assert open_ticket("Before the outage") == 302
    first = Ticket.objects.get(subject="Before the outage")
    assert rate_peek("tickets-opened", owner.pk, window=3600) == 1  # counted in Redis

    redis_server.kill()
    assert open_ticket("During the outage") == 302
    during = Ticket.objects.get(subject="During the outage")
    reply = client.post(
        reverse("portal:ticket", args=[first.number]), {"message": "More details, no cache."}
    )
    assert reply.status_code == 302
    assert client.get(reverse("portal:tickets")).status_code == 200

    redis_server.start()
    caches["default"].close()  # the next command reconnects
    # ResilientRedisCache leaves Redis alone for a few seconds after a failure: let them pass.
    caches["default"]._paused_until = 0.0  # type: ignore[attr-defined]
    assert open_ticket("After the outage") == 302
    assert rate_peek("tickets-opened", owner.pk, window=3600) == 1  # a fresh Redis counts again

    subjects = list(Ticket.objects.values_list("subject", flat=True).order_by("pk"))
    assert subjects == ["Before the outage", "During the outage", "After the outage"]
    assert Message.objects.filter(ticket=first, body="More details, no cache.").count() == 1
    assert during.messages.count() == 1
