"""The account's contacts in the client area: list, invite, change permissions, remove, revoke
an invitation. Parse, reach through accounts.access, call one action of accounts.contacts,
render; anyone who may not manage the current account's contacts gets 404."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from chamado.accounts.access import (
    access_contacts_account,
    access_invitation_for_manager,
    access_membership_for_manager,
    membership_manageable_by,
    permissions_grantable_by,
)
from chamado.accounts.contacts import (
    contact_invite,
    contact_permissions_set,
    contact_remove,
    invitation_revoke,
)
from chamado.accounts.selectors import invitation_list_waiting, membership_list_for_account
from chamado.core.errors import ApplicationError
from chamado.portal.contact_forms import ContactInviteForm, PermissionsForm
from chamado.web.forms import refusal_show


@login_required
def contacts(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    account = access_contacts_account(user)
    rows = [
        (membership, membership_manageable_by(user.membership, membership))
        for membership in membership_list_for_account(account.pk)
    ]
    return render(
        request,
        "portal/contacts.html",
        {
            "account": account,
            "rows": rows,
            "invitations": list(invitation_list_waiting(account.pk)),
        },
    )


@login_required
def contact_invite_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    account = access_contacts_account(user)
    grantable = permissions_grantable_by(user.membership)
    status = 200
    if request.method == "POST":
        form = ContactInviteForm(request.POST, grantable=grantable)
        status = 400
        if form.is_valid():
            try:
                invitation = contact_invite(
                    actor=user,
                    account=account,
                    email=form.cleaned_data["email"],
                    permissions=form.permissions(),
                )
            except ApplicationError as error:
                status = refusal_show(form, error)
            else:
                days = (invitation.expires_at - invitation.created_at).days
                messages.success(
                    request,
                    ngettext(
                        "Invitation sent to %(email)s. The link in it works for %(days)d day.",
                        "Invitation sent to %(email)s. The link in it works for %(days)d days.",
                        days,
                    )
                    % {"email": invitation.email, "days": days},
                )
                return redirect("portal:contacts")
    else:
        form = ContactInviteForm(grantable=grantable)
    return render(
        request, "portal/contact_invite.html", {"form": form, "account": account}, status=status
    )


@login_required
def contact_edit(request: HttpRequest, membership_id: int) -> HttpResponse:
    user: Any = request.user
    membership = access_membership_for_manager(user, membership_id)
    grantable = permissions_grantable_by(user.membership)
    current = {name: getattr(membership, name) for name in membership.PERMISSIONS}
    status = 200
    if request.method == "POST":
        form = PermissionsForm(request.POST, initial=current, grantable=grantable)
        status = 400
        if form.is_valid():
            try:
                contact_permissions_set(
                    actor=user, membership=membership, permissions=form.permissions()
                )
            except ApplicationError as error:
                status = refusal_show(form, error)
            else:
                messages.success(
                    request,
                    _("The permissions of %(contact)s are saved.")
                    % {"contact": membership.user.full_name or membership.user.email},
                )
                return redirect("portal:contacts")
    else:
        form = PermissionsForm(initial=current, grantable=grantable)
    return render(
        request,
        "portal/contact_edit.html",
        {"form": form, "membership": membership, "account": membership.account},
        status=status,
    )


@login_required
def contact_remove_view(request: HttpRequest, membership_id: int) -> HttpResponse:
    """GET asks for confirmation (a page, no script needed); POST removes."""
    user: Any = request.user
    membership = access_membership_for_manager(user, membership_id)
    if request.method == "POST":
        try:
            contact_remove(actor=user, membership=membership)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("%(contact)s is no longer a contact of %(account)s.")
                % {
                    "contact": membership.user.full_name or membership.user.email,
                    "account": membership.account.name,
                },
            )
        return redirect("portal:contacts")
    return render(
        request,
        "portal/contact_remove.html",
        {"membership": membership, "account": membership.account},
    )


@login_required
@require_POST
def invitation_revoke_view(request: HttpRequest, invitation_id: int) -> HttpResponse:
    user: Any = request.user
    invitation = access_invitation_for_manager(user, invitation_id)
    invitation_revoke(actor=user, invitation=invitation)
    messages.success(
        request,
        _("The invitation to %(email)s is cancelled: its link no longer works.")
        % {"email": invitation.email},
    )
    return redirect("portal:contacts")
