"""Knowledge-base forms of the client area: they parse input; the rules live in kb."""

from django import forms
from django.utils.translation import gettext_lazy as _

from chamado.kb import rules


class ArticleSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search the knowledge base"),
        required=False,
        max_length=rules.SEARCH_MAX_LENGTH,
        error_messages={
            "max_length": _("Shorten the search to %(limit_value)d characters or fewer.")
        },
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class VoteForm(forms.Form):
    helpful = forms.ChoiceField(
        choices=[("yes", _("Yes")), ("no", _("No"))],
        error_messages={
            "required": _("Choose Yes or No."),
            "invalid_choice": _("Choose Yes or No."),
        },
    )
    comment = forms.CharField(
        label=_("What were you looking for? (optional)"),
        required=False,
        max_length=rules.COMMENT_MAX_LENGTH,
        error_messages={
            "max_length": _("Keep the comment to %(limit_value)d characters or fewer.")
        },
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
