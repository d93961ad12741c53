"""Who may manage which contacts, and the only ways the pages reach a contact or an invitation.

Missing and forbidden look the same (NotFound), so a page never tells that another account's
contact exists. The rules themselves (`membership_manageable_by`, `permissions_grantable_by`)
are pure; accounts.contacts applies them to every write, the pages to what they offer."""

import hashlib
from typing import Any

from django.utils import timezone

from chamado.accounts.models import Account, Invitation, Membership
from chamado.core.errors import NotFound

ID_LIMIT = 2**63  # beyond the database's integer, an id can only be a miss


def membership_manageable_by(manager: Membership | None, membership: Membership) -> bool:
    """``manager`` (a membership of someone who manages contacts) may change or remove
    ``membership``: one of the same account, never the owner's, never their own (nobody raises
    or locks out themselves)."""
    return bool(
        manager is not None
        and manager.may_contacts
        and manager.account_id == membership.account_id
        and not membership.is_owner
        and manager.pk != membership.pk
    )


def permissions_grantable_by(manager: Membership | None) -> set[str]:
    """The permissions ``manager`` may give or take away: the owner every one; a contact who
    manages contacts only those they have themselves (so `contacts`, and `tickets` or
    `services` if theirs), so nobody hands out more than they hold."""
    if manager is None or not manager.may_contacts:
        return set()
    if manager.is_owner:
        return set(Membership.PERMISSIONS)
    return {name for name in Membership.PERMISSIONS if getattr(manager, name)}


def _as_id(value: int | str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise NotFound from None
    if not 0 < number < ID_LIMIT:
        raise NotFound
    return number


def access_contacts_account(actor: Any) -> Account:
    """The account whose contacts ``actor`` manages now: the one they act for, if they may
    manage its contacts (read from the membership loaded with the user, every request)."""
    if not getattr(actor, "is_authenticated", False) or not actor.may_manage_contacts:
        raise NotFound
    return actor.membership.account


def access_membership_for_manager(actor: Any, membership_id: int | str) -> Membership:
    """A contact of the account ``actor`` acts for, that ``actor`` may change or remove
    (`membership_manageable_by`). Another account's, the owner's, their own, or no permission
    to manage contacts: NotFound."""
    account = access_contacts_account(actor)
    membership = (
        Membership.objects.select_related("user", "account")
        .filter(pk=_as_id(membership_id), account_id=account.pk)
        .first()
    )
    if membership is None or not membership_manageable_by(actor.membership, membership):
        raise NotFound
    return membership


def access_invitation_for_manager(actor: Any, invitation_id: int | str) -> Invitation:
    """A waiting invitation of the account ``actor`` acts for and manages; else NotFound."""
    account = access_contacts_account(actor)
    invitation = (
        Invitation.objects.select_related("account")
        .filter(pk=_as_id(invitation_id), account_id=account.pk, accepted_at=None, revoked_at=None)
        .first()
    )
    if invitation is None:
        raise NotFound
    return invitation


def invitation_key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def invitations_open_by_key(key: str) -> Any:
    """The open invitation with this key, as a queryset (empty for an unknown, used, revoked or
    expired key), for the action that locks it."""
    return Invitation.objects.filter(
        key_hash=invitation_key_hash(key or ""),
        accepted_at=None,
        revoked_at=None,
        expires_at__gt=timezone.now(),
    ).select_related("account", "invited_by")


def access_invitation_by_key(key: str) -> Invitation:
    """The open invitation a link's key names. Unknown, used, revoked and expired keys are all
    the same NotFound: the page says only that the invitation is no longer valid."""
    if not key or len(key) > 200:
        raise NotFound
    invitation = invitations_open_by_key(key).first()
    if invitation is None:
        raise NotFound
    return invitation
