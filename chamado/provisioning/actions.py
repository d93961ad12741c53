"""What a billing system (an administrator's API token) creates and updates: client accounts,
their contacts with permissions, and services with their status.

Every call names the object by the caller's own external id and says what it should be, so a
call made twice (a retry after a timeout) finds the object the first one made and changes
nothing: no duplicate, no audit entry, ``changed`` false."""

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from chamado.accounts.models import Account, Membership, User
from chamado.core.audit import audit_record
from chamado.core.errors import ApplicationError, NotFound
from chamado.core.text import single_line
from chamado.provisioning.models import ExternalId
from chamado.services.models import Service


@dataclass
class Provisioned[M: Model]:
    obj: M
    external_id: str
    created: bool = False
    changed: list[str] = field(default_factory=list)


def may_provision(actor: Any) -> bool:
    """Only administrators provision (the billing system's token is an administrator's)."""
    return bool(
        getattr(actor, "is_authenticated", False) and actor.is_active and actor.is_superuser
    )


def _check_actor(actor: Any) -> None:
    if not may_provision(actor):
        raise ApplicationError(
            _("Only an administrator's token may create accounts, contacts and services."),
            code="forbidden",
        )


def _clean_id(value: str, field_name: str = "external_id") -> str:
    value = single_line(value or "")
    if not value or len(value) > 100:
        raise ApplicationError(_("Give an external id of 1 to 100 characters."), field=field_name)
    return value


def _clean_text(value: str, field_name: str, limit: int, *, required: bool = True) -> str:
    value = single_line(value or "")
    if required and not value:
        raise ApplicationError(_("This field is required."), field=field_name)
    if len(value) > limit:
        raise ApplicationError(
            _("Write at most %(limit)d characters.") % {"limit": limit}, field=field_name
        )
    return value


def _lookup(kind: str, external_id: str) -> int | None:
    return (
        ExternalId.objects.filter(kind=kind, external_id=external_id)
        .values_list("object_id", flat=True)
        .first()
    )


def account_by_external_id(external_id: str) -> Account:
    object_id = _lookup(ExternalId.Kind.ACCOUNT, external_id)
    account = Account.objects.filter(pk=object_id).first() if object_id else None
    if account is None:
        raise NotFound
    return account


def _apply(obj: Model, wanted: dict[str, Any]) -> list[str]:
    changed = [name for name, value in wanted.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, wanted[name])
    return changed


def _upsert[M: Model](
    *,
    actor: Any,
    kind: str,
    external_id: str,
    model: type[M],
    wanted: dict[str, Any],
    create: Any,
    verb: str,
) -> Provisioned[M]:
    """Find the object behind (kind, external_id) and bring it to ``wanted``, or create it.
    Two identical first calls at once: one creates, the other retries and finds it."""
    for attempt in range(2):
        try:
            with transaction.atomic():
                mapping = (
                    ExternalId.objects.select_for_update()
                    .filter(kind=kind, external_id=external_id)
                    .first()
                )
                obj = (
                    model._default_manager.select_for_update().filter(pk=mapping.object_id).first()
                    if mapping
                    else None
                )
                if obj is None:
                    obj = create()
                    if mapping:
                        mapping.object_id = obj.pk
                        mapping.save(update_fields=["object_id"])
                    else:
                        ExternalId.objects.create(
                            kind=kind, external_id=external_id, object_id=obj.pk
                        )
                    audit_record(
                        actor=actor,
                        verb=f"{verb}.create",
                        target=obj,
                        after={"external_id": external_id, **_plain(wanted)},
                    )
                    return Provisioned(obj=obj, external_id=external_id, created=True)
                before = {name: getattr(obj, name) for name in wanted}
                changed = _apply(obj, wanted)
                if changed:
                    obj.full_clean(validate_unique=False, validate_constraints=False)
                    obj.save(update_fields=changed)
                    audit_record(
                        actor=actor,
                        verb=f"{verb}.update",
                        target=obj,
                        before=_plain({name: before[name] for name in changed}),
                        after=_plain({name: wanted[name] for name in changed}),
                    )
                return Provisioned(obj=obj, external_id=external_id, changed=changed)
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    return {name: getattr(value, "pk", value) for name, value in values.items()}


def account_provision(*, actor: Any, external_id: str, name: str) -> Provisioned[Account]:
    _check_actor(actor)
    external_id = _clean_id(external_id)
    name = _clean_text(name, "name", 200)
    return _upsert(
        actor=actor,
        kind=ExternalId.Kind.ACCOUNT,
        external_id=external_id,
        model=Account,
        wanted={"name": name},
        create=lambda: Account.objects.create(name=name),
        verb="account.provision",
    )


def service_provision(
    *,
    actor: Any,
    account_external_id: str,
    external_id: str,
    name: str,
    label: str,
    status: str,
    details: str = "",
) -> Provisioned[Service]:
    _check_actor(actor)
    account = account_by_external_id(_clean_id(account_external_id, "account"))
    external_id = _clean_id(external_id)
    if status not in Service.Status.values:
        raise ApplicationError(_("Choose a status from the list."), field="status")
    wanted = {
        "account": account,
        "name": _clean_text(name, "name", 120),
        "label": _clean_text(label, "label", 200),
        "status": status,
        "details": (details or "").strip()[:5000],
    }
    return _upsert(
        actor=actor,
        kind=ExternalId.Kind.SERVICE,
        external_id=external_id,
        model=Service,
        wanted=wanted,
        create=lambda: Service.objects.create(**wanted),
        verb="service.provision",
    )


PERMISSIONS = ("is_owner", *Membership.PERMISSIONS)


def contact_provision(
    *,
    actor: Any,
    account_external_id: str,
    external_id: str,
    email: str,
    full_name: str,
    language: str = "",
    permissions: dict[str, bool],
) -> Provisioned[Membership]:
    """A person in the account with these permissions. The person is found by email (one
    login per person, whatever accounts they are in) or created without a password: they
    choose one with "Forgot your password?". A contact's email is the person's own login and
    changes only by them, in their profile: a different email for a known external id is a
    conflict, not a change."""
    _check_actor(actor)
    account = account_by_external_id(_clean_id(account_external_id, "account"))
    external_id = _clean_id(external_id)
    email = User.objects.normalize_email(_clean_text(email, "email", 254)).lower()
    if "@" not in email:
        raise ApplicationError(_("Enter a valid email address."), field="email")
    full_name = _clean_text(full_name, "full_name", 150)
    language = language or settings.LANGUAGE_CODE
    if language not in dict(settings.LANGUAGES):
        raise ApplicationError(_("Choose one of the languages offered."), field="language")
    flags = {name: bool(permissions.get(name, False)) for name in PERMISSIONS}
    known = _lookup(ExternalId.Kind.CONTACT, external_id)
    if known is not None:
        current = Membership.objects.select_related("user").filter(pk=known).first()
        if current is not None and current.user.email != email:
            raise ApplicationError(
                _(
                    "This contact signs in with another email; the person changes it in "
                    "their profile."
                ),
                field="email",
                code="conflict",
            )
        if current is not None and current.account_id != account.pk:
            raise ApplicationError(
                _("This external id names a contact of another account."),
                field="external_id",
                code="conflict",
            )

    def create() -> Membership:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User.objects.create_user(email, None, full_name=full_name, language=language)
        elif Membership.objects.filter(user=user, account=account).exists():
            raise ApplicationError(
                _("This person is already a contact of the account (under another external id)."),
                field="email",
                code="conflict",
            )
        _owner_make_room(account, flags)
        return Membership.objects.create(user=user, account=account, **flags)

    with transaction.atomic():
        if known is not None and flags["is_owner"]:
            _owner_make_room(account, flags, keep=known)
        return _upsert(
            actor=actor,
            kind=ExternalId.Kind.CONTACT,
            external_id=external_id,
            model=Membership,
            wanted={"account": account, **flags},
            create=create,
            verb="contact.provision",
        )


def _owner_make_room(account: Account, flags: dict[str, bool], keep: int | None = None) -> None:
    """An account has one owner: naming a new one makes the former owner a contact with the
    tickets permission."""
    if flags["is_owner"]:
        former = Membership.objects.filter(account=account, is_owner=True)
        if keep is not None:
            former = former.exclude(pk=keep)
        former.update(is_owner=False, can_tickets=True)
