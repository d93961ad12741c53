"""The demo data (the logins the README lists, their accounts, services, tickets and the
knowledge base), built through the real actions."""

from collections.abc import Callable
from typing import Any

from django.utils import timezone

from chamado.accounts.models import Account, User
from chamado.kb.actions import article_view_record, article_vote, search_miss_record
from chamado.kb.visitors import visitor_for
from chamado.ops.demo_kb import kb_demo_load
from chamado.services.models import Service
from chamado.tickets.actions import (
    ticket_close,
    ticket_open,
    ticket_reply_by_agent,
    ticket_reply_by_client,
)
from chamado.tickets.models import CannedReply, Department, SlaTarget, Ticket

DEMO_MARKER_EMAIL = "client@example.com"


def _user(email: str, password: str, name: str, **fields: Any) -> User:
    return User.objects.create_user(email, password, full_name=name, **fields)


def demo_load(progress: Callable[[int], object] = lambda n: None) -> None:
    acme = Account.objects.create(name="Acme Hospedagem")
    beta = Account.objects.create(name="Beta Sites")
    hosting = Service.objects.create(
        account=acme, name="Shared Hosting", label="acme.com.br", details="cPanel, 20 GB, PHP 8.3"
    )
    vps = Service.objects.create(
        account=acme, name="VPS 2GB", label="vps1.acme.com.br", details="2 vCPU, 2 GB RAM"
    )
    Service.objects.create(
        account=acme, name="Domain", label="acme.com.br", details="Renews in March"
    )
    beta_site = Service.objects.create(account=beta, name="Shared Hosting", label="betasites.com")
    progress(1)

    client = _user(
        DEMO_MARKER_EMAIL, "demo-client-pass", "Ana Souza", account=acme, is_account_owner=True
    )
    contact = _user(
        "contact@example.com", "demo-contact-pass", "Bruno Lima", account=acme, can_tickets=True
    )
    _user("finance@example.com", "demo-finance-pass", "Carla Dias", account=acme)
    other = _user(
        "other@example.com", "demo-other-pass", "Diego Alves", account=beta, is_account_owner=True
    )
    agent = _user("agent@example.com", "demo-agent-pass", "Elisa Rocha", is_agent=True)
    billing_agent = _user("billing@example.com", "demo-billing-pass", "Fábio Nunes", is_agent=True)
    admin = User.objects.create_superuser(
        "admin@example.com", "demo-admin-pass", full_name="Gabriela Admin"
    )
    progress(1)

    support = Department.objects.get(slug="support")
    sales = Department.objects.get(slug="sales")
    billing = Department.objects.get(slug="billing")
    support.agents.add(agent)
    sales.agents.add(agent)
    billing.agents.add(billing_agent)
    CannedReply.objects.create(
        title="Greeting",
        body="Hello {client_name},\n\nThank you for contacting us about ticket #{ticket_number}.",
    )
    CannedReply.objects.create(
        title="cPanel password reset sent",
        department=support,
        body="Hello {client_name},\n\nA password reset link for cPanel was sent to the "
        "account's email. It is valid for one hour.\n\n{agent_name}",
    )
    SlaTarget.objects.create(
        department=support,
        priority=Ticket.Priority.HIGH,
        first_response_minutes=4 * 60,
        next_response_minutes=8 * 60,
    )
    progress(1)

    ticket_open(
        actor=client,
        department=support,
        service=hosting,
        subject="Website returns error 500",
        priority=Ticket.Priority.HIGH,
        body="Since this morning acme.com.br shows 'Internal Server Error'. "
        "I changed nothing. The error log in cPanel mentions a PHP memory limit.",
    )
    answered = ticket_open(
        actor=contact,
        department=support,
        service=hosting,
        subject="Reset cPanel password",
        priority=Ticket.Priority.MEDIUM,
        body="I lost the cPanel password of acme.com.br. Can you send me a reset link?",
    ).ticket
    ticket_reply_by_agent(
        actor=agent,
        ticket=answered,
        body="Hello Bruno, a reset link was sent to the account's email. It is valid for one hour.",
    )
    waiting = ticket_open(
        actor=client,
        department=support,
        service=vps,
        subject="Email not arriving on the VPS",
        priority=Ticket.Priority.MEDIUM,
        body="Messages sent to contato@acme.com.br bounce since yesterday with 'mailbox full'.",
    ).ticket
    ticket_reply_by_agent(
        actor=agent,
        ticket=waiting,
        body="The mailbox quota was at 100%. We raised it to 5 GB; please try again.",
    )
    ticket_reply_by_client(
        actor=client,
        ticket=waiting,
        body="Thanks, small messages arrive now but large attachments still bounce.",
    )
    invoice = ticket_open(
        actor=client,
        department=billing,
        service=None if billing.allows_no_service else hosting,
        subject="Copy of the October invoice",
        priority=Ticket.Priority.LOW,
        body="Please send a copy of the October invoice with our company's tax number on it.",
    ).ticket
    ticket_reply_by_agent(
        actor=billing_agent,
        ticket=invoice,
        body="The corrected invoice is now available in your client area.",
    )
    ticket_close(actor=client, ticket=invoice)
    ticket_open(
        actor=other,
        department=sales,
        service=beta_site,
        subject="Upgrade to a bigger plan",
        priority=Ticket.Priority.LOW,
        body="We would like to move betasites.com to a plan with more disk space. "
        "What are the options?",
    )
    progress(1)

    articles = kb_demo_load(author=admin)
    # A little reading, so the writers' report in the desk has something to show.
    today = timezone.localdate()
    for reader in (client, contact, other):
        for name in ("open", "password", "domain"):
            article_view_record(
                article=articles[name], visitor=visitor_for(reader, None), today=today
            )
    article_vote(article=articles["open"], visitor=visitor_for(contact, None), helpful=True)
    article_vote(
        article=articles["domain"],
        visitor=visitor_for(other, None),
        helpful=False,
        comment="How do I transfer the domain itself to you?",
    )
    search_miss_record(text="transferir domínio", language="pt-br")
    progress(1)
