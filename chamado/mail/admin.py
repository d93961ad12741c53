from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from chamado.mail.models import Delivery
from chamado.mail.tasks import delivery_send


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "ticket", "recipient", "state", "attempts", "sent_at"]
    list_filter = ["state", "kind"]
    list_select_related = ["ticket", "recipient"]
    search_fields = ["ticket__number", "recipient__email", "email_message_id"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
    actions = ["retry"]

    @admin.action(description=_("Send again the ones that gave up"))
    def retry(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        for delivery in queryset.filter(state=Delivery.State.FAILED):
            Delivery.objects.filter(pk=delivery.pk).update(state=Delivery.State.PENDING, attempts=0)
            delivery_send.enqueue(delivery.pk)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
