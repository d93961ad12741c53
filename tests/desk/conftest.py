"""Logged-in test clients for desk tests (the people themselves are in tests/conftest.py)."""

from typing import Any

import pytest
from django.test import Client


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
