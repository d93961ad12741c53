"""Account forms."""

from typing import Any

from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.template import loader
from django.utils.translation import gettext_lazy as _

from chamado.accounts.tasks import account_email_send
from chamado.core.cache import cache_get, cache_increment

LOGIN_MAX_FAILURES = 10
LOGIN_LOCK_MINUTES = 15


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form, with the email queued for the worker instead of sent in-request."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        html = (
            loader.render_to_string(html_email_template_name, context)
            if html_email_template_name
            else None
        )
        account_email_send.enqueue(subject, body, to_email, html)


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
