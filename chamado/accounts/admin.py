from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from chamado.accounts.models import Account, User


class ContactInline(admin.TabularInline):
    model = User
    fields = ["email", "full_name", "is_account_owner", "can_tickets", "is_active"]
    extra = 0
    show_change_link = True


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name", "contacts__email"]
    inlines = [ContactInline]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "account", "is_account_owner", "can_tickets", "is_agent"]
    list_filter = ["is_agent", "is_staff", "is_superuser", "is_active", "can_tickets"]
    search_fields = ["email", "full_name", "account__name"]
    list_select_related = ["account"]
    fieldsets = (
        (None, {"fields": ("email", "password", "full_name", "language")}),
        (_("Client"), {"fields": ("account", "is_account_owner", "can_tickets")}),
        (
            _("Staff"),
            {"fields": ("is_agent", "is_staff", "is_superuser", "is_active", "groups")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),
    )
