"""Background email for accounts (password reset), so no request waits on the mail server."""

from django.core.mail import EmailMultiAlternatives
from django.tasks import task


@task()
def account_email_send(subject: str, body: str, to: str, html: str | None = None) -> None:
    email = EmailMultiAlternatives(subject=subject, body=body, to=[to])
    if html:
        email.attach_alternative(html, "text/html")
    email.send()
