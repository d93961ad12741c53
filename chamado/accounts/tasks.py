"""Background email for accounts (password reset, a new address to confirm), so no request
waits on the mail server."""

import logging
from datetime import timedelta

from django.tasks import task
from django.utils import timezone

from chamado.accounts.emails import account_email
from chamado.accounts.models import User

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
FIRST_BACKOFF = timedelta(seconds=30)


@task()
def account_email_send(kind: str, user_id: int, attempt: int = 1) -> str:
    """Build and send the account email ``kind`` to the user. A mail-server failure is retried
    a few times with a growing back-off (the user can also ask again)."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return "skipped"
    email = account_email(kind, user)
    if email is None:
        return "skipped"
    try:
        email.send()
    except Exception as error:
        if attempt >= MAX_ATTEMPTS:
            raise
        logger.warning("account email %s to user %s failed: %s", kind, user_id, error)
        run_after = timezone.now() + FIRST_BACKOFF * 2 ** (attempt - 1)
        account_email_send.using(run_after=run_after).enqueue(kind, user_id, attempt + 1)
        return "retrying"
    return "sent"
