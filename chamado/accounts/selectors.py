"""Reads of accounts and their people."""

from django.db.models import QuerySet

from chamado.accounts.models import Membership


def membership_list_for_account(account_id: int | None) -> QuerySet[Membership]:
    """The account's people (the owner first), each with what they may do there."""
    return Membership.objects.filter(account_id=account_id).select_related("user")


def membership_list_for_user(user_id: int | None) -> QuerySet[Membership]:
    """The accounts a person belongs to, by name (the account switcher)."""
    return (
        Membership.objects.filter(user_id=user_id)
        .select_related("account")
        .order_by("account__name", "pk")
    )
