"""The admin site's name (Chamado's, never Django's) and the audit log, read-only."""

from typing import Any

from django.contrib import admin
from django.forms import BaseInlineFormSet, ModelForm
from django.utils.translation import gettext_lazy as _

from chamado.core.models import AuditEvent

# templates/admin/base_site.html shows these and adds Chamado's colours (static/core/admin.css).
admin.site.site_header = _("Chamado administration")
admin.site.site_title = _("Chamado administration")
admin.site.index_title = _("Administration")


class LabelledInlineFormSet(BaseInlineFormSet):  # type: ignore[type-arg]
    """A tabular inline names its fields only in the column headers, which name no input for a
    screen reader: each input here gets its field's name as its accessible name."""

    def add_fields(self, form: ModelForm, index: Any) -> None:  # type: ignore[type-arg]
        super().add_fields(form, index)
        for name, field in form.fields.items():
            if not field.widget.is_hidden:
                field.widget.attrs.setdefault("aria-label", str(field.label or name))


class TabularInline(admin.TabularInline):  # type: ignore[type-arg]
    """Django's tabular inline, with every input labelled (LabelledInlineFormSet)."""

    formset = LabelledInlineFormSet


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "verb", "object_type", "object_id"]
    list_filter = ["verb", "object_type"]
    search_fields = ["object_id", "actor__email"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False  # the record of who did what is never rewritten, not even by an admin
