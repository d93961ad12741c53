"""Chamado's own account emails (password reset), built by the worker in the user's saved
language, with links from settings.SITE_URL: never from a request, whose Host header the
sender controls. The reset token is made here, at send time, so no queued task holds it."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives, make_msgid
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from chamado.accounts.models import User

PASSWORD_RESET = "password_reset"
KINDS = (PASSWORD_RESET,)


def site_link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def password_reset_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return site_link(reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token}))


def account_email(kind: str, user: User) -> EmailMultiAlternatives:
    """The email of ``kind`` for ``user``: text and HTML, in ``user.language``."""
    if kind not in KINDS:
        raise ValueError(f"unknown account email {kind!r}")
    language = user.language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "user": user,
            "site": urlsplit(settings.SITE_URL).netloc or settings.SITE_URL,
            "site_url": site_link("/"),
            "link": password_reset_link(user),
            "hours": max(settings.PASSWORD_RESET_TIMEOUT // 3600, 1),
            "html_lang": translation.to_locale(language).replace("_", "-"),
        }
        subject = _("Choose a new Chamado password for %(site)s") % {"site": context["site"]}
        text = render_to_string(f"registration/{kind}_email.txt", context)
        html = render_to_string(f"registration/{kind}_email.html", context)
    email = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={
            "Message-ID": make_msgid(domain=settings.MESSAGE_ID_DOMAIN),
            "Auto-Submitted": "auto-generated",
            "X-Auto-Response-Suppress": "All",
        },
    )
    email.attach_alternative(html, "text/html")
    return email
