from django.contrib import admin

from chamado.services.models import Service


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "label", "account", "status"]
    list_filter = ["status"]
    search_fields = ["name", "label", "account__name"]
    list_select_related = ["account"]
    autocomplete_fields = ["account"]
