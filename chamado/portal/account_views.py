"""The client's accounts: which one they act for now, and switching to another."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from chamado.accounts.actions import membership_switch
from chamado.accounts.selectors import membership_list_for_user
from chamado.web.redirects import local_path


@login_required
def account_switch(request: HttpRequest) -> HttpResponse:
    """GET lists the person's accounts; POST makes one the account they act for."""
    user: Any = request.user
    if request.method == "POST":
        membership = membership_switch(user=user, account_id=request.POST.get("account", ""))
        messages.success(
            request, _("You now act for %(account)s.") % {"account": membership.account.name}
        )
        return redirect(local_path(request.POST.get("next")) or "portal:home")
    return render(
        request,
        "portal/account_switch.html",
        {"memberships": membership_list_for_user(user.pk), "next": request.GET.get("next", "")},
    )
