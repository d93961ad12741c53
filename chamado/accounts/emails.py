"""Chamado's own account emails (password reset, confirming a new email address), built by the
worker in the user's saved language, with links from settings.SITE_URL: never from a request,
whose Host header the sender controls. Their keys are made here, at send time, so no queued
task holds one: a task names only the kind and the user."""

from urllib.parse import urlsplit

from allauth.account import app_settings as account_settings
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, make_msgid
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from chamado.accounts.models import User

PASSWORD_RESET = "password_reset"
EMAIL_CONFIRMATION = "email_confirmation"
KINDS = (PASSWORD_RESET, EMAIL_CONFIRMATION)


def site_link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def password_reset_link(user: User) -> str:
    """allauth's reset page for the user; its key is void once the password (or the email)
    changes, or after PASSWORD_RESET_TIMEOUT."""
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    path = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )
    return site_link(path)


def email_confirmation_link(address: object) -> str:
    """allauth's confirmation page for the new address (a signed key of the address row)."""
    from allauth.account.models import EmailConfirmationHMAC

    key = EmailConfirmationHMAC(address).key  # type: ignore[arg-type]
    return site_link(reverse("account_confirm_email", args=[key]))


def pending_email_address(user: User) -> object | None:
    """The address ``user`` is changing to and has not confirmed yet, if any."""
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.get_new(user)


def account_email(kind: str, user: User) -> EmailMultiAlternatives | None:
    """The email of ``kind`` for ``user``: text and HTML, in ``user.language``; None when
    there is nothing to send (no change of address waiting, or not one that could be made)."""
    if kind not in KINDS:
        raise ValueError(f"unknown account email {kind!r}")
    language = user.language or settings.LANGUAGE_CODE
    recipient = user.email
    with translation.override(language):
        context = {
            "user": user,
            "site": urlsplit(settings.SITE_URL).netloc or settings.SITE_URL,
            "site_url": site_link("/"),
            "html_lang": translation.to_locale(language).replace("_", "-"),
        }
        if kind == PASSWORD_RESET:
            context["link"] = password_reset_link(user)
            context["hours"] = max(settings.PASSWORD_RESET_TIMEOUT // 3600, 1)
            subject = _("Choose a new Chamado password for %(site)s") % {"site": context["site"]}
        else:
            address = pending_email_address(user)
            recipient = getattr(address, "email", "")
            # Cancelled meanwhile, or another login's address: the page answered as for any
            # address (nothing tells who has a login here), and nobody is written to.
            if not recipient or User.objects.filter(email__iexact=recipient).exists():
                return None
            context["new_email"] = recipient
            context["link"] = email_confirmation_link(address)
            context["days"] = account_settings.EMAIL_CONFIRMATION_EXPIRE_DAYS
            subject = _("Confirm your new email address for Chamado at %(site)s") % {
                "site": context["site"]
            }
        text = render_to_string(f"registration/{kind}_email.txt", context)
        html = render_to_string(f"registration/{kind}_email.html", context)
    email = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient],
        headers={
            "Message-ID": make_msgid(domain=settings.MESSAGE_ID_DOMAIN),
            "Auto-Submitted": "auto-generated",
            "X-Auto-Response-Suppress": "All",
        },
    )
    email.attach_alternative(html, "text/html")
    return email
