"""The form of an invited person without a login: name, password (twice), email language."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chamado.accounts.forms import language_choices


class InvitationAcceptForm(forms.Form):
    full_name = forms.CharField(
        label=_("Name"),
        max_length=150,
        error_messages={"required": _("Give your name.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        error_messages={"required": _("Choose a password.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password (again)"),
        strip=False,
        error_messages={"required": _("Type the password again.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    language = forms.ChoiceField(
        label=_("Language of your emails"),
        choices=language_choices,
        help_text=_("Every email Chamado sends you is written in this language."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ: type the same one twice."))
        return cleaned
