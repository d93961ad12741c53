"""The claim and the reclaim, in this process: the Delivery row decides who sends, and what no
live task will send is queued again. tests/mail/test_worker_crash.py does it with real
processes and SIGKILL; these pin each rule on its own."""

from datetime import timedelta
from typing import Any

import pytest
from django.tasks import TaskResultStatus
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from chamado.core.models import AuditEvent
from chamado.mail.models import Delivery
from chamado.mail.tasks import (
    MAX_ATTEMPTS,
    SEND_LEASE,
    WORKER_LOST,
    deliveries_reclaim,
    delivery_send,
    mail_reclaim,
)
from tests import factories
from tests.worker import worker_run

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def confirmation(owner: Any, service: Any) -> Delivery:
    """The one email of a ticket opened by a contact of a department without agents."""
    factories.open_ticket(owner, service=service, department=factories.department("billing"))
    return Delivery.objects.get()


def later() -> Any:
    return timezone.now() + SEND_LEASE + timedelta(minutes=1)


def test_a_delivery_another_worker_is_sending_is_not_sent_again(smtp_server, confirmation) -> None:
    # A live claim: another worker is talking to the mail server right now.
    Delivery.objects.filter(pk=confirmation.pk).update(
        claim="another-worker", claimed_at=timezone.now(), attempts=1
    )
    assert delivery_send.call(confirmation.pk) == "skipped"
    assert smtp_server.inbox.messages == []
    confirmation.refresh_from_db()
    assert (confirmation.state, confirmation.claim) == (Delivery.State.PENDING, "another-worker")


def test_a_claim_older_than_the_lease_is_taken_over_and_sent_once(
    smtp_server, confirmation
) -> None:
    Delivery.objects.filter(pk=confirmation.pk).update(
        claim="dead-worker", claimed_at=timezone.now() - SEND_LEASE - timedelta(seconds=1)
    )
    assert delivery_send.call(confirmation.pk) == "sent"
    assert delivery_send.call(confirmation.pk) == "skipped"
    assert len(smtp_server.inbox.messages) == 1
    confirmation.refresh_from_db()
    assert confirmation.state == Delivery.State.SENT
    assert (confirmation.claim, confirmation.claimed_at) == ("", None)


def test_a_pending_delivery_whose_task_is_gone_is_queued_again(smtp_server, confirmation) -> None:
    DBTaskResult.objects.all().delete()  # pruned, lost, or never written by an older version
    assert deliveries_reclaim() == 1
    assert deliveries_reclaim() == 0, "now it has a live task"
    worker_run()
    assert len(smtp_server.inbox.messages) == 1
    assert Delivery.objects.get().state == Delivery.State.SENT


def test_a_delivery_waiting_for_its_retry_or_its_turn_is_left_alone(
    smtp_down, confirmation
) -> None:
    assert deliveries_reclaim(now=later()) == 0, "its first task is READY"
    worker_run()  # the server is down: a retry is queued for later
    confirmation.refresh_from_db()
    retry = DBTaskResult.objects.get(id=confirmation.task_id)
    assert retry.status == TaskResultStatus.READY and retry.run_after > timezone.now()
    assert deliveries_reclaim(now=later()) == 0
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1


def test_a_stale_running_task_is_marked_failed_and_its_delivery_sent_once(
    smtp_server, confirmation
) -> None:
    # What SIGKILL leaves: the task claimed by a worker that is gone, the delivery too.
    task = DBTaskResult.objects.get(id=confirmation.task_id)
    task.claim("dead-worker")
    Delivery.objects.filter(pk=confirmation.pk).update(
        claim="dead-worker", claimed_at=timezone.now(), attempts=1
    )
    worker_run()
    assert smtp_server.inbox.messages == [], "nothing to run: the task is RUNNING"
    assert deliveries_reclaim() == 0, "within the lease the worker may still be sending"

    assert deliveries_reclaim(now=later()) == 1
    task.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED
    assert task.exception_class_path == WORKER_LOST
    worker_run()
    assert len(smtp_server.inbox.messages) == 1
    confirmation.refresh_from_db()
    assert (confirmation.state, confirmation.attempts) == (Delivery.State.SENT, 2)


def test_a_delivery_whose_worker_keeps_dying_gives_up(smtp_server, confirmation) -> None:
    DBTaskResult.objects.all().delete()
    Delivery.objects.filter(pk=confirmation.pk).update(
        claim="dead-worker", claimed_at=timezone.now(), attempts=MAX_ATTEMPTS
    )
    assert deliveries_reclaim(now=later()) == 0
    confirmation.refresh_from_db()
    assert confirmation.state == Delivery.State.FAILED
    assert confirmation.last_error == WORKER_LOST
    assert not DBTaskResult.objects.exists()


# The admin: failed deliveries, sent again from the list or from a delivery's page.


@pytest.fixture
def failed(confirmation: Delivery) -> Delivery:
    DBTaskResult.objects.all().delete()
    Delivery.objects.filter(pk=confirmation.pk).update(
        state=Delivery.State.FAILED, attempts=MAX_ATTEMPTS, last_error="SMTPDataError: 554"
    )
    return Delivery.objects.get(pk=confirmation.pk)


def test_the_admin_lists_failed_deliveries_and_sends_them_again_once(
    client, admin, smtp_server, failed
) -> None:
    admin.is_staff = True
    admin.save()
    client.force_login(admin)
    changelist = reverse("admin:mail_delivery_changelist")
    page = client.get(changelist, {"state__exact": Delivery.State.FAILED}).content.decode()
    assert "SMTPDataError: 554" in page and 'value="retry"' in page

    for _ in range(2):  # the second post finds nothing that failed
        response = client.post(
            changelist, {"action": "retry", "_selected_action": [failed.pk]}, follow=True
        )
        assert response.status_code == 200
    assert "Only emails that failed can be sent again." in response.content.decode()
    worker_run()

    assert len(smtp_server.inbox.messages) == 1
    failed.refresh_from_db()
    assert (failed.state, failed.attempts) == (Delivery.State.SENT, 1)
    assert AuditEvent.objects.filter(verb="delivery.retry", object_id=str(failed.pk)).count() == 1


def test_a_failed_deliverys_page_has_a_button_that_sends_it_again(
    client, admin, smtp_server, failed
) -> None:
    admin.is_staff = True
    admin.save()
    client.force_login(admin)
    page = client.get(reverse("admin:mail_delivery_change", args=[failed.pk])).content.decode()
    retry = reverse("admin:mail_delivery_retry", args=[failed.pk])
    assert f'action="{retry}"' in page
    assert 'name="_save"' not in page, "nothing on it is edited by hand"

    assert client.get(retry).status_code == 403
    response = client.post(retry)
    assert response.status_code == 302
    worker_run()
    assert len(smtp_server.inbox.messages) == 1
    page = client.get(reverse("admin:mail_delivery_change", args=[failed.pk])).content.decode()
    assert f'action="{retry}"' not in page, "a sent email has no retry button"


def test_only_an_administrator_who_may_change_deliveries_can_retry(client, agent, failed) -> None:
    agent.is_staff = True
    agent.save()
    client.force_login(agent)  # staff without permissions
    response = client.post(reverse("admin:mail_delivery_retry", args=[failed.pk]))
    assert response.status_code == 403
    failed.refresh_from_db()
    assert failed.state == Delivery.State.FAILED


def test_the_reclaim_runs_on_the_workers_schedule(smtp_server, confirmation) -> None:
    from crontask import scheduler

    jobs = {job.name: str(job.trigger) for job in scheduler.get_jobs()}
    assert "minute='*/5'" in jobs.get("mail_reclaim", ""), jobs
    DBTaskResult.objects.all().delete()
    assert mail_reclaim.call() == 1  # what the scheduler's task runs
    worker_run()
    assert len(smtp_server.inbox.messages) == 1
