"""Account forms."""

from typing import Any

from django.contrib.auth.forms import PasswordResetForm
from django.template import loader

from chamado.accounts.tasks import account_email_send


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
