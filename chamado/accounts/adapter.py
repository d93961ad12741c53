"""How django-allauth behaves in Chamado: no public signup, failed passwords slowed by
accounts.throttle, account emails sent by the worker, two-factor kept by those who need it."""

import time
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import ngettext

from chamado.accounts import throttle
from chamado.accounts.emails import EMAIL_CONFIRMATION
from chamado.accounts.tasks import account_email_send
from chamado.accounts.two_factor import FACTOR_TYPES, two_factor_required


def wait_message(seconds: int) -> str:
    return ngettext(
        "Too many failed attempts. Wait %(seconds)d second, then try again.",
        "Too many failed attempts. Wait %(seconds)d seconds, then try again.",
        seconds,
    ) % {"seconds": seconds}


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Logins are made by administrators (and, later, by owners' invitations)."""
        return False

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        # Instead of allauth's per-email lock: a wait, checked before the password.
        wait = throttle.signin_wait(request, credentials.get("email") or "")
        if wait:
            raise ValidationError(wait_message(wait), code="throttled")

    def authenticate(self, request: HttpRequest, **credentials: Any) -> Any:
        user = super().authenticate(request, **credentials)
        if user is not None:
            throttle.signin_succeeded(request, credentials.get("email") or user.email)
        return user

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        throttle.signin_failed(request, credentials.get("email") or "")

    def post_login(self, request: HttpRequest, user: Any, **kwargs: Any) -> HttpResponse:
        response = super().post_login(request, user, **kwargs)
        throttle.device_remember(request, response, user.email)
        return response

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """A sign-in of the last few minutes counts as a recent confirmation (allauth counts
        only a separate one): enrolling a second factor right after the password, as the desk
        asks of agents, does not ask for the password again."""
        from allauth.account import app_settings
        from allauth.account.internal.flows.login import get_authentication_records

        request = context.request
        records = get_authentication_records(request, request.user) if request else []
        if records and time.time() - records[-1]["at"] < app_settings.REAUTHENTICATION_TIMEOUT:
            return False
        return super().is_reauthentication_required(app=app, **kwargs)

    def get_password_change_redirect_url(self, request: HttpRequest) -> str:
        return reverse("account_profile")

    def send_confirmation_mail(
        self, request: HttpRequest, emailconfirmation: Any, signup: bool
    ) -> None:
        """The new address's confirmation goes through the worker; the task names only the
        user, and the worker makes the link (from SITE_URL) and its key at send time."""
        account_email_send.enqueue(EMAIL_CONFIRMATION, emailconfirmation.email_address.user_id)


class MfaAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Whoever must use two-factor sign-in keeps at least one second factor."""
        user = authenticator.user
        if not two_factor_required(user):
            return True
        others = Authenticator.objects.filter(user_id=user.pk, type__in=FACTOR_TYPES).exclude(
            pk=authenticator.pk
        )
        return others.exists()

    def get_public_key_credential_rp_entity(self) -> dict[str, str]:
        return {**super().get_public_key_credential_rp_entity(), "name": "Chamado"}
