"""The profile page, and the one allauth page that needs Chamado's identity first.

The sign-in pages themselves are django-allauth's views, mounted under /accounts/ by
config.urls and drawn by this app's templates; these views only translate, like the
surfaces' (parse, call one action, render)."""

from typing import Any

from allauth.account import views as allauth_views
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from chamado.accounts.actions import (
    NOTIFICATION_CHOICES,
    access_token_of_user,
    api_token_create,
    api_token_list_for_user,
    api_token_revoke,
    user_email_address_sync,
    user_profile_update,
)
from chamado.accounts.forms import ApiTokenForm, ProfileForm
from chamado.accounts.two_factor import two_factor_required
from chamado.core.errors import ApplicationError


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST, agent=user.is_agent)
        if form.is_valid():
            try:
                user_profile_update(
                    actor=user,
                    user=user,
                    full_name=form.cleaned_data["full_name"],
                    language=form.cleaned_data["language"],
                    notifications=form.notifications(),
                )
            except ApplicationError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, _("Your profile is saved."))
                return redirect("account_profile")
        status = 400
    else:
        form = ProfileForm(
            initial={
                "full_name": user.full_name,
                "language": user.language,
                **{name: getattr(user, name) for name in NOTIFICATION_CHOICES},
            },
            agent=user.is_agent,
        )
        status = 200
    factors = set(Authenticator.objects.filter(user_id=user.pk).values_list("type", flat=True))
    context = {
        "form": form,
        "factors": factors,
        "two_factor_required": two_factor_required(user),
        "session_count": len(UserSession.objects.purge_and_list(user)),
    }
    return render(request, "account/profile.html", context, status=status)


@login_required
def email(request: HttpRequest) -> HttpResponse:
    """allauth's email page, once its address book agrees with User.email (logins made by an
    administrator have no row there until now)."""
    user_email_address_sync(user=request.user)  # type: ignore[arg-type]
    return allauth_views.email(request)


@never_cache
@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    """The person's API tokens: made here (the key shown on this answer only, never stored),
    listed with their last use, revoked."""
    user: Any = request.user
    form = ApiTokenForm(request.POST or None)
    new_key, status = "", 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                _token, new_key = api_token_create(
                    actor=user,
                    user=user,
                    name=form.cleaned_data["name"],
                    scope=form.cleaned_data["scope"],
                )
            except ApplicationError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                form, status = ApiTokenForm(), 200
    context = {"form": form, "tokens": api_token_list_for_user(user), "new_key": new_key}
    return render(request, "account/tokens.html", context, status=status)


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = api_token_revoke(actor=request.user, token=access_token_of_user(request.user, token_id))
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("account_tokens")
