"""An agent made in one admin form: the login with no password, its departments, the audit row
and one invitation email (built by the worker, in the agent's language, its link from SITE_URL)
whose link lets them choose a password; refusals keep the form."""

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from chamado.accounts.models import User
from chamado.core.errors import ApplicationError
from chamado.core.models import AuditEvent
from chamado.tickets.agents import agent_create
from tests import factories
from tests.worker import worker_run

SITE = "https://help.acme-hosting.example"
NEW_PASSWORD = "Correct-Horse-Battery-9"
ADD_AGENT = reverse("admin:accounts_user_add_agent")


def parts(message: Any) -> dict[str, str]:
    return {
        part.get_content_type(): part.get_content()
        for part in message.walk()
        if not part.is_multipart()
    }


def admin_client(admin: Any) -> Client:
    client = Client()
    client.force_login(admin)
    return client


@pytest.mark.django_db(transaction=True)
def test_one_post_makes_the_agent_with_departments_and_one_invitation_from_site_url(
    settings, smtp_server, admin, support, sales, billing
) -> None:
    settings.SITE_URL = SITE
    settings.ALLOWED_HOSTS = ["*"]
    client = admin_client(admin)
    response = client.post(
        ADD_AGENT,
        {
            "full_name": "Paula Mendes",
            "email": "Paula@Acme-Hosting.example",
            "departments": [support.pk, sales.pk],
            "language": "pt-br",
        },
        HTTP_HOST="attacker.example",
    )
    agent = User.objects.get(email="paula@acme-hosting.example")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:accounts_user_change", args=[agent.pk])
    assert agent.is_agent and agent.is_active and not agent.is_staff and not agent.is_superuser
    assert not agent.has_usable_password()
    assert (agent.full_name, agent.language) == ("Paula Mendes", "pt-br")
    assert set(agent.departments.all()) == {support, sales}
    (task,) = DBTaskResult.objects.all()
    assert task.args_kwargs["args"] == ["agent_invitation", agent.pk], "no link or key queued"
    event = AuditEvent.objects.get(verb="agent.create")
    assert event.actor == admin and event.object_id == str(agent.pk)
    assert event.after["departments"] == ["support", "sales"]

    worker_run()
    (email,) = smtp_server.inbox.to("paula@acme-hosting.example")
    assert "attacker.example" not in email.as_string()
    bodies = parts(email)
    link = re.search(rf"{re.escape(SITE)}(/accounts/password/reset/key/\S+/)", bodies["text/plain"])
    assert link, bodies["text/plain"]
    assert f'href="{SITE}{link.group(1)}"' in bodies["text/html"]
    assert '<html lang="pt-BR">' in bodies["text/html"]  # the agent's language
    assert smtp_server.inbox.messages == [email]

    # The link lets the new agent choose a password, and then log in with it.
    browser = Client()
    set_password_url = browser.get(link.group(1), follow=True).redirect_chain[-1][0]
    done = browser.post(set_password_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done["Location"] == reverse("password_reset_complete")
    agent.refresh_from_db()
    assert agent.check_password(NEW_PASSWORD)


@pytest.mark.django_db
def test_a_taken_email_is_refused_and_the_form_keeps_what_was_typed(admin, agent, support) -> None:
    client = admin_client(admin)
    response = client.post(
        ADD_AGENT,
        {
            "full_name": "Someone Else",
            "email": agent.email.upper(),
            "departments": [support.pk],
            "language": "pt-br",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "A login with this email address exists already." in page
    assert 'value="Someone Else"' in page
    assert f'value="{agent.email.upper()}"' in page
    assert re.search(rf'value="{support.pk}"[^>]*checked', page)
    assert re.search(r'value="pt-br"[^>]*checked', page)
    assert User.objects.count() == 2  # the administrator and the agent there already
    assert not DBTaskResult.objects.exists()
    assert not AuditEvent.objects.filter(verb="agent.create").exists()


@pytest.mark.django_db
def test_an_agent_needs_a_department_unless_an_administrator(admin, support) -> None:
    with pytest.raises(ApplicationError, match="at least one department") as refused:
        agent_create(
            actor=admin, email="a@example.com", full_name="A", language="en", departments=[]
        )
    assert refused.value.field == "departments"
    boss = agent_create(
        actor=admin,
        email="boss@example.com",
        full_name="Boss",
        language="en",
        departments=[],
        is_admin=True,
    )
    assert boss.is_agent and boss.is_staff and boss.is_superuser


@pytest.mark.django_db
def test_only_an_administrator_with_every_permission_makes_another(support) -> None:
    staff = factories.AgentFactory(is_staff=True)
    from django.contrib.auth.models import Permission

    staff.user_permissions.add(Permission.objects.get(codename="add_user"))
    staff = User.objects.get(pk=staff.pk)  # permissions are cached on the instance
    made = agent_create(
        actor=staff, email="b@example.com", full_name="B", language="en", departments=[support]
    )
    assert made.departments.get() == support
    with pytest.raises(ApplicationError, match="every permission"):
        agent_create(
            actor=staff,
            email="c@example.com",
            full_name="C",
            language="en",
            departments=[support],
            is_admin=True,
        )
    plain = factories.AgentFactory()
    with pytest.raises(ApplicationError, match="Only administrators"):
        agent_create(
            actor=plain, email="d@example.com", full_name="D", language="en", departments=[support]
        )
    # The form does not even offer the choice to who may not make it.
    client = Client()
    client.force_login(staff)
    page = client.get(ADD_AGENT).content.decode()
    assert 'name="full_name"' in page and 'name="is_admin"' not in page


@pytest.mark.django_db
def test_the_user_list_links_to_the_agent_form(admin) -> None:
    page = admin_client(admin).get(reverse("admin:accounts_user_changelist")).content.decode()
    assert f'href="{ADD_AGENT}"' in page and "Add an agent" in page


@pytest.mark.django_db
def test_the_agent_form_is_the_administrators_only(agent, owner) -> None:
    for person in (agent, owner):
        client = Client()
        client.force_login(person)
        response = client.get(ADD_AGENT)
        assert response.status_code == 302 and "/login/" in response["Location"]
