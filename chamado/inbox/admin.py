from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from chamado.inbox.models import InboundMessage, InboxPolicy, Mailbox


@admin.register(InboxPolicy)
class InboxPolicyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return not InboxPolicy.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MailboxForm(forms.ModelForm):
    """The password is written, never shown back; left empty, the stored one stays."""

    password = forms.CharField(
        label=_("password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the current password."),
    )

    class Meta:
        model = Mailbox
        fields = [
            "name",
            "host",
            "port",
            "use_ssl",
            "username",
            "password",
            "folder",
            "processed_folder",
            "is_active",
        ]

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not password:
            if not self.instance.pk:
                raise forms.ValidationError(_("Enter the mailbox's password."))
            return self.instance.password
        return password


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    list_display = ["name", "username", "host", "port", "folder", "is_active", "last_polled_at"]
    list_filter = ["is_active"]
    readonly_fields = ["last_polled_at", "last_error"]


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    """The log of every inbound email and what became of it; read only."""

    list_display = [
        "received_at",
        "sender",
        "subject",
        "outcome",
        "reason",
        "ticket_link",
        "source",
    ]
    list_filter = ["outcome", "reason", "source", "mailbox"]
    search_fields = ["sender", "subject", "email_message_id", "ticket__number"]
    list_select_related = ["ticket"]
    date_hierarchy = "received_at"
    readonly_fields = [f.name for f in InboundMessage._meta.fields]

    @admin.display(description=_("ticket"), ordering="ticket__number")
    def ticket_link(self, inbound: InboundMessage) -> str:
        if inbound.ticket is None:
            return "-"
        url = reverse("desk:ticket", args=[inbound.ticket.number])
        return format_html('<a href="{}">#{}</a>', url, inbound.ticket.number)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
