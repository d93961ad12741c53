"""Shared fixtures: isolated media and mail folders (or a key prefix of the test's own in the
bucket on S3), the people of an account, a browser."""

import copy
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache.backends.redis import RedisCache
from django.utils import translation

from tests import factories
from tests.object_storage import bucket_ensure, key_prefix, s3_configured, s3_options

# Playwright's sync API runs an event loop in the test thread; the ORM calls of browser
# tests are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True, scope="session")
def _object_storage_bucket() -> None:
    """On S3 (the scale-out pass): the bucket, made once on a fresh server. Chamado itself
    never creates its bucket."""
    if s3_configured():
        bucket_ensure(s3_options())


def _no_flush(self: RedisCache) -> None:
    raise AssertionError(
        "cache.clear() on Redis flushes the database every parallel test worker shares (their "
        "cached sessions and settings with it); each test already has a key prefix of its own"
    )


@pytest.fixture(autouse=True)
def _isolated_files(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    if s3_configured():
        # Each test its own key prefix in the bucket, as on disk its own MEDIA_ROOT.
        storages = copy.deepcopy(settings.STORAGES)
        options = storages["default"]["OPTIONS"]
        options["location"] = key_prefix(options.get("location") or "")
        settings.STORAGES = storages
    settings.PASSWORD_HASHERS = ["tests.hashers.FastArgon2PasswordHasher"]
    # Each test its own cache namespace (parallel workers share Redis or var/cache).
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    if "filebased" in caches["default"]["BACKEND"]:
        caches["default"]["LOCATION"] = str(tmp_path / "cache")
    settings.CACHES = caches
    if "redis" in caches["default"]["BACKEND"].lower():
        monkeypatch.setattr(RedisCache, "clear", _no_flush)
    # Most tests sign agents in with client.force_login, which shows no second factor; the
    # two-factor tests (tests/accounts/test_two_factor.py) turn the requirement on.
    settings.CHAMADO_REQUIRE_2FA = False


@pytest.fixture(autouse=True)
def _english_by_default() -> Iterator[None]:
    """Each test starts in English; a test that activates a language cannot leak it."""
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def account(db: None) -> Any:
    return factories.AccountFactory(name="Acme Hospedagem")


@pytest.fixture
def owner(account: Any) -> Any:
    return factories.OwnerFactory(account=account, full_name="Ana Souza")


@pytest.fixture
def contact(account: Any) -> Any:
    return factories.ContactFactory(account=account, can_tickets=True, full_name="Bruno Lima")


@pytest.fixture
def contact_without_tickets(account: Any) -> Any:
    return factories.ContactFactory(account=account, can_tickets=False, full_name="Carla Dias")


@pytest.fixture
def service(account: Any) -> Any:
    return factories.ServiceFactory(account=account, name="Shared Hosting", label="acme.com.br")


@pytest.fixture
def other_owner(db: None) -> Any:
    return factories.OwnerFactory(account=factories.AccountFactory(name="Beta Sites"))


@pytest.fixture
def support(db: None) -> Any:
    return factories.department("support")


@pytest.fixture
def sales(db: None) -> Any:
    return factories.department("sales")


@pytest.fixture
def billing(db: None) -> Any:
    return factories.department("billing")


@pytest.fixture
def billing_agent(billing: Any) -> Any:
    agent = factories.AgentFactory(full_name="Fábio Costa")
    billing.agents.add(agent)
    return agent


@pytest.fixture
def colleague(support: Any) -> Any:
    """A second Support agent."""
    agent = factories.AgentFactory(full_name="Marcos Pereira")
    support.agents.add(agent)
    return agent


@pytest.fixture
def admin(db: None) -> Any:
    return factories.AgentFactory(full_name="Admin", is_superuser=True, is_staff=True)


@pytest.fixture
def agent(support: Any) -> Any:
    agent = factories.AgentFactory(full_name="Elisa Rocha")
    support.agents.add(agent)
    return agent


@pytest.fixture
def ticket(owner: Any, service: Any, support: Any) -> Any:
    return factories.open_ticket(owner, service=service, department=support)
