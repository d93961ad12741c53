"""Account forms."""

from typing import Any

from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from chamado.accounts.emails import PASSWORD_RESET
from chamado.accounts.tasks import account_email_send
from chamado.core.cache import cache_get, cache_increment

LOGIN_MAX_FAILURES = 10
LOGIN_LOCK_MINUTES = 15


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form, with Chamado's own email queued for the worker instead of sent
    in-request. The request only names the user: the worker builds the link from SITE_URL
    (never from the Host header) and the token at send time, in the user's saved language."""

    def save(self, *args: Any, **kwargs: Any) -> None:
        for user in self.get_users(self.cleaned_data["email"]):
            account_email_send.enqueue(PASSWORD_RESET, user.pk)


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's login form, refusing further tries for an email after repeated failures."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _(
            "Too many failed attempts for this email. Wait %(minutes)d minutes and try again, "
            "or reset your password."
        ),
    }

    def clean(self) -> dict[str, Any]:
        email = (self.cleaned_data.get("username") or "").strip().lower()
        key = f"login-failures:{email}"
        if email and (cache_get(key) or 0) >= LOGIN_MAX_FAILURES:
            raise ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": LOGIN_LOCK_MINUTES},
            )
        try:
            return super().clean()
        except ValidationError:
            if email:
                cache_increment(key, LOGIN_LOCK_MINUTES * 60)
            raise
