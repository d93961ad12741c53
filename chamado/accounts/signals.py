"""What happens around a sign-in: the saved language, the audit log, the session's second
factor, allauth's address book.

A user's saved language (the language of every email to them) is theirs to choose: the
language switcher and the profile save it. A login never overwrites it; only the very first
login, before the user could choose, takes the browser's language as a start."""

from typing import Any

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest

from chamado.accounts import throttle
from chamado.accounts.actions import user_email_address_sync, user_language_set
from chamado.accounts.models import Membership, User
from chamado.accounts.two_factor import FACTOR_TYPES, two_factor_mark
from chamado.core.audit import audit_record


@receiver(user_logged_in)
def first_login_language(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    # Connected before django.contrib.auth's update_last_login (accounts comes first in
    # INSTALLED_APPS), so last_login is still the previous one: None on the first login.
    if user.last_login is not None:
        return
    # LocaleMiddleware put the browser's (or the switcher's) language on the request.
    if language := getattr(request, "LANGUAGE_CODE", None):
        user_language_set(user=user, language=language)


def _address(request: HttpRequest | None) -> str:
    return throttle.client_address(request) if request is not None else ""


@receiver(account_signals.user_logged_in)
def login_audit(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """A complete sign-in through allauth (password and, when set up, the second factor)."""
    from allauth.account.internal.flows.login import get_authentication_records

    methods = [
        record.get("type", record["method"]) for record in get_authentication_records(request, user)
    ]
    audit_record(
        actor=user,
        verb="user.login",
        target=user,
        after={"address": _address(request), "methods": methods},
    )


@receiver(user_login_failed)
def login_failed_audit(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """A wrong password for a login that exists (a wrong address has no account to file it
    under; accounts.throttle counts it all the same)."""
    email = credentials.get("email") or credentials.get("username") or ""
    try:
        user = User.objects.get_by_natural_key(email.strip()) if email else None
    except User.DoesNotExist:
        return
    if user is not None:
        audit_record(
            actor=None, verb="user.login_failed", target=user, after={"address": _address(request)}
        )


@receiver(mfa_signals.authentication_failed)
def second_factor_failed_audit(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    audit_record(
        actor=None,
        verb="user.login_failed",
        target=user,
        after={"address": _address(request), "factor": kwargs["authenticator"].type},
    )


@receiver(account_signals.authentication_step_completed)
def second_factor_shown(
    sender: Any, request: HttpRequest, user: Any, method: str, **kwargs: Any
) -> None:
    if method == "mfa":
        two_factor_mark(request, user)


@receiver(mfa_signals.authenticator_added)
def second_factor_added(
    sender: Any, request: HttpRequest, user: Any, authenticator: Any, **kwargs: Any
) -> None:
    # Enrolling asked for a code from the app (or the passkey itself): that is a second factor.
    if authenticator.type in FACTOR_TYPES:
        two_factor_mark(request, user)
    audit_record(actor=user, verb="user.2fa_add", target=user, after={"type": authenticator.type})


@receiver(mfa_signals.authenticator_removed)
def second_factor_removed(
    sender: Any, request: HttpRequest, user: Any, authenticator: Any, **kwargs: Any
) -> None:
    audit_record(
        actor=user, verb="user.2fa_remove", target=user, before={"type": authenticator.type}
    )


@receiver(mfa_signals.authenticator_reset)
def recovery_codes_reset(
    sender: Any, request: HttpRequest, user: Any, authenticator: Any, **kwargs: Any
) -> None:
    audit_record(actor=user, verb="user.2fa_reset", target=user, after={"type": authenticator.type})


@receiver(mfa_signals.authenticator_used)
def recovery_code_used(
    sender: Any, request: HttpRequest, user: Any, authenticator: Any, **kwargs: Any
) -> None:
    # A used recovery code is one fewer left: worth a line in the log.
    if authenticator.type == "recovery_codes":
        audit_record(
            actor=user,
            verb="user.2fa_recovery_code_use",
            target=user,
            after={"address": _address(request)},
        )


@receiver(account_signals.password_changed)
def password_changed_audit(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    audit_record(
        actor=user, verb="user.password_change", target=user, after={"address": _address(request)}
    )


@receiver(account_signals.password_reset)
def password_reset_audit(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    audit_record(
        actor=None, verb="user.password_reset", target=user, after={"address": _address(request)}
    )


@receiver(account_signals.email_changed)
def email_changed_audit(
    sender: Any,
    request: HttpRequest,
    user: Any,
    from_email_address: Any,
    to_email_address: Any,
    **kwargs: Any,
) -> None:
    audit_record(
        actor=user,
        verb="user.email_change",
        target=user,
        before={"email": getattr(from_email_address, "email", "")},
        after={"email": to_email_address.email},
    )


@receiver(post_save, sender=User)
def email_address_follows_user(
    sender: Any, instance: User, created: bool, update_fields: Any = None, **kwargs: Any
) -> None:
    # Admins change User.email; allauth's address book must not keep the old one as a login.
    if update_fields is None or "email" in update_fields:
        user_email_address_sync(user=instance)


@receiver(post_save, sender=Membership, dispatch_uid="chamado.accounts.membership_added")
def membership_current_when_first(
    sender: Any, instance: Membership, created: bool, **kw: Any
) -> None:
    """A person's first account (however it was added: an invitation, the admin, the API) is
    the one they act for."""
    if created:
        User.objects.filter(pk=instance.user_id, membership=None).update(membership=instance)


@receiver(post_delete, sender=Membership, dispatch_uid="chamado.accounts.membership_removed")
def membership_current_after_removal(sender: Any, instance: Membership, **kw: Any) -> None:
    """Removed from the account they were acting for, a person acts for another of theirs
    (if any) from their next request on."""
    remaining = Membership.objects.filter(user_id=instance.user_id).order_by("account__name")
    User.objects.filter(pk=instance.user_id, membership=None).update(
        membership=remaining.values("pk")[:1]
    )
