"""People in the admin: client accounts with their contacts, logins, API tokens, invitations."""

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from chamado.accounts.actions import api_token_revoke
from chamado.accounts.contacts import invitation_revoke
from chamado.accounts.models import Account, ApiToken, Invitation, Membership, User
from chamado.core.admin import TabularInline
from chamado.core.audit import audit_record


class ContactInline(TabularInline):
    """The account's people and what each may do (a person may be in several accounts)."""

    model = Membership
    fields = ["user", "is_owner", *Membership.PERMISSIONS, "created_at"]
    readonly_fields = ["created_at"]
    raw_id_fields = ["user"]
    extra = 0


class MembershipInline(ContactInline):
    """On a user's page: the accounts they belong to."""

    fields = ["account", "is_owner", *Membership.PERMISSIONS, "created_at"]
    raw_id_fields = ["account"]
    fk_name = "user"


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    """The account and its contacts; services.admin registers it again with the services."""

    list_display = ["name", "created_at"]
    search_fields = ["name", "memberships__user__email"]
    inlines = [ContactInline]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """tickets.admin registers it again with "Add an agent" (a login with its departments)."""

    ordering = ["email"]
    list_display = ["email", "full_name", "is_agent", "is_staff", "is_active"]
    list_filter = ["is_agent", "is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "full_name", "memberships__account__name"]
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "password", "full_name", "language")}),
        (
            _("Staff"),
            {"fields": ("is_agent", "is_staff", "is_superuser", "is_active", "groups")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),
    )

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        """An administrator setting someone's password: in the audit log, like every change."""
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, id)
            if user is not None:
                audit_record(
                    actor=request.user,
                    verb="user.password_change",
                    target=user,
                    after={"by": "admin"},
                )
        return response


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are made by `chamado api_token create`, which shows the key once; here they
    are listed and revoked."""

    list_display = ["name", "prefix", "user", "created_at", "last_used_at", "revoked"]
    list_filter = ["revoked"]
    search_fields = ["name", "prefix", "user__email"]
    list_select_related = ["user"]
    fields = readonly_fields = ("user", "name", "prefix", "created_at", "last_used_at", "revoked")
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        tokens = list(queryset)
        for token in tokens:
            api_token_revoke(actor=request.user, token=token)
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", len(tokens))
            % {"count": len(tokens)},
            messages.SUCCESS,
        )


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Invitations are made in the client area (accounts.contacts); here they are listed and
    revoked. The key is never shown: only its SHA-256 is stored."""

    list_display = [
        "email",
        "account",
        "can_tickets",
        "can_contacts",
        "can_services",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]
    list_filter = [
        ("accepted_at", admin.EmptyFieldListFilter),
        ("revoked_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["email", "account__name"]
    list_select_related = ["account", "invited_by"]
    fields = readonly_fields = (
        "account",
        "email",
        "can_tickets",
        "can_contacts",
        "can_services",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
        "revoked_at",
    )
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Revoke the selected invitations"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
        revoked = 0
        for invitation in queryset:
            if invitation.is_pending:
                invitation_revoke(actor=request.user, invitation=invitation)
                revoked += 1
        self.message_user(
            request,
            ngettext("%(count)d invitation revoked.", "%(count)d invitations revoked.", revoked)
            % {"count": revoked},
            messages.SUCCESS,
        )
