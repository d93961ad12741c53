"""A load balancer probes each web process by its address over plain HTTP: in production
(ALLOWED_HOSTS the site's host, HTTP redirected to HTTPS) /healthz and /readyz still answer,
and nothing else does (docs/DEPLOY.md, health checks)."""

from typing import Any

import pytest
from django.test import Client


@pytest.fixture
def production(settings: Any) -> None:
    settings.ALLOWED_HOSTS = ["help.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


@pytest.mark.django_db
@pytest.mark.usefixtures("production")
@pytest.mark.parametrize("host", ["10.0.0.11:8000", "127.0.0.1:8000", "help.example.com"])
@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_a_probe_by_address_over_http_is_answered(host: str, path: str) -> None:
    response = Client().get(path, HTTP_HOST=host)
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response["X-Request-ID"]
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
@pytest.mark.usefixtures("production")
def test_every_other_page_keeps_the_host_check_and_the_redirect() -> None:
    client = Client()
    assert client.get("/kb/", HTTP_HOST="10.0.0.11:8000").status_code == 400
    redirect = client.get("/kb/", HTTP_HOST="help.example.com")
    assert redirect.status_code == 301
    assert redirect["Location"] == "https://help.example.com/kb/"
    assert client.post("/healthz", HTTP_HOST="10.0.0.11:8000").status_code == 405
