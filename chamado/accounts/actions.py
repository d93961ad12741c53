"""Writes to users and their API tokens."""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chamado.accounts.models import ApiToken, Membership, User
from chamado.accounts.tokens import token_key_hash, token_key_new, token_key_prefix
from chamado.core.audit import audit_record
from chamado.core.errors import ApplicationError, NotFound
from chamado.core.text import single_line

# last_used_at is written at most this often, so a busy client does not write on every read.
TOKEN_USE_PRECISION = timedelta(minutes=1)


def user_language_set(*, user: User, language: str) -> None:
    if language in dict(settings.LANGUAGES) and user.language != language:
        user.language = language
        user.save(update_fields=["language"])


def membership_switch(*, user: User, account_id: int | str) -> Membership:
    """The person acts for another of their accounts from now on (the client area's lists,
    new tickets and services are that account's). Not one of theirs: NotFound."""
    try:
        membership = (
            Membership.objects.select_related("account")
            .filter(user_id=user.pk)
            .get(account_id=int(account_id))
        )
    except (ValueError, TypeError, Membership.DoesNotExist):
        raise NotFound from None
    if user.membership_id != membership.pk:
        user.membership = membership
        user.save(update_fields=["membership"])
    return membership


def user_email_address_sync(*, user: User) -> None:
    """allauth's address book agrees with User.email, the one identity: the current address
    verified and primary, other verified ones gone. An unverified row stays: it is the address
    the user is changing to, until confirmed."""
    from allauth.account.models import EmailAddress

    if not user.pk or not user.email:
        return
    EmailAddress.objects.filter(user_id=user.pk, verified=True).exclude(email=user.email).delete()
    EmailAddress.objects.update_or_create(
        user_id=user.pk, email=user.email, defaults={"verified": True, "primary": True}
    )


NOTIFICATION_CHOICES = ("notify_ticket_changes", "notify_new_tickets", "notify_client_replies")


def user_profile_update(
    *,
    actor: Any,
    user: User,
    full_name: str,
    language: str,
    notifications: dict[str, bool] | None = None,
) -> User:
    """The person's own name, the language of their emails and which notices they want;
    nothing changes, nothing is written."""
    full_name = single_line(full_name)[:150]
    if not full_name:
        raise ApplicationError(_("Give your name."), field="full_name")
    if language not in dict(settings.LANGUAGES):
        raise ApplicationError(_("Choose one of the languages offered."), field="language")
    chosen = {
        name: bool(value)
        for name, value in (notifications or {}).items()
        if name in NOTIFICATION_CHOICES
    }
    before: dict[str, Any] = {"full_name": user.full_name, "language": user.language}
    before.update({name: getattr(user, name) for name in chosen})
    after: dict[str, Any] = {"full_name": full_name, "language": language, **chosen}
    if before == after:
        return user
    with transaction.atomic():
        changed = [name for name in after if before[name] != after[name]]
        for name in changed:
            setattr(user, name, after[name])
        user.save(update_fields=changed)
        audit_record(
            actor=actor,
            verb="user.profile_update",
            target=user,
            before={name: before[name] for name in changed},
            after={name: after[name] for name in changed},
        )
    return user


# A person's live tokens, at most: enough for every system around one login.
TOKENS_PER_USER = 20


def api_token_create(
    *, actor: Any, user: User, name: str, scope: str = ApiToken.Scope.WRITE
) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns it with its key, which is never stored nor shown
    again (only its SHA-256 is kept)."""
    name = single_line(name)
    if not name:
        raise ApplicationError(_("Give the token a name."), field="name")
    if scope not in ApiToken.Scope.values:
        raise ApplicationError(_("Choose what the token may do."), field="scope")
    if not user.is_active:
        raise ApplicationError(_("This user is not active."), field="user")
    if ApiToken.objects.filter(user=user, revoked=False).count() >= TOKENS_PER_USER:
        raise ApplicationError(
            _("You have %(count)d tokens already: revoke one you no longer use first.")
            % {"count": TOKENS_PER_USER},
            field="name",
        )
    key = token_key_new()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name[:100],
            scope=scope,
            prefix=token_key_prefix(key),
            key_hash=token_key_hash(key),
        )
        audit_record(
            actor=actor,
            verb="api_token.create",
            target=token,
            after={
                "user": user.pk,
                "name": token.name,
                "prefix": token.prefix,
                "scope": token.scope,
            },
        )
    return token, key


def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """Revoke the token at once; revoking a revoked token changes nothing."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked:
            return token
        token.revoked = True
        token.save(update_fields=["revoked"])
        audit_record(
            actor=actor,
            verb="api_token.revoke",
            target=token,
            before={"revoked": False},
            after={"revoked": True},
        )
    return token


def access_token_of_user(actor: Any, token_id: int | str) -> ApiToken:
    """One of the actor's own tokens; anyone else's is not found."""
    try:
        return ApiToken.objects.get(pk=int(token_id), user_id=actor.pk)
    except (ValueError, TypeError, ApiToken.DoesNotExist):
        raise NotFound from None


def api_token_list_for_user(user: User) -> Any:
    return ApiToken.objects.filter(user=user).order_by("revoked", "-created_at")


def api_token_user(key: str, *, now: datetime | None = None) -> User | None:
    """The active user behind an unrevoked token with this key, or None; notes the use."""
    token = api_token_for_key(key, now=now)
    return token.user if token is not None else None


def api_token_for_key(key: str, *, now: datetime | None = None) -> ApiToken | None:
    """The unrevoked token with this key, of an active user (``token.user``), or None; notes
    the use."""
    if not key:
        return None
    token = (
        ApiToken.objects.select_related("user__membership__account")
        .filter(key_hash=token_key_hash(key), revoked=False)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_USE_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
