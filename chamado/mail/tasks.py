"""Background sending of email deliveries: back-off, no double sends, nothing left behind.

The Delivery row is the truth, not the task queue. A worker **claims** a delivery with one
conditional UPDATE (pending, and no live claim) before it sends, so two workers never send one
email; it marks it sent right after the mail server accepts it. A worker killed mid-send
leaves its django-tasks-db task RUNNING forever and the delivery pending with a claim nobody
holds: ``deliveries_reclaim`` (every five minutes) marks such tasks failed and queues every
pending delivery that has no live task again, once its claim is older than ``SEND_LEASE``.

The one duplicate it cannot rule out: the server accepted the email and the worker died before
the SENT mark committed (no protocol lets an SMTP client and a database commit together). That
window is kept to the server's "250 OK" and one UPDATE: the email is rendered and the
connection opened before, and the connection is closed (QUIT) after.
"""

import logging
import uuid
from datetime import datetime, timedelta

from crontask import cron
from django.core.mail import mailers
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.tasks import TaskContext, TaskResultStatus, task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from chamado.accounts.tasks import account_email_send
from chamado.core.audit import audit_record
from chamado.mail.models import Delivery
from chamado.mail.render import delivery_email

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 20
FIRST_BACKOFF = timedelta(seconds=30)
LONGEST_BACKOFF = timedelta(hours=1)
# Longer than any send can last (the SMTP timeout is 20 s per step): a claim or a RUNNING task
# older than this belongs to a worker that died.
SEND_LEASE = timedelta(minutes=10)
WORKER_LOST = "chamado.mail.tasks.WorkerLost"


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... capped at one hour: about a day of retries in all."""
    return min(FIRST_BACKOFF * (2 ** max(attempts - 1, 0)), LONGEST_BACKOFF)


def delivery_enqueue(delivery: Delivery, *, run_after: datetime | None = None) -> None:
    """Queue the sending of ``delivery`` and remember the task (inside the caller's
    transaction: a rolled-back delivery leaves no task)."""
    sender = delivery_send.using(run_after=run_after) if run_after else delivery_send
    result = sender.enqueue(delivery.pk)
    Delivery.objects.filter(pk=delivery.pk).update(task_id=result.id)


def _claim(delivery_id: int, now: datetime) -> str | None:
    """Take the delivery for this worker; None when it was sent, gave up, or another worker
    holds a live claim. One UPDATE decides, so two workers never both win."""
    claim = uuid.uuid4().hex
    claimed = (
        Delivery.objects.filter(pk=delivery_id, state=Delivery.State.PENDING)
        .filter(Q(claimed_at=None) | Q(claimed_at__lt=now - SEND_LEASE))
        .update(claim=claim, claimed_at=now, attempts=F("attempts") + 1)
    )
    return claim if claimed else None


@task(takes_context=True)
def deliveries_fanout(context: TaskContext, message_ids: list[str]) -> int:
    """Hand an event's deliveries (queued together by mail.notify, this task's id on each) to
    the sender: one delivery_send task each. Runs once per delivery whoever runs it again (a
    retry, a second worker): a delivery is handed over only while it still names this task,
    in the transaction that enqueues its send (a second run waits for the first's row locks,
    then finds none). A worker that dies here leaves the deliveries naming a dead task:
    ``deliveries_reclaim`` queues them again. Returns how many it handed over."""
    own = context.task_result.id
    with transaction.atomic():
        mine = list(
            Delivery.objects.select_for_update()
            .filter(email_message_id__in=message_ids, task_id=own, state=Delivery.State.PENDING)
            .only("pk", "task_id")
        )
        for delivery in mine:
            delivery.task_id = delivery_send.enqueue(delivery.pk).id
        Delivery.objects.bulk_update(mine, ["task_id"])
    return len(mine)


@task()
def delivery_send(delivery_id: int) -> str:
    claim = _claim(delivery_id, timezone.now())
    if claim is None:
        return "skipped"
    delivery = Delivery.objects.select_related("recipient", "message__author", "ticket").get(
        pk=delivery_id
    )
    sent = False
    try:
        email = delivery_email(delivery)
        with mailers.default as mailer:  # connects (and authenticates) first
            mailer.send_messages([email])
            # The server has it. Record that before anything else, even the QUIT.
            sent = True
            marked = Delivery.objects.filter(pk=delivery.pk, claim=claim).update(
                state=Delivery.State.SENT,
                sent_at=timezone.now(),
                claim="",
                claimed_at=None,
                last_error="",
            )
    except Exception as error:
        if sent:  # closing the connection failed after the server took the email
            logger.warning(
                "delivery %s sent; closing the connection failed: %s", delivery_id, error
            )
            return "sent"
        return _failed(delivery, claim, error)
    if not marked:
        logger.error("delivery %s was sent after its claim expired", delivery.pk)
    return "sent"


def _failed(delivery: Delivery, claim: str, error: Exception) -> str:
    attempts = delivery.attempts  # the claim counted this one
    give_up = attempts >= MAX_ATTEMPTS
    with transaction.atomic():
        released = Delivery.objects.filter(pk=delivery.pk, claim=claim).update(
            last_error=f"{type(error).__name__}: {error}"[:2000],
            state=Delivery.State.FAILED if give_up else Delivery.State.PENDING,
            claim="",
            claimed_at=None,
        )
        if released and not give_up:
            delivery_enqueue(delivery, run_after=timezone.now() + backoff(attempts))
    logger.warning("delivery %s failed (attempt %s): %s", delivery.pk, attempts, error)
    return "failed" if give_up else "retrying"


# Tasks that send email or hand it over: one found RUNNING after SEND_LEASE belongs to a dead
# worker (the deliveries it held then have no live task and are queued again).
SENDING_TASKS = (
    delivery_send.module_path,
    deliveries_fanout.module_path,
    account_email_send.module_path,
)


def deliveries_reclaim(*, now: datetime | None = None) -> int:
    """Mark the sending tasks of dead workers failed, and queue again every pending delivery
    that no live task will send (its worker died, its task row was lost or pruned). Returns
    how many deliveries were queued again."""
    now = now or timezone.now()
    stale = now - SEND_LEASE
    DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, task_path__in=SENDING_TASKS, started_at__lt=stale
    ).update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path=WORKER_LOST,
        traceback="The worker stopped while running this task; chamado.mail reclaimed it.",
    )
    live_task = DBTaskResult.objects.filter(id=OuterRef("task_id")).filter(
        Q(status=TaskResultStatus.READY) | Q(status=TaskResultStatus.RUNNING, started_at__gte=stale)
    )
    orphans = (
        Delivery.objects.filter(state=Delivery.State.PENDING)
        .filter(Q(claimed_at=None) | Q(claimed_at__lt=stale))
        .exclude(Exists(live_task))
        .values_list("pk", "task_id", "claim", "attempts")
        .order_by("created_at")
    )
    queued = 0
    for pk, task_id, claim, attempts in orphans:
        give_up = attempts >= MAX_ATTEMPTS
        with transaction.atomic():
            # Only if nobody touched it since it was read (a worker claim, another reclaim).
            freed = Delivery.objects.filter(
                pk=pk, state=Delivery.State.PENDING, task_id=task_id, claim=claim
            ).update(
                claim="",
                claimed_at=None,
                state=Delivery.State.FAILED if give_up else Delivery.State.PENDING,
                last_error=WORKER_LOST if give_up else F("last_error"),
            )
            if freed and not give_up:
                delivery_enqueue(Delivery(pk=pk))
                queued += 1
    if queued:
        logger.warning("queued %s orphaned email deliveries again", queued)
    return queued


@cron("*/5 * * * *")
@task()
def mail_reclaim() -> int:
    """Every five minutes: emails whose worker died go out (once) after all."""
    return deliveries_reclaim()


def deliveries_retry(*, actor: object, deliveries: list[Delivery]) -> int:
    """Send again deliveries that gave up (the admin's retry): each starts a fresh series of
    attempts. A delivery that is not failed (sent, or already retried) is left alone."""
    retried = 0
    for delivery in deliveries:
        with transaction.atomic():
            if not Delivery.objects.filter(pk=delivery.pk, state=Delivery.State.FAILED).update(
                state=Delivery.State.PENDING, attempts=0, claim="", claimed_at=None
            ):
                continue
            delivery_enqueue(delivery)
            audit_record(
                actor=actor,
                verb="delivery.retry",
                target=delivery,
                before={"state": Delivery.State.FAILED},
                after={"state": Delivery.State.PENDING},
            )
            retried += 1
    return retried
