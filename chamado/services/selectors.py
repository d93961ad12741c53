"""Reads of services."""

from django.db.models import Case, IntegerField, QuerySet, Value, When

from chamado.accounts.models import Account
from chamado.services.models import Service


def service_list_for_account(account: Account) -> QuerySet[Service]:
    """The account's services, active ones first."""
    return (
        Service.objects.filter(account=account)
        .annotate(
            active_first=Case(
                When(status=Service.Status.ACTIVE, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("active_first", "name", "label")
    )
