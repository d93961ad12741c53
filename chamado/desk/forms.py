"""Agent desk forms: they parse input; the rules live in tickets.actions."""

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chamado.accounts.models import User
from chamado.tickets import workflow
from chamado.tickets.models import Department, Ticket
from chamado.tickets.selectors import agent_list_for_departments
from chamado.web.files import AttachmentsMixin
from chamado.web.forms import SentOnceMixin

STATUS_KEEP = ""


def _status_choices(statuses: Iterable[str]) -> list[tuple[str, str]]:
    labels = dict(Ticket.Status.choices)
    return [(status, labels[status]) for status in statuses]


class OwnIdsMixin(forms.Form):
    """A form that shares a page with others gets its own ids: `id_<id_prefix>-<field>`, so
    two forms' fields of the same name never share an id (nor their labels one control).
    Field names, and so the posted data, stay as they are."""

    id_prefix = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_{self.id_prefix}-%s")
        super().__init__(*args, **kwargs)


class AgentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name or obj.email)


class DepartmentField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.title)


class ReplyForm(OwnIdsMixin, SentOnceMixin, AttachmentsMixin):
    id_prefix = "reply"  # the template's hand-written textarea is id_reply-message
    message = forms.CharField(
        label=_("Reply"),
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Write a message.")},
    )
    status = forms.ChoiceField(
        label=_("Status after sending"),
        required=False,
        choices=[
            (STATUS_KEEP, _("Answered (default)")),
            *_status_choices(
                s for s in workflow.statuses_set_by(workflow.AGENT) if s != "answered"
            ),
        ],
    )
    seen_message_id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    confirm_crossed = forms.BooleanField(
        label=_("I read the newer reply; send mine anyway"), required=False
    )


class NoteForm(OwnIdsMixin, SentOnceMixin, AttachmentsMixin):
    id_prefix = "note"
    message = forms.CharField(
        label=_("Internal note"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Only agents see notes. The client is never shown or emailed them."),
        error_messages={"required": _("Write a message.")},
    )


class TicketUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Ticket.Status.choices)
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=Ticket.Priority.choices, coerce=int
    )
    assignee = AgentChoiceField(
        label=_("Assignee"), queryset=User.objects.none(), required=False, empty_label=_("Nobody")
    )

    def __init__(self, *args: Any, ticket: Ticket, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {"status": ticket.status, "priority": ticket.priority, "assignee": ticket.assignee},
        )
        super().__init__(*args, **kwargs)
        # Only the moves an agent may make from here (the transition table).
        self.fields["status"].choices = _status_choices(  # type: ignore[attr-defined]
            workflow.statuses_reachable(ticket.status, workflow.AGENT)
        )
        self.fields["assignee"].queryset = agent_list_for_departments(  # type: ignore[attr-defined]
            [ticket.department_id]
        )


class TransferForm(forms.Form):
    department = DepartmentField(
        label=_("Move to department"), queryset=Department.objects.filter(is_visible=True)
    )
    note = forms.CharField(
        label=_("Note to the client (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The client is told of the move in any case; this text is added."),
    )


class MergeForm(forms.Form):
    target = forms.IntegerField(
        label=_("Merge into ticket number"),
        min_value=10 ** (workflow.NUMBER_DIGITS_MIN - 1),
        max_value=10**workflow.NUMBER_DIGITS_MAX - 1,
        help_text=_("This ticket's messages move there, and this number leads to it."),
    )


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("awaiting", _("Awaiting us")),
            ("active", _("All but closed")),
            *Ticket.Status.choices,
            ("all", _("All")),
        ],
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any")), *Ticket.Priority.choices],
    )
    assignee = forms.ChoiceField(
        label=_("Assignee"),
        required=False,
        choices=[("anyone", _("Anyone")), ("me", _("Me")), ("nobody", _("Nobody"))],
    )
    department = DepartmentField(
        label=_("Department"),
        required=False,
        queryset=Department.objects.none(),
        empty_label=_("All my departments"),
    )
    breach = forms.ChoiceField(
        label=_("SLA"),
        required=False,
        choices=[
            ("", _("Any")),
            ("near_or_breached", _("Near or past breach")),
            ("near", _("Near breach")),
            ("breached", _("Past breach")),
        ],
    )

    def __init__(self, *args: Any, departments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]


class BulkForm(OwnIdsMixin):
    id_prefix = "bulk"
    tickets = forms.TypedMultipleChoiceField(coerce=int, choices=[])
    action = forms.ChoiceField(
        label=_("With the selected tickets"),
        choices=[("status", _("Set status")), ("assign", _("Assign")), ("transfer", _("Transfer"))],
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=_status_choices(workflow.statuses_set_by(workflow.AGENT)),
    )
    assignee = AgentChoiceField(
        label=_("Assignee"), queryset=User.objects.none(), required=False, empty_label=_("Nobody")
    )
    department = DepartmentField(
        label=_("Department"), queryset=Department.objects.filter(is_visible=True), required=False
    )

    def __init__(self, *args: Any, numbers: list[int], agents: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tickets"].choices = [(n, n) for n in numbers]  # type: ignore[attr-defined]
        self.fields["assignee"].queryset = agents  # type: ignore[attr-defined]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search tickets"), max_length=200, required=False)
