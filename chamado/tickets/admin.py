"""Tickets in the admin: policy, departments, SLA targets, canned replies, tickets and their
messages; and the user list's "Add an agent" (a login with its departments, in one form)."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chamado.accounts.admin import UserAdmin
from chamado.accounts.models import User
from chamado.core.admin import TabularInline
from chamado.core.errors import ApplicationError
from chamado.tickets.agents import agent_create
from chamado.tickets.models import (
    Attachment,
    CannedReply,
    Department,
    Message,
    Policy,
    SlaTarget,
    Ticket,
)
from chamado.tickets.notes import message_text


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return not Policy.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


class SlaTargetInline(TabularInline):
    model = SlaTarget
    extra = 0


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin):
    list_display = ["title", "department"]
    list_filter = ["department"]
    search_fields = ["title", "body"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    inlines = [SlaTargetInline]
    list_display = ["name", "name_pt_br", "slug", "position", "is_visible", "allows_no_service"]
    list_editable = ["position", "is_visible"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["agents"]


class AttachmentInline(TabularInline):
    model = Attachment
    fields = readonly_fields = ("original_name", "content_type", "size")
    extra = 0
    can_delete = False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["ticket", "author", "from_agent", "is_internal", "created_at"]
    list_select_related = ["ticket", "author"]
    raw_id_fields = ["ticket", "author"]
    inlines = [AttachmentInline]


class MessageInline(admin.StackedInline):
    model = Message
    fields = readonly_fields = ("author", "from_agent", "is_internal", "text", "created_at")
    extra = 0
    can_delete = False
    show_change_link = True

    @admin.display(description=gettext_lazy("message"))
    def text(self, message: Message) -> str:
        """A system note in the administrator's language, like the desk shows it."""
        return message_text(message)


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ["number", "subject", "account", "department", "status", "priority"]
    list_filter = ["status", "priority", "department"]
    search_fields = ["=number", "subject", "account__name", "contact__email"]
    list_select_related = ["account", "department"]
    raw_id_fields = ["account", "contact", "service", "assignee"]
    readonly_fields = ["number"]
    inlines = [MessageInline]


class DepartmentChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.title)


class AgentAddForm(forms.Form):
    """Everything a new agent needs; the rules are agent_create's."""

    full_name = forms.CharField(label=gettext_lazy("Name"), max_length=150)
    email = forms.EmailField(label=gettext_lazy("Email"))
    departments = DepartmentChoices(
        label=gettext_lazy("Departments"),
        queryset=Department.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy("The queues the agent works."),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        choices=settings.LANGUAGES,
        initial=settings.LANGUAGE_CODE,
        widget=forms.RadioSelect,
        help_text=gettext_lazy("Language of the emails this person receives."),
    )
    is_admin = forms.BooleanField(
        label=gettext_lazy("Administrator"),
        required=False,
        help_text=gettext_lazy("May also use this administration site, with every permission."),
    )

    def __init__(self, *args: Any, may_make_admin: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not may_make_admin:
            del self.fields["is_admin"]


# accounts may not import tickets (the layers of docs/ARCHITECTURE.md), so the user list gets
# its "Add an agent" page, which needs the departments, here.
admin.site.unregister(User)


@admin.register(User)
class AgentUserAdmin(UserAdmin):
    change_list_template = "admin/accounts/user/change_list.html"

    def get_urls(self) -> list[Any]:
        return [
            path(
                "add-agent/",
                self.admin_site.admin_view(self.agent_add_view),
                name="accounts_user_add_agent",
            ),
            *super().get_urls(),
        ]

    def agent_add_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        user: Any = request.user
        form = AgentAddForm(request.POST or None, may_make_admin=user.is_superuser)
        if request.method == "POST" and form.is_valid():
            try:
                agent = agent_create(
                    actor=user,
                    email=form.cleaned_data["email"],
                    full_name=form.cleaned_data["full_name"],
                    language=form.cleaned_data["language"],
                    departments=list(form.cleaned_data["departments"]),
                    is_admin=form.cleaned_data.get("is_admin", False),
                )
            except ApplicationError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error))
            else:
                self.message_user(
                    request,
                    _("%(name)s was added as an agent; an email invites them to choose a password.")
                    % {"name": agent.full_name},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:accounts_user_change", args=[agent.pk]))
        fieldsets = [(None, {"fields": list(form.fields)})]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Add an agent"),
            "opts": self.model._meta,
            "form": form,
            "adminform": helpers.AdminForm(form, fieldsets, {}),  # type: ignore[arg-type]
        }
        return TemplateResponse(request, "admin/agent_add.html", context)
