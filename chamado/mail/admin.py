from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from chamado.mail.models import Delivery
from chamado.mail.tasks import deliveries_retry


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Outgoing email, read-only: the failed ones (filter "Gave up") can be sent again, from the
    list (action) or from a delivery's page (button)."""

    list_display = [
        "created_at",
        "kind",
        "ticket",
        "recipient",
        "state",
        "attempts",
        "sent_at",
        "short_error",
    ]
    list_filter = ["state", "kind"]
    list_select_related = ["ticket", "recipient"]
    search_fields = ["ticket__number", "recipient__email", "email_message_id"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
    actions = ["retry"]
    change_form_template = "admin/mail/delivery/change_form.html"

    @admin.display(description=gettext_lazy("last error"))
    def short_error(self, delivery: Delivery) -> str:
        return delivery.last_error[:80]

    def _retried(self, request: HttpRequest, deliveries: list[Delivery]) -> None:
        count = deliveries_retry(actor=request.user, deliveries=deliveries)
        if count:
            self.message_user(
                request,
                ngettext(
                    "%(count)d email queued to be sent again.",
                    "%(count)d emails queued to be sent again.",
                    count,
                )
                % {"count": count},
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request, _("Only emails that failed can be sent again."), messages.WARNING
            )

    @admin.action(
        description=gettext_lazy("Send again the ones that gave up"), permissions=["retry"]
    )
    def retry(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        self._retried(request, list(queryset.filter(state=Delivery.State.FAILED)))

    def retry_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The button on a failed delivery's page (POST only)."""
        delivery = self.get_object(request, object_id)
        if delivery is None or request.method != "POST" or not self.has_retry_permission(request):
            raise PermissionDenied
        self._retried(request, [delivery])
        return HttpResponseRedirect(reverse("admin:mail_delivery_change", args=[delivery.pk]))

    def get_urls(self) -> list[URLPattern]:
        retry = path(
            "<path:object_id>/retry/",
            self.admin_site.admin_view(self.retry_view),
            name="mail_delivery_retry",
        )
        return [retry, *super().get_urls()]

    def render_change_form(
        self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any
    ) -> HttpResponse:
        obj = kwargs.get("obj")
        context["may_retry"] = (
            obj is not None
            and obj.state == Delivery.State.FAILED
            and self.has_retry_permission(request)
        )
        return super().render_change_form(request, context, *args, **kwargs)

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("mail.change_delivery")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Nothing here is edited by hand: saving the form would write a stale state over the
        # worker's (a sent email back to pending). Retrying is the one change, and it checks.
        return False
