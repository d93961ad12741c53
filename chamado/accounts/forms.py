"""Account forms: the password reset request and the profile."""

from typing import Any

from allauth.account.forms import ResetPasswordForm
from django import forms
from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from chamado.accounts.emails import PASSWORD_RESET
from chamado.accounts.models import ApiToken, User
from chamado.accounts.tasks import account_email_send


class QueuedResetPasswordForm(ResetPasswordForm):
    """allauth's reset request (its limits per address and per email apply in the view), with
    Chamado's own email queued for the worker instead of sent in-request. The request only
    names the user: the worker builds the link from SITE_URL (never from the Host header) and
    the key at send time, in the user's saved language. An unknown or inactive email gets the
    same answer and nothing is sent."""

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        try:
            user = User.objects.get_by_natural_key(email)
        except User.DoesNotExist:
            user = None
        self.users = [user] if user is not None and user.is_active else []
        return email

    def save(self, request: HttpRequest, **kwargs: Any) -> str:
        for user in self.users:
            account_email_send.enqueue(PASSWORD_RESET, user.pk)
        return self.cleaned_data["email"]


def language_choices() -> list[tuple[str, str]]:
    """The languages Chamado writes in, each named in itself."""
    return [(code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES]


class ProfileForm(forms.Form):
    full_name = forms.CharField(
        label=_("Name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    language = forms.ChoiceField(
        label=_("Language of your emails"),
        choices=language_choices,
        help_text=_("Every email Chamado sends you is written in this language."),
    )
    notify_ticket_changes = forms.BooleanField(
        label=_("Changes to my tickets"),
        required=False,
        help_text=_("Status changes, transfers, merges and automatic closing."),
    )
    notify_new_tickets = forms.BooleanField(
        label=_("New tickets in my departments"), required=False
    )
    notify_client_replies = forms.BooleanField(
        label=_("Client replies on tickets nobody holds"),
        required=False,
        help_text=_("Replies on tickets assigned to you always reach you."),
    )

    AGENT_ONLY = ("notify_new_tickets", "notify_client_replies")

    def __init__(self, *args: Any, agent: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not agent:
            for name in self.AGENT_ONLY:
                del self.fields[name]

    def notifications(self) -> dict[str, bool]:
        return {name: self.cleaned_data[name] for name in self.fields if name.startswith("notify_")}


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What will use this token, for example “Billing system” or “Monitoring”."),
    )
    scope = forms.ChoiceField(
        label=_("What it may do"),
        choices=ApiToken.Scope.choices,
        initial=ApiToken.Scope.READ,
        widget=forms.RadioSelect,
    )
