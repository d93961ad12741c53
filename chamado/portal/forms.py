"""Client area forms: they parse input; the rules live in tickets.actions."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from chamado.services.models import Service
from chamado.services.selectors import service_list_for_account
from chamado.tickets import workflow
from chamado.tickets.models import Department, Policy, Ticket
from chamado.web.files import AttachmentsMixin
from chamado.web.forms import SentOnceMixin


class MessageField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            label=_("Message"),
            widget=forms.Textarea(attrs={"rows": 10}),
            strip=True,
            error_messages={"required": _("Write a message.")},
            **kwargs,
        )

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value and workflow.message_too_short(value):
            raise forms.ValidationError(
                _(
                    "Your message is too short: describe what happened, what you expected "
                    "and what you already tried (at least %(limit)d characters)."
                ),
                params={"limit": workflow.MESSAGE_MIN_LENGTH},
            )


class DepartmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.title)


class ServiceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} — {obj.label} ({obj.get_status_display()})"


class TicketOpenForm(SentOnceMixin, AttachmentsMixin):
    name = forms.CharField(label=_("Name"), disabled=True, required=False)
    email = forms.EmailField(label=_("Email"), disabled=True, required=False)
    department = DepartmentChoiceField(
        label=_("Department"), queryset=Department.objects.none(), empty_label=None
    )
    subject = forms.CharField(
        label=_("Subject"),
        max_length=workflow.SUBJECT_MAX_LENGTH,
        help_text=_("A brief summary, for example “Reset cPanel password”."),
        error_messages={"required": _("Give the ticket a subject.")},
    )
    service = ServiceChoiceField(
        label=_("Related Service"),
        queryset=Service.objects.none(),
        required=False,
        empty_label=_("None"),
        help_text=_("The service this ticket is about."),
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=Ticket.Priority.choices, coerce=int, initial=2
    )
    message = MessageField(
        help_text=_("Describe the problem in detail: what you did, what happened, any error.")
    )
    field_order = [
        "name",
        "email",
        "department",
        "subject",
        "service",
        "priority",
        "message",
        "attachments",
    ]

    def __init__(
        self,
        *args: Any,
        contact: Any,
        departments: Any,
        preselected: Department | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.contact = contact
        self.fields["name"].initial = contact.full_name
        self.fields["email"].initial = contact.email
        cast(DepartmentChoiceField, self.fields["department"]).queryset = departments
        services = service_list_for_account(contact.account)
        cast(ServiceChoiceField, self.fields["service"]).queryset = services
        self.has_services = services.exists()
        if self.has_services and not (preselected and preselected.allows_no_service):
            # The client must pick one here: say so instead of offering "None" first.
            service_field = cast(ServiceChoiceField, self.fields["service"])
            service_field.empty_label = _("Choose the service this ticket is about")
            service_field.widget.choices = service_field.choices  # refresh the empty label
            if len(services) == 1:
                service_field.initial = services[0]
        self.fields["priority"].initial = Ticket.Priority.MEDIUM
        self.fields["attachments"].help_text = self.attachment_help(Policy.current())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        department = data.get("department")
        if (
            department is not None
            and data.get("service") is None
            and self.has_services
            and not department.allows_no_service
        ):
            self.add_error("service", _("Choose the service this ticket is about."))
        return data


class TicketReplyForm(SentOnceMixin, AttachmentsMixin):
    message = MessageField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = self.attachment_help(Policy.current())
