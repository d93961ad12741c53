from django.contrib import admin

from chamado.tickets.models import (
    Attachment,
    CannedReply,
    Department,
    Message,
    Policy,
    SlaTarget,
    Ticket,
)


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return not Policy.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


class SlaTargetInline(admin.TabularInline):
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


class AttachmentInline(admin.TabularInline):
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
    fields = readonly_fields = ("author", "from_agent", "is_internal", "body", "created_at")
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ["number", "subject", "account", "department", "status", "priority"]
    list_filter = ["status", "priority", "department"]
    search_fields = ["=number", "subject", "account__name", "contact__email"]
    list_select_related = ["account", "department"]
    raw_id_fields = ["account", "contact", "service", "assignee"]
    readonly_fields = ["number"]
    inlines = [MessageInline]
