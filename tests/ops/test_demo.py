"""`chamado demo`: the demo data, loaded once, never over real data."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from chamado.accounts.models import Account, User
from chamado.services.models import Service
from chamado.tickets.models import Ticket
from tests import factories

pytestmark = pytest.mark.django_db

LOGINS = [
    ("client@example.com", "demo-client-pass"),
    ("contact@example.com", "demo-contact-pass"),
    ("finance@example.com", "demo-finance-pass"),
    ("other@example.com", "demo-other-pass"),
    ("agent@example.com", "demo-agent-pass"),
    ("billing@example.com", "demo-billing-pass"),
    ("admin@example.com", "demo-admin-pass"),
]


@pytest.fixture
def departments(db: None) -> None:
    # A transactional test elsewhere in this process may have flushed the migrated ones.
    for slug in factories.DEPARTMENTS:
        factories.department(slug)


def demo(**options: object) -> str:
    out = io.StringIO()
    call_command("demo", stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


@pytest.fixture
def loaded(departments: None) -> None:
    demo()


def test_every_demo_login_works_with_its_password(client, loaded) -> None:
    for email, password in LOGINS:
        response = client.post(reverse("login"), {"login": email, "password": password})
        assert response.status_code == 302, f"{email} could not log in"
        assert response["Location"] == reverse("portal:home")
        assert client.session["_auth_user_id"] == str(User.objects.get(email=email).pk)
        client.post(reverse("logout"))


def test_demo_people_have_the_roles_of_the_spec(loaded) -> None:
    users = {user.email: user for user in User.objects.select_related("membership__account")}
    assert users["client@example.com"].is_account_owner
    assert users["client@example.com"].account.name == "Acme Hospedagem"
    assert users["contact@example.com"].may_use_tickets
    assert not users["contact@example.com"].is_account_owner
    assert not users["finance@example.com"].may_use_tickets
    assert users["finance@example.com"].account.name == "Acme Hospedagem"
    assert users["other@example.com"].account.name == "Beta Sites"
    assert {d.slug for d in users["agent@example.com"].departments.all()} == {"support", "sales"}
    assert {d.slug for d in users["billing@example.com"].departments.all()} == {"billing"}
    assert users["admin@example.com"].is_superuser and users["admin@example.com"].is_staff


def test_demo_accounts_have_their_services(loaded) -> None:
    acme = set(Service.objects.filter(account__name="Acme Hospedagem").values_list("name", "label"))
    assert acme == {
        ("Shared Hosting", "acme.com.br"),
        ("VPS 2GB", "vps1.acme.com.br"),
        ("Domain", "acme.com.br"),
    }
    assert Service.objects.filter(account__name="Beta Sites").count() == 1
    assert not Service.objects.exclude(status=Service.Status.ACTIVE).exists()


def test_demo_tickets_are_in_various_states(loaded) -> None:
    statuses = set(Ticket.objects.values_list("status", flat=True))
    assert {Ticket.Status.OPEN, Ticket.Status.ANSWERED, Ticket.Status.CLOSED} <= statuses
    assert Ticket.objects.filter(account__name="Beta Sites").exists()


def test_demo_refuses_to_run_twice(loaded) -> None:
    users = User.objects.count()
    with pytest.raises(CommandError, match="already loaded"):
        demo()
    assert User.objects.count() == users


def test_if_empty_does_nothing_on_a_database_with_data(departments) -> None:
    factories.OwnerFactory(email="real-client@example.com")
    output = demo(if_empty=True)
    assert "already has data" in output
    assert not User.objects.filter(email="client@example.com").exists()
    assert Account.objects.count() == 1


def test_if_empty_loads_an_empty_database(departments) -> None:
    demo(if_empty=True)
    assert User.objects.filter(email__in=[email for email, _ in LOGINS]).count() == len(LOGINS)


def test_demo_run_twice_with_if_empty_is_quiet(loaded) -> None:
    output = demo(if_empty=True)
    assert "already has data" in output
