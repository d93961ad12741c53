"""Webhooks in the admin: endpoints (events as checkboxes, the secret, a new secret, a test
ping), allowed hosts, deliveries read-only with their attempts, and replay."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from chamado.core.models import AuditEvent
from chamado.hooks.models import AllowedHost, Delivery, Endpoint, Event
from chamado.hooks.tasks import hook_delivery_send as send_task
from tests.hooks.conftest import HookServer
from tests.hooks.test_sending import verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client: Client, admin: Any) -> Client:
    client.force_login(admin)
    return client


def changelist_action(client: Client, model: str, action: str, pks: list[int]) -> Any:
    return client.post(
        reverse(f"admin:hooks_{model}_changelist"),
        {"action": action, "_selected_action": [str(pk) for pk in pks]},
        follow=True,
    )


def test_every_webhook_page_renders_for_a_superuser(
    staff: Client, endpoint: Endpoint, hook_server: HookServer, ticket: Any
) -> None:
    delivery = Delivery.objects.get()
    send_task.call(delivery.pk, 1)
    host = AllowedHost.objects.get()
    pages = [
        reverse("admin:hooks_endpoint_changelist"),
        reverse("admin:hooks_endpoint_add"),
        reverse("admin:hooks_endpoint_change", args=[endpoint.pk]),
        reverse("admin:hooks_allowedhost_changelist"),
        reverse("admin:hooks_allowedhost_add"),
        reverse("admin:hooks_allowedhost_change", args=[host.pk]),
        reverse("admin:hooks_delivery_changelist"),
        reverse("admin:hooks_delivery_change", args=[delivery.pk]),
    ]
    for page in pages:
        assert staff.get(page).status_code == 200, page

    html = staff.get(reverse("admin:hooks_endpoint_change", args=[endpoint.pk])).content.decode()
    assert endpoint.secret in html, "the secret is shown on the endpoint's page"
    assert html.count('type="checkbox" name="events"') == len(Event.values)
    add = staff.get(reverse("admin:hooks_endpoint_add")).content.decode()
    assert 'name="secret"' not in add and "secret" not in add.split("<form", 1)[1].lower()

    page = staff.get(reverse("admin:hooks_delivery_change", args=[delivery.pk])).content.decode()
    assert "ticket.created" in page and str(ticket.number) in page  # the payload
    assert 'name="event"' not in page, "read-only"
    assert reverse("admin:hooks_delivery_replay", args=[delivery.pk]) in page
    assert "Attempts" in page and ">200<" in page.replace(" ", "")


def test_the_pages_speak_portuguese(staff: Client, endpoint: Endpoint, ticket: Any) -> None:
    def get(name: str, *args: Any) -> str:
        response = staff.get(reverse(name, args=args), HTTP_ACCEPT_LANGUAGE="pt-BR")
        assert response.status_code == 200
        return response.content.decode()

    index = get("admin:index")
    for plural in ("Destinos de webhook", "Entregas de webhook", "Hosts permitidos"):
        assert plural in index
    change = get("admin:hooks_endpoint_change", endpoint.pk)
    assert "Ticket criado" in change and "Segredo" in change
    assert "Enviar um ping de teste" in get("admin:hooks_endpoint_changelist")
    assert "Reenviar agora" in get("admin:hooks_delivery_changelist")


def test_an_endpoint_is_added_with_checkbox_events_and_gets_a_secret(staff: Client) -> None:
    response = staff.post(
        reverse("admin:hooks_endpoint_add"),
        {
            "name": "CRM",
            "url": "https://crm.example.com/chamado",
            "events": ["ticket.created", "ticket.closed"],
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    endpoint = Endpoint.objects.get()
    assert endpoint.events == ["ticket.created", "ticket.closed"]
    assert len(endpoint.secret) >= 40


@pytest.mark.parametrize(
    "url",
    ["https://user:password@crm.example.com/", "ftp://crm.example.com/in", "javascript:alert(1)"],
)
def test_the_admin_refuses_a_url_with_credentials_or_another_scheme(
    staff: Client, url: str
) -> None:
    response = staff.post(
        reverse("admin:hooks_endpoint_add"), {"name": "Bad", "url": url, "events": []}
    )
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not Endpoint.objects.exists()


def test_an_allowed_host_is_stored_in_one_form_and_checked(staff: Client) -> None:
    add = reverse("admin:hooks_allowedhost_add")
    assert staff.post(add, {"host": "[0:0::1]", "note": "local relay"}).status_code == 302
    assert AllowedHost.objects.get().host == "::1"
    again = staff.post(add, {"host": "::1", "note": "twice"})
    assert again.status_code == 200 and AllowedHost.objects.count() == 1
    for wrong in ("crm.example.com/path", "http://crm.example.com", "crm.example.com:8080"):
        assert staff.post(add, {"host": wrong}).status_code == 200, wrong
    assert AllowedHost.objects.count() == 1


def test_regenerating_the_secret_changes_what_deliveries_are_signed_with(
    staff: Client, endpoint: Endpoint, hook_server: HookServer
) -> None:
    old = endpoint.secret
    response = changelist_action(staff, "endpoint", "secret_regenerate", [endpoint.pk])
    assert "1 endpoint has a new secret" in response.content.decode()
    endpoint.refresh_from_db()
    assert endpoint.secret != old
    assert AuditEvent.objects.filter(verb="hook_endpoint.secret").count() == 1
    assert old not in str(list(AuditEvent.objects.values_list("before", "after")))


def test_a_test_ping_is_queued_signed_and_sent(
    staff: Client, endpoint: Endpoint, hook_server: HookServer
) -> None:
    response = changelist_action(staff, "endpoint", "ping", [endpoint.pk])
    assert "A ping was queued for 1 endpoint" in response.content.decode()
    ping = Delivery.objects.get(event="ping")

    assert send_task.call(ping.pk, 1) == "sent"

    (request,) = hook_server.received
    assert request.headers["Chamado-Event"] == "ping"
    assert verified(endpoint, request)


def test_replay_from_the_admin_sends_the_delivery_again_as_a_new_attempt(
    staff: Client, endpoint: Endpoint, hook_server: HookServer, ticket: Any
) -> None:
    delivery = Delivery.objects.get()
    assert send_task.call(delivery.pk, 1) == "sent"

    response = changelist_action(staff, "delivery", "replay", [delivery.pk])

    assert "1 webhook delivery queued to be sent again now." in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING and delivery.series_start == 1
    assert send_task.call(delivery.pk, 2) == "sent"
    assert list(delivery.tries.values_list("number", "status_code")) == [(1, 200), (2, 200)]
    first, second = hook_server.received
    assert first.body == second.body and verified(endpoint, second)
    assert AuditEvent.objects.filter(verb="hook_delivery.replay").count() == 1


def test_replay_button_on_a_failed_delivery(
    staff: Client, endpoint: Endpoint, hook_server: HookServer, ticket: Any
) -> None:
    Endpoint.objects.filter(pk=endpoint.pk).update(url="ftp://wrong.example.com/")
    delivery = Delivery.objects.get()
    assert send_task.call(delivery.pk, 1) == "failed"
    Endpoint.objects.filter(pk=endpoint.pk).update(url=hook_server.url())  # the admin fixes it
    replay = reverse("admin:hooks_delivery_replay", args=[delivery.pk])

    assert staff.get(replay).status_code == 403, "POST only"
    assert staff.post(replay).status_code == 302

    assert send_task.call(delivery.pk, 2) == "sent"
    assert len(hook_server.received) == 1
    assert Delivery.objects.get(pk=delivery.pk).status == Delivery.Status.SENT


def test_an_agent_who_is_not_staff_cannot_reach_the_webhook_admin(
    client: Client, agent: Any, endpoint: Endpoint
) -> None:
    client.force_login(agent)
    response = client.get(reverse("admin:hooks_endpoint_change", args=[endpoint.pk]))
    assert response.status_code == 302 and endpoint.secret not in response.content.decode()
