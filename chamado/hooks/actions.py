"""The administrator's writes on webhooks: a new secret, a test ping, a replay. Each in one
transaction with its audit event; what it sends is queued in that transaction."""

import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone

from chamado.core.audit import audit_record
from chamado.hooks.models import PING, Delivery, Endpoint, secret_new
from chamado.hooks.tasks import delivery_enqueue


def endpoint_secret_regenerate(*, actor: Any, endpoint: Endpoint) -> Endpoint:
    """A new secret, at once: deliveries signed from now on use it (the old one is not
    kept; the receiving side must be updated too)."""
    with transaction.atomic():
        endpoint.secret = secret_new()
        endpoint.save(update_fields=["secret"])
        audit_record(actor=actor, verb="hook_endpoint.secret", target=endpoint)
    return endpoint


def endpoint_ping(*, actor: Any, endpoint: Endpoint) -> Delivery:
    """Queue a signed ``ping`` to the endpoint, sent like any event (checks, signature,
    attempts), also while it is inactive."""
    now = timezone.now()
    event_id = uuid.uuid4()
    with transaction.atomic():
        delivery = Delivery.objects.create(
            endpoint=endpoint,
            event=PING,
            event_id=event_id,
            payload={
                "id": str(event_id),
                "event": PING,
                "created_at": now.isoformat(),
                "endpoint": {"name": endpoint.name},
            },
            next_attempt_at=now,
        )
        delivery_enqueue(delivery)
        audit_record(actor=actor, verb="hook_endpoint.ping", target=endpoint)
    return delivery


def deliveries_replay(*, actor: Any, deliveries: list[Delivery]) -> int:
    """Send each delivery again now, whatever became of it (sent, failed, gave up, waiting
    for a retry), as a new attempt that starts a fresh series of retries. One being sent at
    this moment is left alone. Returns how many were queued."""
    replayed = 0
    now = timezone.now()
    for delivery in deliveries:
        with transaction.atomic():
            current = Delivery.objects.filter(pk=delivery.pk).values("status", "attempts").first()
            if current is None:
                continue
            if not Delivery.objects.filter(
                pk=delivery.pk, claim="", attempts=current["attempts"]
            ).update(
                status=Delivery.Status.PENDING,
                series_start=current["attempts"],
                next_attempt_at=now,
            ):
                continue
            delivery_enqueue(delivery, attempt=current["attempts"] + 1)
            audit_record(
                actor=actor,
                verb="hook_delivery.replay",
                target=delivery,
                before={"status": current["status"]},
                after={"status": Delivery.Status.PENDING},
            )
            replayed += 1
    return replayed
