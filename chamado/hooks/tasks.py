"""Sending webhook deliveries in the background: one claimed attempt at a time, back-off,
nothing left behind.

Each task carries the number of the attempt it is for. A worker **claims** that attempt with
one conditional UPDATE (pending, no claim, and the attempts so far one less), so two workers,
a duplicate task or a replay racing a scheduled retry never send the same attempt twice. The
result is recorded, and the next attempt queued, only while the claim is still held.
"""

import json
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from crontask import cron
from django.db import transaction
from django.db.models import F
from django.tasks import task
from django.utils import timezone

from chamado.hooks.guard import Refused, addresses_check, target_parse
from chamado.hooks.models import PING, AllowedHost, Attempt, Delivery
from chamado.hooks.send import post, signature

logger = logging.getLogger(__name__)

# The waits after the first, second... failed attempt of a series; then it gives up.
SCHEDULE = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)
# Far longer than an attempt can last (10 s): a claim older than this belongs to a worker
# that died, a due attempt this late lost its task.
SEND_LEASE = timedelta(minutes=5)
WORKER_LOST = "the worker stopped during this attempt"

SENT, RETRY, FAILED = "sent", "retry", "failed"


def delivery_enqueue(
    delivery: Delivery, *, attempt: int | None = None, run_after: datetime | None = None
) -> None:
    """Queue ``attempt`` (by default the next one) inside the caller's transaction: a
    rolled-back delivery leaves no task."""
    sender = hook_delivery_send.using(run_after=run_after) if run_after else hook_delivery_send
    sender.enqueue(delivery.pk, attempt or delivery.attempts + 1)


@dataclass(frozen=True)
class Result:
    outcome: str  # SENT, RETRY or FAILED
    status_code: int | None = None
    excerpt: str = ""
    error: str = ""


def _claim(delivery_id: int, attempt: int, now: datetime) -> str | None:
    claim = uuid.uuid4().hex
    claimed = Delivery.objects.filter(
        pk=delivery_id, status=Delivery.Status.PENDING, attempts=attempt - 1, claim=""
    ).update(attempts=attempt, claim=claim, claimed_at=now, next_attempt_at=None)
    return claim if claimed else None


def body_encode(payload: dict[str, object]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def _attempt(delivery: Delivery) -> Result:
    """Check the target, sign and send; never raises."""
    endpoint = delivery.endpoint
    if not endpoint.is_active and delivery.event != PING:
        return Result(FAILED, error="the endpoint is not active")
    body = body_encode(delivery.payload)
    try:
        target = target_parse(endpoint.url)
        allowed = AllowedHost.objects.filter(host=target.host).exists()
        addresses = addresses_check(target, host_allowed=allowed)
        timestamp = int(time.time())
        answer = post(
            target,
            addresses,
            body=body,
            headers={
                "Chamado-Event": delivery.event,
                "Chamado-Delivery": str(delivery.pk),
                "Chamado-Timestamp": str(timestamp),
                "Chamado-Signature": signature(endpoint.secret, timestamp, body),
            },
        )
    except Refused as error:
        return Result(FAILED, error=f"refused: {error}")
    except Exception as error:  # connection, TLS, timeout, DNS: worth another try
        return Result(RETRY, error=f"{type(error).__name__}: {error}"[:2000])
    # Text as the database stores it: PostgreSQL refuses NUL.
    excerpt = answer.excerpt.decode("utf-8", errors="replace").replace("\x00", "")
    if 200 <= answer.status < 300:
        return Result(SENT, answer.status, excerpt)
    if 300 <= answer.status < 400:
        # A redirect is never followed (it could point anywhere, 169.254.169.254 included);
        # the URL is the administrator's to fix, then replay.
        where = answer.location[:500] or "nowhere"
        return Result(FAILED, answer.status, excerpt, f"redirect to {where} not followed")
    return Result(RETRY, answer.status, excerpt, f"HTTP {answer.status}")


def _record(
    delivery: Delivery, claim: str, number: int, started_at: datetime, result: Result, ms: int
) -> str:
    """Store the attempt and the delivery's new status, and queue the next attempt, while
    the claim is still this worker's. Returns what became of the delivery."""
    now = timezone.now()
    next_at = None
    if result.outcome == SENT:
        status = Delivery.Status.SENT
    elif result.outcome == FAILED:
        status = Delivery.Status.FAILED
    elif number - delivery.series_start <= len(SCHEDULE):
        status = Delivery.Status.PENDING
        next_at = now + SCHEDULE[number - delivery.series_start - 1]
    else:
        status = Delivery.Status.GAVE_UP
    with transaction.atomic():
        held = Delivery.objects.filter(pk=delivery.pk, claim=claim).update(
            status=status,
            claim="",
            claimed_at=None,
            next_attempt_at=next_at,
            sent_at=now if status == Delivery.Status.SENT else F("sent_at"),
        )
        if not held:
            logger.error("webhook delivery %s: attempt %s lost its claim", delivery.pk, number)
            return "lost"
        Attempt.objects.create(
            delivery=delivery,
            number=number,
            started_at=started_at,
            status_code=result.status_code,
            response_excerpt=result.excerpt,
            error=result.error,
            duration_ms=ms,
        )
        if next_at is not None:
            delivery_enqueue(delivery, attempt=number + 1, run_after=next_at)
    if status != Delivery.Status.SENT:
        logger.warning(
            "webhook delivery %s attempt %s: %s (%s)", delivery.pk, number, result.error, status
        )
    return str(status)


@task()
def hook_delivery_send(delivery_id: int, attempt: int) -> str:
    started_at = timezone.now()
    claim = _claim(delivery_id, attempt, started_at)
    if claim is None:
        return "skipped"  # sent, failed, replayed, or another worker has this attempt
    delivery = Delivery.objects.select_related("endpoint").get(pk=delivery_id)
    clock = time.monotonic()
    result = _attempt(delivery)
    ms = int((time.monotonic() - clock) * 1000)
    return _record(delivery, claim, attempt, started_at, result, ms)


def deliveries_reclaim(*, now: datetime | None = None) -> int:
    """An attempt whose worker died is recorded as failed (and retried on schedule); an
    attempt due long ago whose task was lost is queued again. Returns how many."""
    now = now or timezone.now()
    stale = now - SEND_LEASE
    reclaimed = 0
    for delivery in Delivery.objects.filter(
        status=Delivery.Status.PENDING, claimed_at__lt=stale
    ).exclude(claim=""):
        assert delivery.claimed_at is not None
        lost = Result(RETRY, error=WORKER_LOST)
        became = _record(delivery, delivery.claim, delivery.attempts, delivery.claimed_at, lost, 0)
        reclaimed += became != "lost"
    for delivery in Delivery.objects.filter(
        status=Delivery.Status.PENDING, claim="", next_attempt_at__lt=stale
    ):
        with transaction.atomic():
            if Delivery.objects.filter(
                pk=delivery.pk, claim="", attempts=delivery.attempts, next_attempt_at__lt=stale
            ).update(next_attempt_at=now):
                delivery_enqueue(delivery)
                reclaimed += 1
    if reclaimed:
        logger.warning("queued %s webhook deliveries again", reclaimed)
    return reclaimed


@cron("*/5 * * * *")
@task()
def hooks_reclaim() -> int:
    """Every five minutes: webhooks whose worker died or whose task was lost go out after all."""
    return deliveries_reclaim()
