"""Reads of accounts and their people."""

from django.db.models import QuerySet

from chamado.accounts.models import Invitation, Membership, User


def membership_list_for_account(account_id: int) -> QuerySet[Membership]:
    """The account's people (the owner first), each with what they may do there."""
    return Membership.objects.filter(account_id=account_id).select_related("user")


def membership_list_for_user(user_id: int) -> QuerySet[Membership]:
    """The accounts a person belongs to, by name (the account switcher)."""
    return (
        Membership.objects.filter(user_id=user_id)
        .select_related("account")
        .order_by("account__name", "pk")
    )


def invitation_list_waiting(account_id: int) -> QuerySet[Invitation]:
    """The account's invitations neither accepted nor revoked (expired ones too: the page says
    so), newest first."""
    return Invitation.objects.filter(account_id=account_id, accepted_at=None, revoked_at=None)


def user_exists_with_email(email: str) -> bool:
    """Whether a login has this address (in any case)."""
    return User.objects.filter(email__iexact=email).exists()
