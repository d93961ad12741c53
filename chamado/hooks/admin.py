import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from chamado.hooks.actions import deliveries_replay, endpoint_ping, endpoint_secret_regenerate
from chamado.hooks.models import AllowedHost, Attempt, Delivery, Endpoint, Event


class EndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        label=gettext_lazy("events"),
        choices=Event.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Endpoint
        fields = ["name", "url", "events", "is_active"]


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    """Where ticket events are POSTed. The secret is made on creation and shown read-only; the
    list's actions make a new one or send a signed test ping."""

    form = EndpointForm
    list_display = ["name", "url", "is_active", "event_list", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "url"]
    actions = ["secret_regenerate", "ping"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # No secret on the add page: the one shown would not be the one saved.
        return ["secret", "created_at"] if obj is not None else []

    @admin.display(description=gettext_lazy("events"))
    def event_list(self, endpoint: Endpoint) -> str:
        labels = dict(Event.choices)
        return ", ".join(str(labels.get(event, event)) for event in endpoint.events or [])

    @admin.action(description=gettext_lazy("Regenerate the secret"), permissions=["change"])
    def secret_regenerate(self, request: HttpRequest, queryset: QuerySet[Endpoint]) -> None:
        endpoints = list(queryset)
        for endpoint in endpoints:
            endpoint_secret_regenerate(actor=request.user, endpoint=endpoint)
        self.message_user(
            request,
            ngettext(
                "%(count)d endpoint has a new secret; update the receiving side.",
                "%(count)d endpoints have a new secret; update the receiving side.",
                len(endpoints),
            )
            % {"count": len(endpoints)},
            messages.SUCCESS,
        )

    @admin.action(description=gettext_lazy("Send a test ping"), permissions=["change"])
    def ping(self, request: HttpRequest, queryset: QuerySet[Endpoint]) -> None:
        endpoints = list(queryset)
        for endpoint in endpoints:
            endpoint_ping(actor=request.user, endpoint=endpoint)
        self.message_user(
            request,
            ngettext(
                "A ping was queued for %(count)d endpoint; its attempts show in the deliveries.",
                "A ping was queued for %(count)d endpoints; their attempts show in the deliveries.",
                len(endpoints),
            )
            % {"count": len(endpoints)},
            messages.SUCCESS,
        )


@admin.register(AllowedHost)
class AllowedHostAdmin(admin.ModelAdmin):
    """Hosts webhooks may reach although they resolve to private, loopback or link-local
    addresses."""

    list_display = ["host", "note", "created_at"]
    search_fields = ["host", "note"]


class AttemptInline(admin.TabularInline):
    model = Attempt
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "number",
        "started_at",
        "status_code",
        "duration_ms",
        "error",
        "response_excerpt",
    )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Webhook deliveries, read-only, with every attempt; any can be replayed (a new attempt,
    now), from the list (action) or from its page (button)."""

    list_display = [
        "created_at",
        "event",
        "endpoint",
        "ticket",
        "status",
        "attempts",
        "next_attempt_at",
    ]
    list_filter = ["status", "event", "endpoint"]
    list_select_related = ["endpoint", "ticket"]
    search_fields = ["ticket__number", "event_id", "endpoint__name"]
    fields = readonly_fields = (
        "endpoint",
        "event",
        "event_id",
        "ticket",
        "status",
        "attempts",
        "next_attempt_at",
        "created_at",
        "sent_at",
        "payload_shown",
    )
    inlines = [AttemptInline]
    actions = ["replay"]
    change_form_template = "admin/hooks/delivery/change_form.html"

    @admin.display(description=gettext_lazy("payload"))
    def payload_shown(self, delivery: Delivery) -> str:
        return format_html("<pre>{}</pre>", json.dumps(delivery.payload, indent=2))

    def _replayed(self, request: HttpRequest, deliveries: list[Delivery]) -> None:
        count = deliveries_replay(actor=request.user, deliveries=deliveries)
        if count:
            self.message_user(
                request,
                ngettext(
                    "%(count)d webhook delivery queued to be sent again now.",
                    "%(count)d webhook deliveries queued to be sent again now.",
                    count,
                )
                % {"count": count},
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request,
                _("Nothing was queued: a delivery being sent right now cannot be replayed."),
                messages.WARNING,
            )

    @admin.action(description=gettext_lazy("Replay (send again now)"), permissions=["replay"])
    def replay(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        self._replayed(request, list(queryset))

    def replay_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The button on a delivery's page (POST only)."""
        delivery = self.get_object(request, object_id)
        if delivery is None or request.method != "POST" or not self.has_replay_permission(request):
            raise PermissionDenied
        self._replayed(request, [delivery])
        return HttpResponseRedirect(reverse("admin:hooks_delivery_change", args=[delivery.pk]))

    def get_urls(self) -> list[URLPattern]:
        replay = path(
            "<path:object_id>/replay/",
            self.admin_site.admin_view(self.replay_view),
            name="hooks_delivery_replay",
        )
        return [replay, *super().get_urls()]

    def render_change_form(
        self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any
    ) -> HttpResponse:
        context["may_replay"] = kwargs.get("obj") is not None and self.has_replay_permission(
            request
        )
        return super().render_change_form(request, context, *args, **kwargs)

    def has_replay_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("hooks.change_delivery")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Saving the form would write a stale status over the worker's; replaying is the one
        # change, and it checks.
        return False
