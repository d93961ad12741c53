"""Branded error pages in the user's language, and a database that goes away: 503, then
the app answers again by itself."""

import urllib.error
import urllib.request

import pytest
from django.db import OperationalError, connection
from django.test import Client, override_settings
from django.urls import include, path

from chamado.config import urls as chamado_urls
from chamado.core.models import AuditEvent


def database_gone(request):  # type: ignore[no-untyped-def]
    raise OperationalError("could not connect to server: Connection refused")


def backend_killed(request):  # type: ignore[no-untyped-def]
    """The server ends this connection mid-request (an operator, a failover, a restart)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")  # fails: the connection is gone


def broken(request):  # type: ignore[no-untyped-def]
    raise RuntimeError("a bug")


handler500 = chamado_urls.handler500  # the real one, under this test's URLs
urlpatterns = [
    path("gone/", database_gone),
    path("killed/", backend_killed),
    path("broken/", broken),
    path("", include("chamado.config.urls")),
]
PAGES = override_settings(DEBUG=False, ROOT_URLCONF=__name__)


@PAGES
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "lang", "text"),
    [("en", "en", "Page not found"), ("pt-BR", "pt-BR", "Página não encontrada")],
)
def test_not_found_is_a_branded_page_in_the_users_language(language, lang, text) -> None:
    response = Client(headers={"accept-language": language}).get("/no/such/page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert f'<html lang="{lang}">' in page and text in page and "Chamado" in page


@PAGES
@pytest.mark.django_db
def test_a_crash_is_the_branded_500_page() -> None:
    response = Client(raise_request_exception=False).get("/broken/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


@PAGES
@pytest.mark.django_db
def test_an_unreachable_database_is_a_503_with_retry_after() -> None:
    client = Client(raise_request_exception=False, headers={"accept-language": "pt-BR"})
    response = client.get("/gone/")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "banco de dados" in response.content.decode()


@PAGES
@pytest.mark.django_db(transaction=True)
def test_a_terminated_database_connection_recovers_by_itself(live_server) -> None:
    """A real server thread (live_server): the request whose connection the database ended
    gets the 503 page; the next request opens a new connection, nothing to restart."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): SQLite has no server connection to end")

    def status(path: str) -> int:
        try:
            with urllib.request.urlopen(live_server.url + path) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    assert status("/killed/") == 503
    assert status("/login/") == 200


@pytest.mark.django_db
def test_the_audit_log_cannot_be_changed_or_deleted_in_the_admin(admin) -> None:
    event = AuditEvent.objects.create(verb="ticket.open", object_type="t", object_id="1")
    client = Client()
    client.force_login(admin)
    listing = client.get("/admin/core/auditevent/").content.decode()
    assert "delete_selected" not in listing
    assert client.get(f"/admin/core/auditevent/{event.pk}/delete/").status_code == 403
    client.post(
        "/admin/core/auditevent/", {"action": "delete_selected", "_selected_action": [event.pk]}
    )
    assert AuditEvent.objects.filter(pk=event.pk).exists()
