"""Contacts an account manages itself: invitations (made, accepted, revoked), a contact's
permissions changed, a contact removed. Every rule, audit event and email of it is here; the
client area (portal.contact_views) and the invitation page (accounts.invitation_views) only
translate.

Who may do what (accounts.access holds the two pure rules):
- A person who may manage contacts in an account (its owner, or a contact with `contacts`)
  invites, changes and removes its contacts. Checked against their membership *in that
  account*, read afresh inside the action, not the account they act for.
- The owner's membership is never changed nor removed here; nobody changes or removes their
  own (no raising oneself, no locking oneself out).
- A contact who manages contacts gives or takes away only the permissions they have
  themselves (`contacts`, and `tickets` / `services` when theirs); the owner, every one.
- An invitation's key is single-use and expires (settings.CHAMADO_INVITATION_DAYS, 7 by
  default); a new invitation to an address revokes the one waiting; an account sends at most
  settings.CHAMADO_INVITATIONS_PER_HOUR (20) invitations an hour.
"""

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chamado.accounts.access import (
    invitations_open_by_key,
    membership_manageable_by,
    permissions_grantable_by,
)
from chamado.accounts.emails import CONTACT_PERMISSIONS, CONTACT_REMOVED
from chamado.accounts.models import Account, Invitation, Membership, User
from chamado.accounts.tasks import contact_email_send, invitation_email_send
from chamado.core.audit import audit_record
from chamado.core.errors import ApplicationError, NotFound, RateLimited
from chamado.core.ratelimit import rate_hit
from chamado.core.text import single_line

PERMISSIONS = Membership.PERMISSIONS
INVITATIONS_SCOPE = "contact-invitations"


def invitation_days() -> int:
    return int(getattr(settings, "CHAMADO_INVITATION_DAYS", 7))


def invitations_per_hour() -> int:
    return int(getattr(settings, "CHAMADO_INVITATIONS_PER_HOUR", 20))


def _manager(actor: Any, account_id: int) -> Membership:
    """``actor``'s membership in the account, when it lets them manage contacts there."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise NotFound
    manager = Membership.objects.filter(user_id=actor.pk, account_id=account_id).first()
    if manager is None or not manager.may_contacts:
        raise NotFound
    return manager


def _is_administrator(actor: Any) -> bool:
    return bool(
        getattr(actor, "is_authenticated", False)
        and actor.is_active
        and actor.is_staff
        and actor.has_perm("accounts.change_invitation")
    )


def _permissions(values: Mapping[str, Any]) -> dict[str, bool]:
    unknown = set(values) - set(PERMISSIONS)
    if unknown:
        raise ValueError(f"unknown permissions {sorted(unknown)}")
    return {name: bool(values.get(name, False)) for name in PERMISSIONS}


def _grant_check(manager: Membership, before: dict[str, bool], after: dict[str, bool]) -> None:
    allowed = permissions_grantable_by(manager)
    if any(after[name] != before[name] and name not in allowed for name in PERMISSIONS):
        raise ApplicationError(
            _("You can give or take away only the permissions you have yourself."),
            field="permissions",
        )


def _manageable_check(manager: Membership, membership: Membership) -> None:
    if membership_manageable_by(manager, membership):
        return
    if membership.is_owner:
        raise ApplicationError(
            _("The owner's permissions can't be changed, nor the owner removed.")
        )
    raise ApplicationError(
        _("You can't change or remove your own membership: ask the account's owner.")
    )


def _granted(permissions: Mapping[str, bool]) -> list[str]:
    return [name for name in PERMISSIONS if permissions[name]]


def email_normalise(email: str) -> str:
    """The address as logins store it (one line, lower case), or a refusal."""
    email = single_line(email or "")
    try:
        validate_email(email)
    except ValidationError:
        raise ApplicationError(_("Enter a valid email address."), field="email") from None
    return User.objects.normalize_email(email).lower()


def contact_invite(
    *, actor: Any, account: Account, email: str, permissions: Mapping[str, Any]
) -> Invitation:
    """Invite ``email`` to be a contact of ``account`` with ``permissions``; the email with
    the link is queued in the same transaction. The answer is the same whether the address has
    a login or not."""
    manager = _manager(actor, account.pk)
    email = email_normalise(email)
    wanted = _permissions(permissions)
    _grant_check(manager, dict.fromkeys(PERMISSIONS, False), wanted)
    if Membership.objects.filter(account_id=account.pk, user__email__iexact=email).exists():
        raise ApplicationError(
            _("%(email)s is already a contact of this account.") % {"email": email},
            field="email",
        )
    limit = rate_hit(INVITATIONS_SCOPE, account.pk, limit=invitations_per_hour(), window=3600)
    if not limit.allowed:
        raise RateLimited(
            _("This account has sent many invitations in the last hour. Please try again later."),
            retry_after=limit.retry_after,
            field="email",
        )
    now = timezone.now()
    with transaction.atomic():
        waiting = list(
            Invitation.objects.select_for_update().filter(
                account_id=account.pk, email=email, accepted_at=None, revoked_at=None
            )
        )
        for old in waiting:
            old.revoked_at = now
            old.save(update_fields=["revoked_at"])
        try:
            with transaction.atomic():
                invitation = Invitation.objects.create(
                    account=account,
                    email=email,
                    invited_by=actor,
                    created_at=now,
                    expires_at=now + timedelta(days=invitation_days()),
                    **wanted,
                )
        except IntegrityError:  # the same invitation, sent at the same moment
            raise ApplicationError(
                _("An invitation to %(email)s was sent a moment ago.") % {"email": email},
                field="email",
            ) from None
        audit_record(
            actor=actor,
            verb="contact.invite",
            target=invitation,
            before={"replaced": [old.pk for old in waiting]} if waiting else None,
            after={
                "account": account.pk,
                "email": email,
                **wanted,
                "expires_at": invitation.expires_at.isoformat(),
            },
        )
        invitation_email_send.enqueue(invitation.pk)
    return invitation


def _open_for_update(invitation_key: str) -> Invitation:
    invitation = invitations_open_by_key(invitation_key).select_for_update(of=("self",)).first()
    if invitation is None:
        raise NotFound
    return invitation


def _accepted(
    invitation: Invitation, user: User, membership: Membership, *, new_login: bool, already: bool
) -> None:
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(
        actor=user,
        verb="contact.accept",
        target=membership,
        after={
            "invitation": invitation.pk,
            "account": invitation.account_id,
            "email": invitation.email,
            "new_login": new_login,
            **({"already_contact": True} if already else invitation.permissions),
        },
    )


def invitation_accept_existing(*, invitation_key: str, user: Any) -> Membership:
    """``user`` (logged in, with the invited address) joins the account with the invited
    permissions and acts for it from now on. A person who became its contact meanwhile keeps
    their membership as it is; the invitation is used all the same."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise NotFound
    with transaction.atomic():
        invitation = _open_for_update(invitation_key)
        if user.email.lower() != invitation.email.lower():
            raise ApplicationError(
                _("This invitation was sent to another email address."), code="other_email"
            )
        membership = Membership.objects.filter(
            user_id=user.pk, account_id=invitation.account_id
        ).first()
        already = membership is not None
        if membership is None:
            membership = Membership.objects.create(
                user=user, account=invitation.account, **invitation.permissions
            )
        _accepted(invitation, user, membership, new_login=False, already=already)
        if user.membership_id != membership.pk:
            user.membership = membership
            user.save(update_fields=["membership"])
    return membership


def invitation_accept_new(
    *, invitation_key: str, full_name: str, password: str, language: str
) -> User:
    """A login for the invited address (verified: the link reached it), a contact of the
    account with the invited permissions; returns the user, to be logged in. When a login with
    that address exists, the person logs in and accepts instead."""
    full_name = single_line(full_name or "")[:150]
    if not full_name:
        raise ApplicationError(_("Give your name."), field="full_name")
    if language not in dict(settings.LANGUAGES):
        raise ApplicationError(_("Choose one of the languages offered."), field="language")
    with transaction.atomic():
        invitation = _open_for_update(invitation_key)
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise ApplicationError(
                _("A login with this email address exists already: log in to accept."),
                code="login_exists",
            )
        try:
            validate_password(password, user=User(email=invitation.email, full_name=full_name))
        except ValidationError as error:
            raise ApplicationError(
                error.messages[0], field="password1", messages=list(error.messages)
            ) from None
        user = User.objects.create_user(
            invitation.email, password, full_name=full_name, language=language
        )
        # accounts.signals makes this first membership the one the person acts for.
        membership = Membership.objects.create(
            user=user, account=invitation.account, **invitation.permissions
        )
        user.membership = membership
        _accepted(invitation, user, membership, new_login=True, already=False)
    return user


def contact_permissions_set(
    *, actor: Any, membership: Membership, permissions: Mapping[str, Any]
) -> Membership:
    """Give the contact exactly ``permissions``; they apply from the contact's next request
    and the contact is told by email. Nothing changes, nothing is written."""
    wanted = _permissions(permissions)
    with transaction.atomic():
        membership = _locked(membership)
        manager = _manager(actor, membership.account_id)
        _manageable_check(manager, membership)
        before = {name: getattr(membership, name) for name in PERMISSIONS}
        if before == wanted:
            return membership
        _grant_check(manager, before, wanted)
        for name, value in wanted.items():
            setattr(membership, name, value)
        membership.save(update_fields=list(PERMISSIONS))
        changed = [name for name in PERMISSIONS if before[name] != wanted[name]]
        audit_record(
            actor=actor,
            verb="contact.permissions",
            target=membership,
            before={"user": membership.user_id, **{name: before[name] for name in changed}},
            after={"user": membership.user_id, **{name: wanted[name] for name in changed}},
        )
        contact_email_send.enqueue(
            CONTACT_PERMISSIONS, membership.user_id, membership.account_id, _granted(wanted)
        )
    return membership


def _locked(membership: Membership) -> Membership:
    found = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user", "account")
        .filter(pk=membership.pk)
        .first()
    )
    if found is None:
        raise NotFound
    return found


def contact_remove(*, actor: Any, membership: Membership) -> None:
    """The contact leaves the account: from their next request they reach none of its tickets
    or services (they act for another of their accounts, if any), and they are told by email."""
    with transaction.atomic():
        membership = _locked(membership)
        manager = _manager(actor, membership.account_id)
        _manageable_check(manager, membership)
        user_id, account_id = membership.user_id, membership.account_id
        audit_record(
            actor=actor,
            verb="contact.remove",
            target=membership,
            before={
                "user": user_id,
                "email": membership.user.email,
                "account": account_id,
                **{name: getattr(membership, name) for name in PERMISSIONS},
            },
        )
        membership.delete()
        contact_email_send.enqueue(CONTACT_REMOVED, user_id, account_id, [])


def invitation_revoke(*, actor: Any, invitation: Invitation) -> Invitation:
    """The invitation's link stops working at once. By whoever manages the account's contacts,
    or an administrator; revoking a used or revoked invitation changes nothing."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not _is_administrator(actor):
            _manager(actor, invitation.account_id)
        if not invitation.is_pending:
            return invitation
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            verb="invitation.revoke",
            target=invitation,
            before={"revoked_at": None},
            after={"email": invitation.email, "revoked_at": invitation.revoked_at.isoformat()},
        )
    return invitation
