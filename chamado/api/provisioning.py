"""Provisioning for a billing system (an administrator's token): client accounts, their
contacts with permissions and their services, each named by the caller's own external id.

Every write is a PUT of what the object should be: a call repeated after a timeout lands on
the same object and changes nothing (`created` false, `changed` empty). The rules are
provisioning.actions'; these views only translate."""

from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Path, Router, Schema, Status
from pydantic import Field

from chamado.accounts.models import Membership
from chamado.api.schemas import ErrorOut
from chamado.api.views import BODY_ERRORS, ERRORS
from chamado.core.errors import NotFound
from chamado.provisioning.actions import (
    Provisioned,
    account_by_external_id,
    account_provision,
    contact_provision,
    may_provision,
    service_provision,
)
from chamado.provisioning.models import ExternalId
from chamado.services.models import Service

provisioning = Router(tags=["provisioning"])

ExternalIdPath = Annotated[str, Path(min_length=1, max_length=100, examples=["crm-1042"])]
ADMIN_ERRORS: dict[int, Any] = {**BODY_ERRORS, 403: ErrorOut, 409: ErrorOut}  # 403: read-only


def _admin(request: HttpRequest) -> Any:
    """Administrators only; anyone else gets 404, as if provisioning did not exist (as the
    desk's endpoints answer those who are not agents)."""
    user = request.auth  # type: ignore[attr-defined]
    if not may_provision(user):
        raise NotFound
    return user


class Result(Schema):
    external_id: str = Field(examples=["crm-1042"])
    id: int = Field(description="Chamado's own id.", examples=[7])
    created: bool = Field(description="True when this call created the object.")
    changed: list[str] = Field(
        description="The fields this call changed; empty when nothing did (a repeated call).",
        examples=[["name"]],
    )


class AccountIn(Schema):
    name: str = Field(min_length=1, max_length=200, examples=["Acme Hospedagem"])


class ContactIn(Schema):
    email: str = Field(
        min_length=3,
        max_length=254,
        description="The person's login: one per person, whatever accounts they belong to.",
        examples=["bruno@acme.com.br"],
    )
    full_name: str = Field(min_length=1, max_length=150, examples=["Bruno Lima"])
    language: Literal["en", "pt-br"] = Field("en", description="The language of their emails.")
    owner: bool = Field(
        False, description="The account's owner (every permission; one per account)."
    )
    tickets: bool = Field(False, description="May open and see the account's tickets.")
    contacts: bool = Field(False, description="May invite, change and remove contacts.")
    services: bool = Field(False, description="May see the account's services.")


class ServiceIn(Schema):
    name: str = Field(
        min_length=1, max_length=120, description="The product.", examples=["VPS 2GB"]
    )
    label: str = Field(
        min_length=1,
        max_length=200,
        description="For example the domain.",
        examples=["vps.acme.com.br"],
    )
    status: Literal["active", "suspended", "cancelled"] = Field(examples=["active"])
    details: str = Field("", max_length=5000, description="Shown to agents.")


class ContactOut(Schema):
    external_id: str | None
    email: str
    full_name: str
    owner: bool
    tickets: bool
    contacts: bool
    services: bool


class ProvisionedServiceOut(Schema):
    external_id: str | None
    id: int
    name: str
    label: str
    status: str
    details: str


class ProvisionedAccountOut(Schema):
    external_id: str
    id: int
    name: str
    contacts: list[ContactOut]
    services: list[ProvisionedServiceOut]


def _result(done: Provisioned[Any]) -> Status:
    return Status(
        201 if done.created else 200,
        Result(
            external_id=done.external_id, id=done.obj.pk, created=done.created, changed=done.changed
        ),
    )


@provisioning.put(
    "/accounts/{external_id}",
    response={200: Result, 201: Result, **ADMIN_ERRORS},
    summary="Create or update a client account",
)
def account_put(request: HttpRequest, external_id: ExternalIdPath, payload: AccountIn) -> Any:
    """201 when this call created the account, 200 otherwise (`changed` lists what changed,
    empty for a repeated call)."""
    actor = _admin(request)
    return _result(account_provision(actor=actor, external_id=external_id, name=payload.name))


@provisioning.get(
    "/accounts/{external_id}",
    response={200: ProvisionedAccountOut, **ERRORS, 403: ErrorOut},
    summary="A provisioned account with its contacts and services",
)
def account_get(request: HttpRequest, external_id: ExternalIdPath) -> ProvisionedAccountOut:
    _admin(request)
    account = account_by_external_id(external_id)
    memberships = list(Membership.objects.filter(account=account).select_related("user"))
    services = list(Service.objects.filter(account=account).order_by("pk"))
    refs = {
        (ref.kind, ref.object_id): ref.external_id
        for ref in ExternalId.objects.filter(
            kind__in=[ExternalId.Kind.CONTACT, ExternalId.Kind.SERVICE],
            object_id__in=[m.pk for m in memberships] + [s.pk for s in services],
        )
    }
    return ProvisionedAccountOut(
        external_id=external_id,
        id=account.pk,
        name=account.name,
        contacts=[
            ContactOut(
                external_id=refs.get((ExternalId.Kind.CONTACT, m.pk)),
                email=m.user.email,
                full_name=m.user.full_name,
                owner=m.is_owner,
                tickets=m.can_tickets,
                contacts=m.can_contacts,
                services=m.can_services,
            )
            for m in memberships
        ],
        services=[
            ProvisionedServiceOut(
                external_id=refs.get((ExternalId.Kind.SERVICE, s.pk)),
                id=s.pk,
                name=s.name,
                label=s.label,
                status=s.status,
                details=s.details,
            )
            for s in services
        ],
    )


@provisioning.put(
    "/accounts/{account_id}/contacts/{external_id}",
    response={200: Result, 201: Result, **ADMIN_ERRORS},
    summary="Create or update a contact of the account, with its permissions",
)
def contact_put(
    request: HttpRequest,
    account_id: ExternalIdPath,
    external_id: ExternalIdPath,
    payload: ContactIn,
) -> Any:
    """`account_id` is the account's external id. The person is found by email (or created
    without a password: they choose one with “Forgot your password?”); the permissions are
    this account's only. Naming a new owner makes the former one a contact with `tickets`."""
    actor = _admin(request)
    return _result(
        contact_provision(
            actor=actor,
            account_external_id=account_id,
            external_id=external_id,
            email=payload.email,
            full_name=payload.full_name,
            language=payload.language,
            permissions={
                "is_owner": payload.owner,
                "can_tickets": payload.tickets,
                "can_contacts": payload.contacts,
                "can_services": payload.services,
            },
        ),
    )


@provisioning.put(
    "/accounts/{account_id}/services/{external_id}",
    response={200: Result, 201: Result, **ADMIN_ERRORS},
    summary="Create or update a service of the account, with its status",
)
def service_put(
    request: HttpRequest,
    account_id: ExternalIdPath,
    external_id: ExternalIdPath,
    payload: ServiceIn,
) -> Any:
    """`account_id` is the account's external id."""
    actor = _admin(request)
    return _result(
        service_provision(
            actor=actor,
            account_external_id=account_id,
            external_id=external_id,
            name=payload.name,
            label=payload.label,
            status=payload.status,
            details=payload.details,
        ),
    )
