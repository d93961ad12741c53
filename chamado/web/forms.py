"""Form pieces the client area and the desk share."""

import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.forms.models import ModelChoiceIterator

from chamado.core.errors import ApplicationError, RateLimited


class _ListedIterator(ModelChoiceIterator):
    def __iter__(self) -> Iterator[Any]:
        field: ListedModelChoiceField = self.field  # type: ignore[assignment]
        if field.listed is None:
            yield from super().__iter__()
            return
        if field.empty_label is not None:
            yield ("", field.empty_label)
        for obj in field.listed:
            yield self.choice(obj)

    def __len__(self) -> int:
        field: ListedModelChoiceField = self.field  # type: ignore[assignment]
        if field.listed is None:
            return super().__len__()
        return len(field.listed) + (field.empty_label is not None)

    def __bool__(self) -> bool:
        return len(self) > 0


class ListedModelChoiceField(forms.ModelChoiceField):
    """A model choice among rows the page has read already (``listed``, set with
    ``choices_list``): the choices are drawn from them and a submitted value is found among
    them, instead of a query for each. Without a list, a plain ModelChoiceField."""

    iterator = _ListedIterator
    listed: list[Any] | None = None

    def choices_list(self, rows: Sequence[Any]) -> None:
        self.listed = list(rows)
        self.widget.choices = self.choices

    def to_python(self, value: Any) -> Any:
        if self.listed is None or value in self.empty_values:
            return super().to_python(value)
        key = self.to_field_name or "pk"
        if isinstance(value, Model):
            value = getattr(value, key)
        for obj in self.listed:
            if str(getattr(obj, key)) == str(value):
                return obj
        raise ValidationError(
            self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
        )


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
