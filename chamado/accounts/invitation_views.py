"""The page an invitation's link opens, /accounts/invitations/<key>/: a person without a login
makes one and joins; a person with a login logs in, then joins; someone logged in with another
address is told to log out first. Unknown, used, revoked and expired keys all get the same page
(nothing tells whether the address has a login). Parse, call one action of accounts.contacts,
render."""

from typing import Any
from urllib.parse import urlencode

from allauth.account.utils import perform_login
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from chamado.accounts.access import access_invitation_by_key
from chamado.accounts.contacts import invitation_accept_existing, invitation_accept_new
from chamado.accounts.invitation_forms import InvitationAcceptForm
from chamado.accounts.models import Invitation
from chamado.accounts.selectors import user_exists_with_email
from chamado.core.errors import ApplicationError, NotFound


def _invalid(request: HttpRequest) -> HttpResponse:
    return render(request, "account/invitation_invalid.html", status=404)


@never_cache
@sensitive_post_parameters("password1", "password2")
def invitation_accept(request: HttpRequest, key: str) -> HttpResponse:
    try:
        invitation = access_invitation_by_key(key)
    except NotFound:
        return _invalid(request)
    user: Any = request.user
    if user.is_authenticated:
        return _join(request, key, invitation, user)
    if user_exists_with_email(invitation.email):
        login = reverse("login") + "?" + urlencode({"next": request.path})
        return render(
            request, "account/invitation_login.html", {"invitation": invitation, "login": login}
        )
    return _new_login(request, key, invitation)


def _join(request: HttpRequest, key: str, invitation: Invitation, user: Any) -> HttpResponse:
    if user.email.lower() != invitation.email.lower():
        return render(request, "account/invitation_other_login.html", {"invitation": invitation})
    status = 200
    if request.method == "POST":
        try:
            membership = invitation_accept_existing(invitation_key=key, user=user)
        except NotFound:
            return _invalid(request)
        except ApplicationError as error:
            messages.error(request, error.message)
            status = 400
        else:
            messages.success(
                request,
                _("You are now a contact of %(account)s, and you act for it.")
                % {"account": membership.account.name},
            )
            return redirect("portal:home")
    return render(
        request, "account/invitation_join.html", {"invitation": invitation}, status=status
    )


def _new_login(request: HttpRequest, key: str, invitation: Invitation) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = InvitationAcceptForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                user = invitation_accept_new(
                    invitation_key=key,
                    full_name=form.cleaned_data["full_name"],
                    password=form.cleaned_data["password1"],
                    language=form.cleaned_data["language"],
                )
            except NotFound:
                return _invalid(request)
            except ApplicationError as error:
                if error.code == "login_exists":  # made meanwhile: log in instead
                    return redirect(request.path)
                field = error.field if error.field in form.fields else None
                for message in error.messages:
                    form.add_error(field, message)
            else:
                return _logged_in(request, user, invitation)
    else:
        form = InvitationAcceptForm(initial={"language": translation.get_language()})
    return render(
        request,
        "account/invitation_accept.html",
        {"invitation": invitation, "form": form},
        status=status,
    )


def _logged_in(request: HttpRequest, user: Any, invitation: Invitation) -> HttpResponse:
    """Through allauth's login (its stages, signals and audit), into the client area. The
    person just chose their language: the pages speak it, and the first-login rule
    (accounts.signals) keeps it instead of the browser's."""
    translation.activate(user.language)
    request.LANGUAGE_CODE = user.language
    messages.success(
        request,
        _("Welcome! You are now a contact of %(account)s.") % {"account": invitation.account.name},
    )
    response = perform_login(request, user, redirect_url=reverse("portal:home"))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        user.language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
