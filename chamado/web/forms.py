"""Form pieces the client area and the desk share."""

import uuid

from django import forms

from chamado.core.errors import ApplicationError, RateLimited


def _new_key() -> str:
    return uuid.uuid4().hex


class SentOnceMixin(forms.Form):
    """A hidden one-time key: the action that stores the form keeps it with the message, and
    a second post of the same form (a double click, a resent request) leads to the first
    result instead of a copy. A refused form keeps its key, since nothing was stored."""

    submission_key = forms.CharField(
        widget=forms.HiddenInput, required=False, max_length=64, initial=_new_key
    )


def refusal_show(form: forms.Form, error: ApplicationError) -> int:
    """Show an action's refusal on the form that sent it (on its field when the form has one)
    and return the status to answer with: 429 for a rate limit, 400 otherwise."""
    form.add_error(error.field if error.field in form.fields else None, error.message)
    return 429 if isinstance(error, RateLimited) else 400
