"""The client area's contact forms: they parse input; the rules live in accounts.contacts."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chamado.accounts.models import Membership

PERMISSION_LABELS = {
    "can_tickets": _("Tickets"),
    "can_contacts": _("Contacts"),
    "can_services": _("Services"),
}


class PermissionsForm(forms.Form):
    """The three permission checkboxes. Those the person filling the form may not give or take
    away (accounts.access.permissions_grantable_by) are shown disabled, keeping their value."""

    def __init__(self, *args: Any, grantable: set[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in Membership.PERMISSIONS:
            self.fields[name] = forms.BooleanField(
                label=PERMISSION_LABELS[name],
                required=False,
                help_text=getattr(Membership._meta.get_field(name), "help_text", ""),
                disabled=name not in grantable,
            )
        self.locked = [name for name in Membership.PERMISSIONS if name not in grantable]

    def permission_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in Membership.PERMISSIONS]

    def permissions(self) -> dict[str, bool]:
        return {name: bool(self.cleaned_data.get(name)) for name in Membership.PERMISSIONS}


class ContactInviteForm(PermissionsForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"] = forms.EmailField(
            label=_("Email"),
            max_length=254,
            help_text=_("The link to accept goes to this address."),
            error_messages={"required": _("Give the email address of the person to invite.")},
            widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        )
        self.order_fields(["email", *Membership.PERMISSIONS])
