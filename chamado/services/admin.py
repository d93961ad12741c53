"""Services in the admin, and on their account's page."""

from django.contrib import admin

from chamado.accounts.admin import AccountAdmin
from chamado.accounts.models import Account
from chamado.core.admin import TabularInline
from chamado.services.models import Service


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "label", "account", "status"]
    list_filter = ["status"]
    search_fields = ["name", "label", "account__name"]
    list_select_related = ["account"]
    autocomplete_fields = ["account"]


class ServiceInline(TabularInline):
    """The account's services at a glance (active first); each opens on its own page to edit."""

    model = Service
    fields = readonly_fields = ("name", "label", "status", "created_at")
    ordering = ["status", "name"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


# accounts may not import services (the layers of docs/ARCHITECTURE.md), so the account's
# page gets its services here: the same page, with the contacts and then the services.
admin.site.unregister(Account)


@admin.register(Account)
class AccountWithServicesAdmin(AccountAdmin):
    inlines = [*AccountAdmin.inlines, ServiceInline]
