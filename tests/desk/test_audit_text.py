"""Audit events in words (chamado/desk/audit_text.py): a phrase for every verb the code
writes, a readable fallback, and each change as "Label: before → after" with names, not ids."""

import ast
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from chamado.core.models import AuditEvent
from chamado.desk.audit_text import VERBS, Names, event_text, verb_text
from chamado.tickets.models import Department
from tests import factories

PACKAGE = Path(__file__).resolve().parents[2] / "chamado"


def verbs_written() -> set[str]:
    """Every verb a `verb=` keyword of chamado/ passes: literal strings (both sides of an
    `x if c else y`), and for an f-string such as f"{verb}.create", the suffix joined to every
    literal `verb=` passed in the same module."""
    found: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        literals: set[str] = set()
        suffixes: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.keyword) or node.arg != "verb":
                continue
            values = [node.value]
            if isinstance(node.value, ast.IfExp):
                values = [node.value.body, node.value.orelse]
            for value in values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    literals.add(value.value)
                elif isinstance(value, ast.JoinedStr):
                    tail = value.values[-1]
                    if isinstance(tail, ast.Constant):
                        suffixes.add(str(tail.value))
        if suffixes:
            found |= {literal + suffix for literal in literals for suffix in suffixes}
        else:
            found |= literals
    return found


def test_every_verb_the_code_writes_has_words() -> None:
    written = verbs_written()
    assert {"ticket.update", "user.login", "service.provision.update"} <= written
    missing = sorted(written - set(VERBS))
    assert not missing, f"add a phrase to desk/audit_text.VERBS for: {missing}"


def event(verb: str, **fields: Any) -> AuditEvent:
    return AuditEvent(verb=verb, object_type=fields.pop("object_type", "tickets.ticket"), **fields)


def test_an_unknown_verb_still_reads() -> None:
    assert verb_text(event("ticket.snooze_until")) == "ticket snooze until"


@pytest.mark.django_db
def test_changes_are_named_and_translated(agent, colleague) -> None:
    support, sales = factories.department("support"), factories.department("sales")
    names = Names(
        users={agent.pk: agent, colleague.pk: colleague},
        departments={"support": support, "sales": sales},
    )
    update = event(
        "ticket.update",
        actor=agent,
        before={"status": "open", "priority": 2, "assignee": None},
        after={"status": "on_hold", "priority": 3, "assignee": colleague.pk},
    )
    text = event_text(update, names)
    assert (text.who, text.what) == ("Elisa Rocha", "changed the ticket")
    assert text.changes == [
        "Status: Open → On Hold",
        "Priority: Medium → High",
        "Assigned to Marcos Pereira",
    ]
    transfer = event(
        "ticket.transfer",
        before={"department": "support"},
        after={"department": "sales", "note": True},
    )
    assert event_text(transfer, names).changes == [
        "Transferred from Support to Sales",
        "With a note to the client",
    ]
    assert event_text(transfer, names).who == "System"
    with translation.override("pt-br"):
        assert event_text(update, names).changes[:2] == [
            "Status: Aberto → Em Espera",
            "Prioridade: Média → Alta",
        ]
        assert "de Suporte para Comercial" in event_text(transfer, names).changes[0] or (
            "Suporte" in event_text(transfer, names).changes[0]
        )


@pytest.mark.django_db
def test_someone_unknown_and_people_no_longer_known(agent) -> None:
    failed = event(
        "user.login_failed",
        object_type="accounts.user",
        object_id=str(agent.pk),
        after={"address": "203.0.113.9"},
    )
    text = event_text(failed, Names(users={agent.pk: agent}))
    assert (text.who, text.what, text.on) == ("Someone", "failed to sign in", "Elisa Rocha")
    assert text.changes == ["From the address 203.0.113.9"]
    gone = event("ticket.update", before={"assignee": None}, after={"assignee": 999_999})
    assert event_text(gone, Names()).changes == ["Assigned to a person no longer known"]


@pytest.mark.django_db
def test_a_password_changed_by_its_owner_or_by_an_administrator(agent, admin) -> None:
    own = event(
        "user.password_change", actor=agent, object_type="accounts.user", object_id=str(agent.pk)
    )
    assert event_text(own, Names()).what == "changed their password"
    by_admin = event(
        "user.password_change",
        actor=admin,
        object_type="accounts.user",
        object_id=str(agent.pk),
        after={"by": "admin"},
    )
    text = event_text(by_admin, Names(users={agent.pk: agent}))
    assert (text.what, text.on, text.changes) == (
        "changed the password",
        "Elisa Rocha",
        ["In the administration"],
    )


def test_values_of_a_model_read_as_its_labels() -> None:
    permissions = event(
        "contact.permissions",
        object_type="accounts.membership",
        object_id="7",
        before={"user": 3, "can_tickets": False, "can_services": True},
        after={"user": 3, "can_tickets": True, "can_services": False},
    )
    assert event_text(
        permissions, Names(objects={("accounts.membership", "7"): "Bruno"})
    ).changes == [
        "Tickets: no → yes",
        "Services: yes → no",
    ]
    profile = event(
        "user.profile_update",
        object_type="accounts.user",
        object_id="3",
        before={"language": "en", "notify_new_tickets": True},
        after={"language": "pt-br", "notify_new_tickets": False},
    )
    assert event_text(profile, Names()).changes == [
        "Language: English → Brazilian Portuguese",
        "New tickets in my departments: yes → no",
    ]
    service = event(
        "service.provision.update",
        object_type="services.service",
        object_id="4",
        before={"status": "active", "account": 1},
        after={"status": "suspended", "account": 2},
    )
    assert event_text(service, Names(accounts={1: "Acme", 2: "Beta"})).changes == [
        "Status: Active → Suspended",
        "Client account: Acme → Beta",
    ]


def test_objects_the_desk_cannot_open_are_named_by_kind() -> None:
    ping = event("hook_endpoint.ping", object_type="hooks.endpoint", object_id="5")
    assert (event_text(ping, Names()).what, event_text(ping, Names()).on) == (
        "sent a test webhook",
        "a webhook endpoint",
    )
    retry = event(
        "delivery.retry",
        object_type="mail.delivery",
        object_id="12",
        before={"state": "failed"},
        after={"state": "pending"},
    )
    text = event_text(retry, Names())
    assert text.on == "an email to a person"
    assert all("12" not in line for line in text.changes)


@pytest.mark.django_db
def test_a_ticket_is_a_link_by_its_number(ticket) -> None:
    opened = event(
        "ticket.open",
        object_id=str(ticket.pk),
        after={"number": ticket.number, "department": "support"},
    )
    text = event_text(
        opened,
        Names(
            tickets={str(ticket.pk): ticket.number},
            departments={"support": Department.objects.get(slug="support")},
        ),
    )
    assert (text.on, text.on_url) == (f"#{ticket.number}", f"/desk/tickets/{ticket.number}/")
    assert text.changes == ["In Support"]


@pytest.mark.django_db
def test_a_new_agent_reads_with_departments_by_name(admin, agent) -> None:
    support, sales = factories.department("support"), factories.department("sales")
    created = event(
        "agent.create",
        actor=admin,
        object_type="accounts.user",
        object_id=str(agent.pk),
        after={
            "email": "new.agent@example.com",
            "language": "pt-br",
            "departments": ["support", "sales"],
            "is_admin": False,
        },
    )
    text = event_text(
        created,
        Names(users={agent.pk: agent}, departments={"support": support, "sales": sales}),
    )
    assert (text.who, text.what, text.on) == ("Admin", "added an agent", "Elisa Rocha")
    assert text.changes == [
        "Address: new.agent@example.com",
        "Departments: Support, Sales",
        "Language: Brazilian Portuguese",
    ]
