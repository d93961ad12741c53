"""Periodic inbound work, scheduled by django-crontask (`chamado worker` runs the scheduler)."""

import logging

from crontask import cron
from django.tasks import task

from chamado.inbox.imap import mailbox_poll
from chamado.inbox.models import Mailbox

logger = logging.getLogger(__name__)


@cron("* * * * *")
@task()
def mailboxes_poll() -> list[str]:
    """Take the new mail of every active mailbox; one mailbox failing never stops the others."""
    reports = []
    for mailbox in Mailbox.objects.filter(is_active=True):
        try:
            reports.append(str(mailbox_poll(mailbox)))
        except Exception:
            logger.exception("mailbox %s could not be polled", mailbox.name)
    return reports
