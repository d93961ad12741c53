"""Exactly once, with real worker processes: a worker killed (SIGKILL) while it sends, a
restart, the reclaim, and every email is delivered once and none stays pending.

django-tasks-db leaves the task of a killed worker RUNNING for ever, and nothing ran it again:
that email was never sent. The Delivery row is the truth now: a worker claims it before
sending, and `deliveries_reclaim` queues again what no live task will send.
"""

import signal
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from chamado.mail.models import Delivery
from chamado.mail.tasks import SEND_LEASE, WORKER_LOST, deliveries_reclaim, delivery_send
from tests import factories
from tests.mail.conftest import HoldingInbox, SmtpServer, free_port
from tests.mail.processes import SharedDatabase, shared_database


@pytest.fixture
def shared_db(django_db_blocker: Any, tmp_path: Path) -> Iterator[SharedDatabase]:
    yield from shared_database(django_db_blocker, tmp_path)


@pytest.fixture
def people(shared_db: SharedDatabase) -> dict[str, Any]:
    owner = factories.OwnerFactory(full_name="Ana Souza", email="ana@acme.example")
    support = factories.department("support")
    first = factories.AgentFactory(full_name="Elisa Rocha", email="elisa@chamado.example")
    second = factories.AgentFactory(full_name="Igor Melo", email="igor@chamado.example")
    support.agents.add(first, second)
    return {"owner": owner, "support": support, "agents": [first, second]}


def open_tickets(people: dict[str, Any], count: int) -> list[Any]:
    return [
        factories.open_ticket(people["owner"], subject=f"Site down, take {n}") for n in range(count)
    ]


def received(inbox: HoldingInbox) -> Counter[str]:
    return Counter(message["Message-ID"] for message in inbox.messages)


def test_a_worker_killed_mid_send_is_reclaimed_and_every_email_goes_out_once(
    shared_db: SharedDatabase, people: dict[str, Any]
) -> None:
    igor = people["agents"][1]
    inbox = HoldingInbox(hold={igor.email})
    server = SmtpServer(port=free_port(), inbox=inbox)
    server.start()
    try:
        open_tickets(people, 3)
        expected = set(Delivery.objects.values_list("email_message_id", flat=True))
        assert len(expected) == 9  # per ticket: the confirmation and two agents' notices

        worker = shared_db.worker(smtp_port=server.port)
        try:
            held = inbox.holding.wait(timeout=120)
        finally:
            worker.kill()  # SIGKILL: no handler runs, nothing is cleaned up
            output, _ = worker.communicate(timeout=60)
        assert held, f"the worker never reached the held address:\n{output}"
        assert worker.returncode == -signal.SIGKILL
        inbox.release()

        # What a killed worker leaves: the delivery claimed, its task RUNNING for ever.
        stuck = Delivery.objects.get(recipient=igor, state=Delivery.State.PENDING, attempts=1)
        assert stuck.claim and stuck.claimed_at is not None
        dead_task = DBTaskResult.objects.get(id=stuck.task_id)
        assert dead_task.status == TaskResultStatus.RUNNING
        sent_before_kill = len(inbox.messages)
        assert stuck.email_message_id not in received(inbox)

        # A restarted worker sends the rest, but never the one a dead worker may be sending.
        output = shared_db.worker_batch(smtp_port=server.port)
        assert len(inbox.messages) == 8, output
        assert len(inbox.messages) > sent_before_kill
        assert stuck.email_message_id not in received(inbox)
        assert deliveries_reclaim() == 0, "the claim is younger than the lease"

        # Once the lease is over, the reclaim frees it and queues it again; its dead task is
        # marked failed, so nothing counts it as running.
        later = timezone.now() + SEND_LEASE + timedelta(minutes=1)
        assert deliveries_reclaim(now=later) == 1
        dead_task.refresh_from_db()
        assert dead_task.status == TaskResultStatus.FAILED
        assert dead_task.exception_class_path == WORKER_LOST
        assert deliveries_reclaim(now=later) == 0, "queued once, not at every run"

        output = shared_db.worker_batch(smtp_port=server.port)
    finally:
        inbox.release()
        server.stop()

    assert received(inbox) == dict.fromkeys(expected, 1), output
    assert not Delivery.objects.exclude(state=Delivery.State.SENT).exists()
    stuck.refresh_from_db()
    assert stuck.attempts == 2 and stuck.claim == "" and stuck.sent_at is not None
    unfinished = DBTaskResult.objects.filter(
        task_path=delivery_send.module_path,
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
    )
    assert not unfinished.exists()


def test_two_workers_with_duplicate_tasks_send_each_email_once(
    shared_db: SharedDatabase, people: dict[str, Any]
) -> None:
    inbox = HoldingInbox()
    server = SmtpServer(port=free_port(), inbox=inbox)
    server.start()
    try:
        open_tickets(people, 4)
        deliveries = list(Delivery.objects.all())
        for delivery in deliveries:  # a retry and a reclaim racing the first task
            delivery_send.enqueue(delivery.pk)
            delivery_send.enqueue(delivery.pk)
        workers = [shared_db.worker("--batch", smtp_port=server.port) for _ in range(2)]
        outputs = [worker.communicate(timeout=120)[0] for worker in workers]
    finally:
        server.stop()

    assert [worker.returncode for worker in workers] == [0, 0], outputs
    assert received(inbox) == {d.email_message_id: 1 for d in deliveries}, outputs
    assert set(Delivery.objects.values_list("state", "attempts")) == {(Delivery.State.SENT, 1)}
