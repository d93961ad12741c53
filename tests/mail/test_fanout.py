"""The worker hands an event's deliveries to the sender once, whoever runs the hand-over again
(a duplicate task, a second worker), and a hand-over whose worker died is reclaimed."""

from datetime import timedelta
from typing import Any

import pytest
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from chamado.mail.models import Delivery
from chamado.mail.tasks import SEND_LEASE, deliveries_fanout, deliveries_reclaim, delivery_send
from tests import factories
from tests.worker import worker_run

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def opened() -> dict[str, Any]:
    owner = factories.OwnerFactory(email="ana@acme.example")
    service = factories.ServiceFactory(account=owner.account)
    support = factories.department("support")
    agents = [factories.AgentFactory() for _ in range(3)]
    support.agents.add(*agents)
    ticket = factories.open_ticket(owner, service=service, department=support)
    return {"ticket": ticket, "fanout": DBTaskResult.objects.get()}


def test_a_second_hand_over_of_the_same_event_sends_nothing_twice(smtp_server, opened) -> None:
    ids = list(Delivery.objects.values_list("email_message_id", flat=True))
    assert len(ids) == 4
    deliveries_fanout.enqueue(ids)  # the same event's hand-over queued a second time
    worker_run()
    assert len(smtp_server.inbox.messages) == 4
    assert DBTaskResult.objects.filter(task_path=delivery_send.module_path).count() == 4
    assert set(Delivery.objects.values_list("state", flat=True)) == {Delivery.State.SENT}


def test_a_hand_over_whose_worker_died_is_reclaimed_and_each_email_sent_once(
    smtp_server, opened
) -> None:
    fanout = opened["fanout"]
    fanout.claim("dead-worker")  # what SIGKILL leaves: RUNNING, nothing handed over
    worker_run()
    assert smtp_server.inbox.messages == []
    assert deliveries_reclaim() == 0, "within the lease the worker may still be running it"

    later = timezone.now() + SEND_LEASE + timedelta(minutes=1)
    assert deliveries_reclaim(now=later) == 4
    fanout.refresh_from_db()
    assert fanout.status == TaskResultStatus.FAILED
    worker_run()
    assert len(smtp_server.inbox.messages) == 4
    assert sorted(m["To"] for m in smtp_server.inbox.messages) == sorted(
        Delivery.objects.values_list("recipient__email", flat=True)
    )
    assert deliveries_reclaim(now=later + SEND_LEASE) == 0
