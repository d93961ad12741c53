"""Client area forms: they parse input; the rules live in tickets.actions."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from chamado.services.models import Service
from chamado.services.selectors import service_list_for_account
from chamado.tickets import workflow
from chamado.tickets.models import Department, Policy, Ticket
from chamado.web.files import AttachmentsMixin
from chamado.web.forms import ListedModelChoiceField, SentOnceMixin


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


class DepartmentSelect(forms.Select):
    """Each department says whether it takes a ticket without a service, so app.js can move
    the Related Service's required marker when the department is changed."""

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        instance = getattr(option["value"], "instance", None)
        if instance is not None and instance.allows_no_service:
            option["attrs"]["data-allows-no-service"] = ""
        return option


class DepartmentChoiceField(ListedModelChoiceField):
    widget = DepartmentSelect

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.title)


class ServiceChoiceField(ListedModelChoiceField):
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
        # Each list read once: the choices and the submitted values come from it (the view
        # has usually read the departments already, to find the one in the address).
        department_field = cast(DepartmentChoiceField, self.fields["department"])
        department_field.queryset = departments
        department_field.choices_list(departments)
        service_field = cast(ServiceChoiceField, self.fields["service"])
        service_field.queryset = service_list_for_account(contact.account)
        services = list(service_field.queryset)
        self.has_services = bool(services)
        service_field.widget.attrs["data-account-has-services"] = str(self.has_services).lower()
        if self.has_services and not (preselected and preselected.allows_no_service):
            # The client must pick one here: say so instead of offering "None" first.
            service_field.empty_label = _("Choose the service this ticket is about")
            if len(services) == 1:
                service_field.initial = services[0]
        service_field.choices_list(services)
        self.fields["priority"].initial = Ticket.Priority.MEDIUM
        self.fields["attachments"].help_text = self.attachment_help(Policy.current())
        self._service_mark(preselected)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        department = data.get("department")
        if department is not None and self._service_mark(department) and not data.get("service"):
            self.add_error("service", _("Choose the service this ticket is about."))
        return data

    def _service_mark(self, department: Department | None) -> bool:
        """Show Related Service as required (marker and aria-required) when the department
        needs one. The field stays optional for Django: the rule depends on the department
        of the same post, so ``clean`` applies it, as ``ticket_open`` does."""
        field = self.fields["service"]
        required = workflow.service_required(
            allows_no_service=department.allows_no_service if department is not None else False,
            account_has_services=self.has_services,
        )
        field.marked_required = required  # type: ignore[attr-defined]
        if required:
            field.widget.attrs["aria-required"] = "true"
        else:
            field.widget.attrs.pop("aria-required", None)
        return required


class TicketReplyForm(SentOnceMixin, AttachmentsMixin):
    message = MessageField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = self.attachment_help(Policy.current())
