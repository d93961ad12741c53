"""The admin is Chamado's: its name in both languages on every page (never Django's), its
colours from a static stylesheet, and an account's page shows its contacts (every input
labelled) and its services."""

import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

NAMES = {"en": "Chamado administration", "pt-BR": "Administração do Chamado"}


@pytest.fixture
def admin_client(admin: Any) -> Client:
    client = Client()
    client.force_login(admin)
    return client


def pages(account: Any, admin: Any) -> list[str]:
    return [
        reverse("admin:index"),
        reverse("admin:app_list", args=["accounts"]),
        reverse("admin:accounts_user_changelist"),
        reverse("admin:accounts_user_change", args=[admin.pk]),
        reverse("admin:accounts_user_add_agent"),
        reverse("admin:accounts_account_change", args=[account.pk]),
        reverse("admin:tickets_department_changelist"),
    ]


@pytest.mark.parametrize("language", ["en", "pt-BR"])
def test_every_admin_page_names_chamado_never_django(
    admin_client, admin, account, support, language
) -> None:
    for url in pages(account, admin):
        response = admin_client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert "Django" not in page, f"{url} names Django"
        assert f'<div id="site-name"><a href="/admin/">{NAMES[language]}</a></div>' in page, url
        assert re.search(rf"<title>[^<]*\| {NAMES[language]}</title>", page), url
        assert 'href="/static/core/admin.css"' in page, url


def test_the_index_heading_is_the_administration(admin_client) -> None:
    english = admin_client.get(reverse("admin:index")).content.decode()
    portuguese = admin_client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="pt-BR")
    assert "<h1>Administration</h1>" in english
    assert "<h1>Administração</h1>" in portuguese.content.decode()


def test_the_admin_stylesheet_sets_chamados_colours_for_light_and_dark() -> None:
    path = finders.find("core/admin.css")
    assert path, "core/admin.css is not found by staticfiles"
    css = Path(path).read_text(encoding="utf-8")
    assert "--header-bg: #102a43" in css and "--primary: #0b5cad" in css
    assert "prefers-color-scheme: dark" in css and 'html[data-theme="dark"]' in css


def test_the_account_page_shows_its_contacts_and_its_services(
    admin_client, account, owner, contact
) -> None:
    factories.ServiceFactory(account=account, name="Shared Hosting", label="acme.com.br")
    factories.ServiceFactory(
        account=account, name="VPS 2GB", label="vps1.acme.com.br", status="suspended"
    )
    other = factories.AccountFactory(name="Beta Sites")
    factories.ServiceFactory(account=other, name="Domain", label="beta.example")

    page = admin_client.get(reverse("admin:accounts_account_change", args=[account.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert owner.full_name in html and contact.full_name in html  # the contacts inline stays
    # Each input of the table is named for a screen reader, not only by its column's header.
    for label in ("Account owner", "Tickets", "Contacts", "Services", "Delete"):
        assert f'aria-label="{label}"' in html, label
    for text in ("Shared Hosting", "acme.com.br", "VPS 2GB", "vps1.acme.com.br", "Suspended"):
        assert text in html
    assert "beta.example" not in html
    # Read here, changed on the service's own page (linked).
    assert 'name="services-0-name"' not in html
    service = account.services.get(name="VPS 2GB")
    assert reverse("admin:services_service_change", args=[service.pk]) in html
