"""Sending webhooks to a real HTTP server on loopback: signed as documented, retried on
schedule, redirects never followed, private addresses refused before any connection."""

import json
import re
import socket
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from chamado.hooks.guard import Target
from chamado.hooks.models import AllowedHost, Attempt, Delivery, Endpoint, Event
from chamado.hooks.send import post
from chamado.hooks.tasks import SCHEDULE, SEND_LEASE, WORKER_LOST, deliveries_reclaim
from chamado.hooks.tasks import hook_delivery_send as send_task
from chamado.tickets.actions import ticket_reply_by_agent
from tests import factories
from tests.hooks.conftest import Answer, HookServer
from tests.worker import worker_run

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[2] / "docs" / "WEBHOOKS.md"
SEND_PATH = "chamado.hooks.tasks.hook_delivery_send"


def documented_verify() -> Callable[[str, str, str, bytes], bool]:
    """The verification snippet of docs/WEBHOOKS.md, run as a receiver would."""
    blocks = re.findall(r"```python\n(.*?)```", DOCS.read_text(), re.DOTALL)
    (snippet,) = [block for block in blocks if "def verify" in block]
    namespace: dict[str, Any] = {}
    exec(snippet, namespace)
    return namespace["verify"]


def verified(endpoint: Endpoint, request: Any) -> bool:
    headers = request.headers
    return documented_verify()(
        endpoint.secret, headers["Chamado-Timestamp"], headers["Chamado-Signature"], request.body
    )


def queued_attempts(delivery: Delivery) -> list[int]:
    """The attempts of ``delivery`` waiting in the task queue."""
    return sorted(
        task.args_kwargs["args"][1]
        for task in DBTaskResult.objects.filter(task_path=SEND_PATH, status="READY")
        if task.args_kwargs["args"][0] == delivery.pk
    )


@pytest.fixture
def no_connections(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every outgoing connection attempt is recorded and fails: a refused target must not
    even be connected to."""
    tried: list[Any] = []

    def refuse(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        tried.append(address)
        raise ConnectionRefusedError("the test allows no connection")

    monkeypatch.setattr(socket, "create_connection", refuse)
    return tried


@pytest.fixture
def resolver(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Names the test resolves itself (no DNS query leaves the machine): name -> addresses."""
    names: dict[str, list[str]] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        if host not in names:
            return real(host, port, *args, **kwargs)
        names.setdefault(f"{host}:looked-up", []).append(str(port))
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0))
            if ":" in address
            else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))
            for address in names[host]
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return names


@pytest.mark.django_db(transaction=True)
def test_a_ticket_opened_through_the_action_is_posted_by_the_worker_signed_as_documented(
    hook_server: HookServer,
) -> None:
    AllowedHost.objects.create(host="127.0.0.1")
    endpoint = Endpoint.objects.create(name="CRM", url=hook_server.url(), events=Event.values)
    owner = factories.OwnerFactory(full_name="Ana Souza")
    service = factories.ServiceFactory(account=owner.account, label="acme.com.br")
    ticket = factories.open_ticket(owner, service=service, department=factories.department())
    assert hook_server.received == [], "nothing is sent inside the action"

    worker_run()

    (request,) = hook_server.received
    delivery = Delivery.objects.get()
    assert request.path == "/hook"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["User-Agent"] == "Chamado-Webhooks/1"
    assert request.headers["Chamado-Event"] == "ticket.created"
    assert request.headers["Chamado-Delivery"] == str(delivery.pk)
    assert abs(int(request.headers["Chamado-Timestamp"]) - time.time()) < 60
    assert request.headers["Chamado-Signature"].startswith("v1=")
    assert verified(endpoint, request)
    assert not documented_verify()(
        "another secret",
        request.headers["Chamado-Timestamp"],
        request.headers["Chamado-Signature"],
        request.body,
    )
    assert not documented_verify()(
        endpoint.secret,
        request.headers["Chamado-Timestamp"],
        request.headers["Chamado-Signature"],
        request.body + b" ",
    )
    stale = str(int(time.time()) - 301)
    assert not documented_verify()(
        endpoint.secret, stale, request.headers["Chamado-Signature"], request.body
    )
    body = json.loads(request.body)
    assert body["event"] == "ticket.created"
    assert body["id"] == str(delivery.event_id)
    assert body["ticket"]["number"] == ticket.number
    assert body["message"]["author"] == "Ana Souza"

    assert delivery.status == Delivery.Status.SENT and delivery.sent_at is not None
    (attempt,) = delivery.tries.all()
    assert (attempt.number, attempt.status_code, attempt.response_excerpt) == (1, 200, "ok")
    assert attempt.error == ""

    worker_run()
    assert len(hook_server.received) == 1, "sent once"


def test_a_500_is_retried_a_minute_later_and_the_retry_succeeds(
    endpoint: Endpoint, hook_server: HookServer, ticket: Any
) -> None:
    hook_server.script = [Answer(500, b"database down")]
    delivery = Delivery.objects.get()
    before = timezone.now()

    assert send_task.call(delivery.pk, 1) == "pending"

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING and delivery.attempts == 1
    assert delivery.next_attempt_at is not None
    assert before + SCHEDULE[0] <= delivery.next_attempt_at <= timezone.now() + SCHEDULE[0]
    assert queued_attempts(delivery) == [1, 2]  # the first one's task was never run here
    retry = DBTaskResult.objects.filter(task_path=SEND_PATH).order_by("enqueued_at").last()
    assert retry is not None and retry.run_after == delivery.next_attempt_at

    assert send_task.call(delivery.pk, 2) == "sent"

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT and delivery.attempts == 2
    assert list(delivery.tries.values_list("number", "status_code", "response_excerpt")) == [
        (1, 500, "database down"),
        (2, 200, "ok"),
    ]
    assert delivery.tries.get(number=1).error == "HTTP 500"
    first, second = hook_server.received
    assert first.body == second.body
    assert first.headers["Chamado-Delivery"] == second.headers["Chamado-Delivery"]
    assert verified(endpoint, first) and verified(endpoint, second)

    assert send_task.call(delivery.pk, 2) == "skipped", "an attempt is sent once"
    assert send_task.call(delivery.pk, 3) == "skipped", "a sent delivery is not sent again"
    assert len(hook_server.received) == 2


def test_failures_follow_the_schedule_then_give_up(
    endpoint: Endpoint, hook_server: HookServer, ticket: Any
) -> None:
    hook_server.script = [Answer(503, b"busy")] * 6
    delivery = Delivery.objects.get()
    waits = []
    for number in range(1, 6):
        assert send_task.call(delivery.pk, number) == "pending"
        delivery.refresh_from_db()
        assert delivery.next_attempt_at is not None
        waits.append(delivery.next_attempt_at - delivery.tries.get(number=number).started_at)
    assert [round(wait.total_seconds() / 60) for wait in waits] == [1, 5, 30, 120, 360]

    assert send_task.call(delivery.pk, 6) == "gave_up"
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.GAVE_UP and delivery.attempts == 6
    assert delivery.next_attempt_at is None
    assert 7 not in queued_attempts(delivery)
    assert len(hook_server.received) == 6


@pytest.mark.parametrize("where", ["other server", "http://169.254.169.254/latest/meta-data/"])
def test_a_redirect_is_recorded_as_a_failure_and_never_followed(
    endpoint: Endpoint, hook_server: HookServer, other_server: HookServer, ticket: Any, where: str
) -> None:
    location = other_server.url("/") if where == "other server" else where
    hook_server.script = [Answer(302, b"moved", {"Location": location})]
    delivery = Delivery.objects.get()

    assert send_task.call(delivery.pk, 1) == "failed"

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    (attempt,) = delivery.tries.all()
    assert attempt.status_code == 302
    assert attempt.error == f"redirect to {location} not followed"
    assert len(hook_server.received) == 1
    assert other_server.received == [], "the redirect was never followed"
    assert queued_attempts(delivery) == [1], "no retry"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:{port}/hook",
        "http://10.0.0.7/hook",
        "http://192.168.1.20:8080/hook",
        "http://[::ffff:127.0.0.1]:{port}/hook",
        "http://[::ffff:169.254.169.254]/",
        "http://[fe80::1]/hook",
        "http://0.0.0.0:{port}/hook",
        "http://100.64.0.1/hook",
        "https://[fd00::1]/hook",
    ],
)
def test_a_private_address_is_refused_before_any_connection(
    url: str, hook_server: HookServer, no_connections: list[Any], owner: Any, service: Any
) -> None:
    endpoint = Endpoint.objects.create(
        name="Inside", url=url.format(port=hook_server.port), events=Event.values
    )
    factories.open_ticket(owner, service=service)
    delivery = Delivery.objects.get(endpoint=endpoint)

    assert send_task.call(delivery.pk, 1) == "failed"

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    (attempt,) = delivery.tries.all()
    assert attempt.error.startswith("refused: ")
    assert "private or reserved address" in attempt.error
    assert attempt.status_code is None
    assert no_connections == []
    assert hook_server.received == []
    assert queued_attempts(delivery) == [1], "a refused target is not retried"


@pytest.mark.parametrize(
    "addresses",
    [
        ["127.0.0.1"],
        ["169.254.169.254"],
        ["::1"],
        ["10.1.2.3"],
        ["93.184.216.34", "10.0.0.1"],  # one private address among public ones is enough
        ["2606:2800:220:1::1", "::ffff:10.0.0.1"],
    ],
)
def test_a_name_resolving_to_a_private_address_is_refused_before_any_connection(
    addresses: list[str],
    resolver: dict[str, list[str]],
    no_connections: list[Any],
    owner: Any,
    service: Any,
) -> None:
    resolver["hooks.example.test"] = addresses
    endpoint = Endpoint.objects.create(
        name="Rebound", url="https://hooks.example.test/in", events=Event.values
    )
    factories.open_ticket(owner, service=service)
    delivery = Delivery.objects.get(endpoint=endpoint)

    assert send_task.call(delivery.pk, 1) == "failed"

    (attempt,) = Delivery.objects.get(pk=delivery.pk).tries.all()
    assert attempt.error.startswith("refused: hooks.example.test resolves to ")
    assert no_connections == []
    assert resolver["hooks.example.test:looked-up"] == ["443"]


def test_an_allowed_name_is_reached_at_the_checked_address_with_its_own_host_header(
    resolver: dict[str, list[str]], hook_server: HookServer, owner: Any, service: Any
) -> None:
    """The name does not exist in any DNS: the request arrives only because the sender
    connects to the address it checked, while the Host header keeps the name."""
    resolver["crm.internal.test"] = ["127.0.0.1"]
    AllowedHost.objects.create(host="CRM.internal.test.", note="the CRM, inside")
    endpoint = Endpoint.objects.create(
        name="CRM",
        url=f"http://crm.internal.test:{hook_server.port}/in?source=chamado",
        events=Event.values,
    )
    factories.open_ticket(owner, service=service)
    delivery = Delivery.objects.get(endpoint=endpoint)

    assert send_task.call(delivery.pk, 1) == "sent"

    (request,) = hook_server.received
    assert request.headers["Host"] == f"crm.internal.test:{hook_server.port}"
    assert request.path == "/in?source=chamado"
    assert verified(endpoint, request)
    assert resolver["crm.internal.test:looked-up"] == [str(hook_server.port)], "resolved once"


def test_connection_refused_is_retried(
    endpoint: Endpoint, hook_server: HookServer, ticket: Any
) -> None:
    hook_server.httpd.shutdown()
    hook_server.httpd.server_close()  # nothing listens on the port any more
    delivery = Delivery.objects.get()

    assert send_task.call(delivery.pk, 1) == "pending"

    (attempt,) = delivery.tries.all()
    assert "ConnectionRefusedError" in attempt.error
    assert queued_attempts(delivery) == [1, 2]


def test_a_deactivated_endpoint_gets_no_more_attempts(
    endpoint: Endpoint, hook_server: HookServer, ticket: Any
) -> None:
    Endpoint.objects.filter(pk=endpoint.pk).update(is_active=False)
    delivery = Delivery.objects.get()
    assert send_task.call(delivery.pk, 1) == "failed"
    assert delivery.tries.get().error == "the endpoint is not active"
    assert hook_server.received == []


def test_a_server_that_never_answers_is_given_up_on_at_the_deadline() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        target = Target(scheme="http", host="127.0.0.1", port=port, path="/")
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            post(target, ["127.0.0.1"], body=b"{}", headers={}, total_timeout=0.3)
        assert time.monotonic() - started < 2


def test_the_reclaim_retries_an_attempt_whose_worker_died_and_requeues_a_lost_task(
    endpoint: Endpoint, ticket: Any, agent: Any
) -> None:
    ticket_reply_by_agent(actor=agent, ticket=ticket, body="We are on it.")
    died, lost = Delivery.objects.order_by("pk")
    long_ago = timezone.now() - SEND_LEASE - timedelta(minutes=1)
    Delivery.objects.filter(pk=died.pk).update(
        attempts=1, claim="a-dead-worker", claimed_at=long_ago, next_attempt_at=None
    )
    Delivery.objects.filter(pk=lost.pk).update(next_attempt_at=long_ago)
    DBTaskResult.objects.all().delete()

    assert deliveries_reclaim() == 2

    died.refresh_from_db()
    assert died.claim == "" and died.status == Delivery.Status.PENDING
    assert Attempt.objects.get(delivery=died).error == WORKER_LOST
    assert queued_attempts(died) == [2]
    assert queued_attempts(lost) == [1]
    assert deliveries_reclaim() == 0, "nothing is queued twice"


def test_only_the_first_2_kb_of_an_answer_are_kept_as_text(
    endpoint: Endpoint, hook_server: HookServer, ticket: Any
) -> None:
    hook_server.script = [Answer(200, b"\x00" + b"a" * 2047 + b"b" * 5000)]
    delivery = Delivery.objects.get()
    assert send_task.call(delivery.pk, 1) == "sent"
    assert delivery.tries.get().response_excerpt == "a" * 2047
