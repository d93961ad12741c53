"""Agents: a login made in one step with its departments, invited by email to choose a password.

It lives in tickets because departments do (accounts may not import tickets); the email is the
accounts' own (accounts.emails.AGENT_INVITATION), sent by its worker task."""

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from chamado.accounts.contacts import email_normalise
from chamado.accounts.emails import AGENT_INVITATION
from chamado.accounts.models import User
from chamado.accounts.tasks import account_email_send
from chamado.core.audit import audit_record
from chamado.core.errors import ApplicationError
from chamado.core.text import single_line
from chamado.tickets.models import Department


def _taken(email: str) -> ApplicationError:
    return ApplicationError(_("A login with this email address exists already."), field="email")


def agent_create(
    *,
    actor: Any,
    email: str,
    full_name: str,
    language: str,
    departments: Sequence[Department],
    is_admin: bool = False,
) -> User:
    """Make an agent: a login with no usable password, in ``departments``, then email them a
    link to choose their password (in ``language``, from SITE_URL, at send time). An
    administrator (``is_admin``: the admin site and every permission) may only be made by one."""
    if not (
        getattr(actor, "is_active", False)
        and getattr(actor, "is_staff", False)
        and actor.has_perm("accounts.add_user")
    ):
        raise ApplicationError(_("Only administrators may add agents."))
    if is_admin and not actor.is_superuser:
        raise ApplicationError(
            _("Only an administrator with every permission may make another."), field="is_admin"
        )
    email = email_normalise(email)
    full_name = single_line(full_name or "")[:150]
    if not full_name:
        raise ApplicationError(_("Give the agent's name."), field="full_name")
    if language not in dict(settings.LANGUAGES):
        raise ApplicationError(_("Choose one of the languages offered."), field="language")
    chosen = list(dict.fromkeys(departments))
    if not chosen and not is_admin:
        raise ApplicationError(_("Choose at least one department."), field="departments")
    if User.objects.filter(email__iexact=email).exists():
        raise _taken(email)
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email,
                password=None,  # unusable until they choose one through the emailed link
                full_name=full_name,
                language=language,
                is_agent=True,
                is_staff=is_admin,
                is_superuser=is_admin,
            )
            user.departments.set(chosen)
            audit_record(
                actor=actor,
                verb="agent.create",
                target=user,
                after={
                    "email": email,
                    "language": language,
                    "departments": [department.slug for department in chosen],
                    "is_admin": is_admin,
                },
            )
            account_email_send.enqueue(AGENT_INVITATION, user.pk)
    except IntegrityError:  # the same address, added at the same moment
        raise _taken(email) from None
    return user
