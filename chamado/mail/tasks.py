"""Background sending of email deliveries, with growing back-off and no double sends."""

import logging
from datetime import timedelta

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from chamado.mail.models import Delivery
from chamado.mail.render import delivery_email

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 20
FIRST_BACKOFF = timedelta(seconds=30)
LONGEST_BACKOFF = timedelta(hours=1)


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... capped at one hour: about a day of retries in all."""
    return min(FIRST_BACKOFF * (2 ** max(attempts - 1, 0)), LONGEST_BACKOFF)


@task()
def delivery_send(delivery_id: int) -> str:
    delivery = (
        Delivery.objects.select_related("recipient", "message__author")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None or delivery.state != Delivery.State.PENDING:
        return "skipped"
    try:
        delivery_email(delivery).send()
    except Exception as error:
        attempts = delivery.attempts + 1
        give_up = attempts >= MAX_ATTEMPTS
        with transaction.atomic():
            Delivery.objects.filter(pk=delivery.pk).update(
                attempts=attempts,
                last_error=f"{type(error).__name__}: {error}"[:2000],
                state=Delivery.State.FAILED if give_up else Delivery.State.PENDING,
            )
            if not give_up:
                delivery_send.using(run_after=timezone.now() + backoff(attempts)).enqueue(
                    delivery.pk
                )
        logger.warning("delivery %s failed (attempt %s): %s", delivery.pk, attempts, error)
        return "failed" if give_up else "retrying"
    Delivery.objects.filter(pk=delivery.pk).update(
        state=Delivery.State.SENT, sent_at=timezone.now(), attempts=delivery.attempts + 1
    )
    return "sent"
