"""Background email for accounts (password reset, a new address to confirm; a contact's
invitation, changed permissions, removal), so no request waits on the mail server."""

import logging
import secrets
from collections.abc import Callable
from datetime import timedelta

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from chamado.accounts.access import invitation_key_hash
from chamado.accounts.emails import account_email, contact_email, invitation_email
from chamado.accounts.models import Account, Invitation, User

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
FIRST_BACKOFF = timedelta(seconds=30)


def _send(email: EmailMultiAlternatives, attempt: int, what: str, retry: Callable) -> str:
    """Send; a mail-server failure is tried again a few times with a growing back-off."""
    try:
        email.send()
    except Exception as error:
        if attempt >= MAX_ATTEMPTS:
            raise
        logger.warning("%s failed: %s", what, error)
        retry(timezone.now() + FIRST_BACKOFF * 2 ** (attempt - 1))
        return "retrying"
    return "sent"


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
    return _send(
        email,
        attempt,
        f"account email {kind} to user {user_id}",
        lambda run_after: account_email_send.using(run_after=run_after).enqueue(
            kind, user_id, attempt + 1
        ),
    )


@task()
def invitation_email_send(invitation_id: int, attempt: int = 1) -> str:
    """Draw the invitation's key, keep its SHA-256 and send the link. The key exists only in
    this email: each attempt draws a new one (a key from a failed attempt never worked). An
    invitation accepted, revoked or expired meanwhile is not sent."""
    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("account", "invited_by")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None or not invitation.is_open():
            return "skipped"
        invitation.key_hash = invitation_key_hash(key)
        invitation.save(update_fields=["key_hash"])
    return _send(
        invitation_email(invitation, key),
        attempt,
        f"invitation {invitation_id}",
        lambda run_after: invitation_email_send.using(run_after=run_after).enqueue(
            invitation_id, attempt + 1
        ),
    )


@task()
def contact_email_send(
    kind: str, user_id: int, account_id: int, permissions: list[str], attempt: int = 1
) -> str:
    """Tell a contact that their permissions in the account changed (to ``permissions``) or
    that they were removed from it (emails.CONTACT_PERMISSIONS, CONTACT_REMOVED)."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    account = Account.objects.filter(pk=account_id).first()
    if user is None or account is None:
        return "skipped"
    return _send(
        contact_email(kind, user, account, permissions),
        attempt,
        f"contact email {kind} to user {user_id}",
        lambda run_after: contact_email_send.using(run_after=run_after).enqueue(
            kind, user_id, account_id, permissions, attempt + 1
        ),
    )
