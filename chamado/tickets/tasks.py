"""Periodic ticket work, scheduled by django-crontask (`chamado worker` runs the scheduler)."""

from crontask import cron
from django.tasks import task

from chamado.tickets.actions import ticket_autoclose_due


@cron("*/15 * * * *")
@task()
def tickets_autoclose() -> int:
    """Close Answered tickets left without a client reply for the policy's hours."""
    return ticket_autoclose_due()
