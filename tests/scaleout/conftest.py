"""Fixtures of the scale-out tests: a shared database, a Redis database, a real SMTP server, the
people of a small help desk, and the processes (skipped unless CHAMADO_SCALEOUT=1 with
PostgreSQL and Redis configured)."""

import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.db.utils import load_backend

from tests import factories
from tests.mail.conftest import HoldingInbox, SmtpServer, free_port
from tests.mail.processes import SharedDatabase, shared_database
from tests.object_storage import storage_environment
from tests.scaleout.cluster import Cluster, redis_database, skip_reason

PASSWORD = "scale-out-client-password"


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    reason = skip_reason()
    if reason is None:
        return
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def migrated_template(django_db_blocker: Any) -> Iterator[str]:
    """A PostgreSQL database migrated once per test process; each test gets a copy of it
    (CREATE DATABASE ... TEMPLATE) instead of migrating a database of its own again."""
    if skip_reason() is not None:
        pytest.skip(skip_reason())
    name = f"chamado_scaleout_template_{os.getpid()}"
    original = connections["default"]
    with django_db_blocker.unblock():
        with original._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
        backend = load_backend(original.settings_dict["ENGINE"])
        template = backend.DatabaseWrapper({**original.settings_dict, "NAME": name}, "default")
        connections["default"] = template
        try:
            call_command("migrate", verbosity=0, interactive=False)
        finally:
            template.close()
            connections["default"] = original
    yield name
    with django_db_blocker.unblock(), original._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def shared_db(
    django_db_blocker: Any, tmp_path: Path, migrated_template: str
) -> Iterator[SharedDatabase]:
    """A database of the test's own (a copy of the migrated template) that this process's
    ORM and every process it starts use, dropped at the end."""
    yield from shared_database(django_db_blocker, tmp_path, template=migrated_template)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A real SMTP server on loopback; its inbox can hold the first email to an address
    (``inbox.hold``), leaving a worker mid-send."""
    inbox = HoldingInbox()
    server = SmtpServer(port=free_port(), inbox=inbox)
    server.start()
    yield server
    inbox.release()
    server.stop()


@pytest.fixture
def cluster(shared_db: SharedDatabase, smtp: SmtpServer, tmp_path: Path) -> Iterator[Cluster]:
    """The environment every process of the test shares (SECRET_KEY, database, Redis, files,
    mail), and the processes, stopped at the end whatever happened."""
    folder = tmp_path / "logs"
    folder.mkdir()
    with redis_database(os.environ["REDIS_URL"]) as redis_url:
        env = {
            **shared_db.env,
            **storage_environment(),
            "REDIS_URL": redis_url,
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
            "DEBUG": "false",
            "CHAMADO_REQUIRE_2FA": "0",
            "SITE_URL": settings.SITE_URL,
            "LOG_LEVEL": "INFO",
        }
        cluster = Cluster(env=env, folder=folder)
        try:
            yield cluster
        finally:
            cluster.stop()


@pytest.fixture
def helpdesk(shared_db: SharedDatabase) -> dict[str, Any]:
    """A client (owner of an account with a service) and the Support department with two
    agents; the rate limits off, as a load test needs (the processes read the policy from
    the database: their Redis database starts empty)."""
    from chamado.tickets.models import Policy

    owner = factories.OwnerFactory(full_name="Ana Souza", email="ana@acme.example")
    owner.set_password(PASSWORD)
    owner.save()
    factories.ServiceFactory(account=owner.account, name="Shared Hosting", label="acme.com.br")
    support = factories.department("support")
    agents = [
        factories.AgentFactory(full_name="Elisa Rocha", email="elisa@chamado.example"),
        factories.AgentFactory(full_name="Igor Melo", email="igor@chamado.example"),
    ]
    support.agents.add(*agents)
    policy = Policy.objects.filter(pk=1).first() or Policy(pk=1)
    policy.tickets_per_hour = 0
    policy.uploads_per_hour = 0
    policy.flood_max_messages = 1000
    policy.save()
    return {"owner": owner, "password": PASSWORD, "support": support, "agents": agents}


def expected_notices(numbers: list[int]) -> dict[str, str]:
    """Message-ID → recipient's address of every email the tickets ``numbers`` must have
    caused, worked out from the tickets and their messages (never from the deliveries): per
    ticket, the client's confirmation and a notice to each Support agent; per client reply on
    an unassigned ticket, a notice to each agent who wants them."""
    from chamado.mail.models import Delivery
    from chamado.tickets.models import Ticket

    expected: dict[str, str] = {}
    tickets = Ticket.objects.filter(number__in=numbers).select_related("contact", "department")
    for ticket in tickets:
        agents = list(ticket.department.agents.all())
        first, *replies = list(ticket.messages.order_by("created_at", "pk"))
        notices = [(Delivery.Kind.TICKET_CONFIRMATION, first, ticket.contact)]
        notices += [(Delivery.Kind.TICKET_NEW_NOTICE, first, agent) for agent in agents]
        for reply in replies:
            assert not reply.from_agent and ticket.assignee_id is None
            notices += [
                (Delivery.Kind.CLIENT_REPLY_NOTICE, reply, agent)
                for agent in agents
                if agent.notify_client_replies
            ]
        for kind, message, person in notices:
            key = f"{kind}.{ticket.number}.{message.pk}.{person.pk}"
            expected[f"<{key}@{settings.MESSAGE_ID_DOMAIN}>"] = person.email
    return expected


def notices_check(smtp: SmtpServer, numbers: list[int]) -> None:
    """Every notification the tickets caused was sent exactly once: each at the SMTP server
    once, to its recipient alone, nothing else there, and every Delivery row sent."""
    from chamado.mail.models import Delivery

    expected = expected_notices(numbers)
    received = Counter(message["Message-ID"] for message in smtp.inbox.messages)
    missing = sorted(set(expected) - set(received))
    duplicated = sorted(m for m, n in received.items() if n > 1)
    unexpected = sorted(set(received) - set(expected))
    assert not (missing or duplicated or unexpected), (
        f"missing {missing}, sent twice {duplicated}, not expected {unexpected}"
    )
    for message, envelope in zip(smtp.inbox.messages, smtp.inbox.envelopes, strict=True):
        assert envelope == [expected[message["Message-ID"]]]
    rows = Counter(Delivery.objects.values_list("email_message_id", "state"))
    assert rows == {(m, Delivery.State.SENT): 1 for m in expected}
