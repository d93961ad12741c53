"""The desk's people: Support (from tests/conftest.py), Sales and Billing with their agents,
and an administrator."""

from typing import Any

import pytest
from django.test import Client

from chamado.tickets.models import Department
from tests import factories


@pytest.fixture
def sales(db: None) -> Department:
    return factories.department("sales")


@pytest.fixture
def billing(db: None) -> Department:
    return factories.department("billing")


@pytest.fixture
def billing_agent(billing: Department) -> Any:
    agent = factories.AgentFactory(full_name="Fábio Costa")
    billing.agents.add(agent)
    return agent


@pytest.fixture
def colleague(support: Department) -> Any:
    """A second Support agent."""
    agent = factories.AgentFactory(full_name="Marcos Pereira")
    support.agents.add(agent)
    return agent


@pytest.fixture
def admin(db: None) -> Any:
    return factories.AgentFactory(full_name="Admin", is_superuser=True, is_staff=True)


@pytest.fixture
def agent_client(client: Client, agent: Any) -> Client:
    """The test client, logged in as the Support agent."""
    client.force_login(agent)
    return client


@pytest.fixture
def owner_client(owner: Any) -> Client:
    """A second browser, logged in as the ticket's client."""
    browser = Client()
    browser.force_login(owner)
    return browser
