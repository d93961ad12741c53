"""Agent desk forms: they parse input; the rules live in tickets.actions."""

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chamado.accounts.models import User
from chamado.tickets import workflow
from chamado.tickets.models import Department, Ticket
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


def agent_label(user: Any) -> str:
    return str(user.full_name or user.email)


def department_label(department: Any) -> str:
    return str(department.title)


class DepartmentField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return department_label(obj)


class ObjectChoiceField(forms.ChoiceField):
    """A choice among objects the view has already read (a list), so that rendering and
    validating the form run no query of their own. Cleans to the chosen object, to None for
    the empty choice, or to the value of one of ``specials`` (choices that are no object)."""

    def __init__(
        self,
        *,
        empty_label: Any = None,
        specials: Sequence[tuple[str, Any]] = (),
        **kwargs: Any,
    ) -> None:
        self.empty_label = empty_label
        self.specials = list(specials)
        self.objects: dict[str, Any] = {}
        super().__init__(choices=[], **kwargs)

    def set_objects(self, objects: Iterable[Any], label: Callable[[Any], str]) -> None:
        self.objects = {str(obj.pk): obj for obj in objects}
        empty = [("", self.empty_label)] if self.empty_label is not None else []
        self.choices = [
            *empty,
            *self.specials,
            *((key, label(o)) for key, o in self.objects.items()),
        ]

    def prepare_value(self, value: Any) -> Any:
        return str(value.pk) if hasattr(value, "pk") else value

    def clean(self, value: Any) -> Any:
        value = super().clean(self.prepare_value(value))
        return self.objects.get(value, value or None)


class ReplyForm(OwnIdsMixin, SentOnceMixin, AttachmentsMixin):
    id_prefix = "reply"  # the template's hand-written textarea is id_reply-message
    message = forms.CharField(
        label=_("Your reply"),
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
    assignee = ObjectChoiceField(label=_("Assignee"), required=False, empty_label=_("Nobody"))

    def __init__(self, *args: Any, ticket: Ticket, agents: Iterable[User], **kwargs: Any) -> None:
        """``agents``: those who may take the ticket (the active agents of its department)."""
        kwargs.setdefault(
            "initial",
            {"status": ticket.status, "priority": ticket.priority, "assignee": ticket.assignee_id},
        )
        super().__init__(*args, **kwargs)
        # Only the moves an agent may make from here (the transition table).
        self.fields["status"].choices = _status_choices(  # type: ignore[attr-defined]
            workflow.statuses_reachable(ticket.status, workflow.AGENT)
        )
        self.fields["assignee"].set_objects(agents, agent_label)  # type: ignore[attr-defined]


class TransferForm(forms.Form):
    department = ObjectChoiceField(label=_("Move to department"))
    note = forms.CharField(
        label=_("Note to the client (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The client is told of the move in any case; this text is added."),
    )

    def __init__(self, *args: Any, departments: Iterable[Department], **kwargs: Any) -> None:
        """``departments``: every department; those that take tickets are offered."""
        super().__init__(*args, **kwargs)
        self.fields["department"].set_objects(  # type: ignore[attr-defined]
            [d for d in departments if d.is_visible], department_label
        )


class MergeForm(forms.Form):
    target = forms.IntegerField(
        label=_("Merge into ticket number"),
        min_value=10 ** (workflow.NUMBER_DIGITS_MIN - 1),
        max_value=10**workflow.NUMBER_DIGITS_MAX - 1,
        help_text=_("Next, you see that ticket and what the merge will do, and confirm."),
    )


MERGE_CONFIRMED = "yes"


class MergeConfirmForm(MergeForm):
    """The confirmation page's form: only a post with ``confirm`` merges."""

    target = forms.IntegerField(widget=forms.HiddenInput)
    confirm = forms.ChoiceField(
        choices=[(MERGE_CONFIRMED, MERGE_CONFIRMED)], widget=forms.HiddenInput
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
    department = ObjectChoiceField(
        label=_("Department"), required=False, empty_label=_("All my departments")
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

    def __init__(self, *args: Any, departments: Iterable[Department], **kwargs: Any) -> None:
        """``departments``: the agent's own."""
        super().__init__(*args, **kwargs)
        self.fields["department"].set_objects(departments, department_label)  # type: ignore[attr-defined]


NOBODY = "nobody"  # the bulk assignee that takes the tickets away from whoever holds them
KEEP_LABEL = _("— keep as is —")


class BulkForm(OwnIdsMixin):
    """One change to the selected tickets. Every value starts at "keep": a change is made only
    when the agent chose it (unassigning is "Nobody", chosen explicitly), and a form that
    chose nothing, or not the value its action needs, changes nothing and says what is
    missing. "Assign to me" (its own button) needs no other value."""

    id_prefix = "bulk"
    tickets = forms.TypedMultipleChoiceField(coerce=int, choices=[], required=False)
    action = forms.ChoiceField(
        label=_("With the selected tickets"),
        required=False,
        choices=[
            ("", _("— choose —")),
            ("status", _("Set status")),
            ("assign", _("Assign")),
            ("transfer", _("Transfer")),
        ],
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", KEEP_LABEL), *_status_choices(workflow.statuses_set_by(workflow.AGENT))],
    )
    assignee = ObjectChoiceField(
        label=_("Assignee"),
        required=False,
        empty_label=KEEP_LABEL,
        specials=[(NOBODY, _("Nobody"))],
    )
    department = ObjectChoiceField(label=_("Department"), required=False, empty_label=KEEP_LABEL)
    assign_to_me = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        numbers: list[int],
        agents: Iterable[User],
        departments: Iterable[Department],
        **kwargs: Any,
    ) -> None:
        """``numbers``: the tickets that may be chosen; ``agents``: who may be given them;
        ``departments``: every department (those that take tickets are offered)."""
        super().__init__(*args, **kwargs)
        self.fields["tickets"].choices = [(n, n) for n in numbers]  # type: ignore[attr-defined]
        self.fields["assignee"].set_objects(agents, agent_label)  # type: ignore[attr-defined]
        self.fields["department"].set_objects(  # type: ignore[attr-defined]
            [d for d in departments if d.is_visible], department_label
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        if not data.get("tickets"):
            raise forms.ValidationError(_("Choose at least one ticket."))
        if data.get("assign_to_me"):
            return data
        action = data.get("action")
        if not action:
            raise forms.ValidationError(_("Choose what to do with the selected tickets."))
        if action == "status" and not data.get("status"):
            self.add_error("status", _("Choose the status to set."))
        elif action == "assign" and data.get("assignee") is None:
            self.add_error("assignee", _("Choose who gets the tickets (or Nobody)."))
        elif action == "transfer" and data.get("department") is None:
            self.add_error("department", _("Choose a department to transfer to."))
        return data

    def change(self, actor: Any) -> dict[str, Any]:
        """The arguments of ``ticket_bulk_update`` for a valid form."""
        data = self.cleaned_data
        if data.get("assign_to_me"):
            return {"action": "assign", "assignee": actor}
        assignee = data.get("assignee")
        return {
            "action": data["action"],
            "status": data.get("status") or None,
            "assignee": None if assignee == NOBODY else assignee,
            "department": data.get("department"),
        }


class AuditFilterForm(forms.Form):
    person = forms.CharField(
        label=_("Person"),
        required=False,
        max_length=200,
        help_text=_("Name or email: what they did, and what was done to their login."),
    )
    ticket = forms.CharField(label=_("Ticket number"), required=False, max_length=20)

    def clean_ticket(self) -> int | None:
        text = self.cleaned_data["ticket"].strip()
        if not text:
            return None
        number = workflow.number_in_text(text)
        if number is None:
            raise forms.ValidationError(_("Write a ticket number, such as 592110."))
        return number


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search tickets"), max_length=200, required=False)
