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

from chamado.accounts.actions import user_email_address_sync, user_profile_update
from chamado.accounts.forms import ProfileForm
from chamado.accounts.two_factor import two_factor_required
from chamado.core.errors import ApplicationError


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                user_profile_update(
                    actor=user,
                    user=user,
                    full_name=form.cleaned_data["full_name"],
                    language=form.cleaned_data["language"],
                )
            except ApplicationError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, _("Your profile is saved."))
                return redirect("account_profile")
        status = 400
    else:
        form = ProfileForm(initial={"full_name": user.full_name, "language": user.language})
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
