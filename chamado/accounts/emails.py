"""Chamado's own account emails (password reset, confirming a new email address, a new agent's
invitation to choose a password; a contact's invitation, changed permissions and removal),
built by the worker in the recipient's saved language, with links from settings.SITE_URL: never
from a request, whose Host header the sender controls. Their keys are made here, at send time,
so no queued task holds one: a task names only the kind and the user (or the invitation)."""

from typing import Any
from urllib.parse import urlsplit

from allauth.account import app_settings as account_settings
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, make_msgid
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from chamado.accounts.models import Account, Invitation, Membership, User

PASSWORD_RESET = "password_reset"
EMAIL_CONFIRMATION = "email_confirmation"
# A new agent's invitation to choose a password (tickets.agents.agent_create): a password reset
# link, in words for someone who never had one.
AGENT_INVITATION = "agent_invitation"
KINDS = (PASSWORD_RESET, EMAIL_CONFIRMATION, AGENT_INVITATION)
# About a contact of an account (accounts.contacts): sent by tasks.contact_email_send.
CONTACT_INVITATION = "contact_invitation"
CONTACT_PERMISSIONS = "contact_permissions"
CONTACT_REMOVED = "contact_removed"
CONTACT_KINDS = (CONTACT_PERMISSIONS, CONTACT_REMOVED)


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
        elif kind == AGENT_INVITATION:
            context["link"] = password_reset_link(user)
            context["hours"] = max(settings.PASSWORD_RESET_TIMEOUT // 3600, 1)
            context["login_link"] = site_link(reverse("login"))
            subject = _("You are invited to answer tickets in Chamado at %(site)s") % {
                "site": context["site"]
            }
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
    return _message(subject, recipient, text, html)


def _message(subject: str, recipient: str, text: str, html: str) -> EmailMultiAlternatives:
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


def _context(language: str) -> dict[str, Any]:
    return {
        "site": urlsplit(settings.SITE_URL).netloc or settings.SITE_URL,
        "site_url": site_link("/"),
        "html_lang": translation.to_locale(language).replace("_", "-"),
    }


def _permission_names(names: list[str]) -> list[str]:
    """The permissions' names in the active language, in the pages' order."""
    return [
        str(getattr(Membership._meta.get_field(name), "verbose_name", name))
        for name in Membership.PERMISSIONS
        if name in names
    ]


def invitation_link(key: str) -> str:
    return site_link(reverse("invitation_accept", args=[key]))


def invitation_email(invitation: Invitation, key: str) -> EmailMultiAlternatives:
    """The invitation to ``invitation.email``, with the link that holds ``key``. Written in the
    saved language of the login with that address if there is one, else in the inviter's (a
    colleague's language is the best guess), else the site's; nothing in it says which."""
    person = User.objects.filter(email__iexact=invitation.email).first()
    inviter = invitation.invited_by
    language = (
        (person.language if person else None)
        or (inviter.language if inviter else None)
        or settings.LANGUAGE_CODE
    )
    with translation.override(language):
        context = {
            **_context(language),
            "account": invitation.account.name,
            "inviter": (inviter.full_name or inviter.email) if inviter else "",
            "permissions": _permission_names(
                [name for name, value in invitation.permissions.items() if value]
            ),
            "link": invitation_link(key),
            "days": max((invitation.expires_at - invitation.created_at).days, 1),
        }
        subject = _("You are invited to %(account)s on Chamado") % {
            "account": invitation.account.name
        }
        text = render_to_string(f"registration/{CONTACT_INVITATION}_email.txt", context)
        html = render_to_string(f"registration/{CONTACT_INVITATION}_email.html", context)
    return _message(subject, invitation.email, text, html)


def contact_email(
    kind: str, user: User, account: Account, permissions: list[str]
) -> EmailMultiAlternatives:
    """Tells ``user`` that their permissions in ``account`` are now ``permissions``
    (CONTACT_PERMISSIONS), or that they are no longer its contact (CONTACT_REMOVED)."""
    if kind not in CONTACT_KINDS:
        raise ValueError(f"unknown contact email {kind!r}")
    language = user.language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            **_context(language),
            "user": user,
            "account": account.name,
            "permissions": _permission_names(permissions),
        }
        if kind == CONTACT_PERMISSIONS:
            subject = _("Your permissions in %(account)s have changed") % {"account": account.name}
        else:
            subject = _("You are no longer a contact of %(account)s") % {"account": account.name}
        text = render_to_string(f"registration/{kind}_email.txt", context)
        html = render_to_string(f"registration/{kind}_email.html", context)
    return _message(subject, user.email, text, html)
