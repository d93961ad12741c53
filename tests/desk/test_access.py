"""Who may reach the desk and its tickets (SPEC §3 "Only the account", §5 "an agent sees the
departments they belong to").

A table: actor by URL. An agent of another department, a client and anyone logged out never
learn that a Support ticket exists: 404 (or the login page), and the ticket is left as it was.
"""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from chamado.tickets.models import Attachment, Ticket
from tests import factories

pytestmark = pytest.mark.django_db

Build = Callable[[dict[str, Any]], str]
Data = Callable[[dict[str, Any]], dict[str, Any] | None]


@pytest.fixture
def scene(owner, service, support, billing, billing_agent, agent) -> dict[str, Any]:
    """A Support ticket with an attachment, and a Billing ticket of the same account."""
    ticket = factories.open_ticket(
        owner,
        service=service,
        department=support,
        subject="Secret support subject",
        files=[factories.upload("screen.png", factories.png_bytes(), "image/png")],
    )
    billing_ticket = factories.open_ticket(
        owner, department=billing, service=service, subject="Invoice question"
    )
    return {
        "ticket": ticket,
        "billing": billing,
        "billing_ticket": billing_ticket,
        "attachment": Attachment.objects.get(message__ticket=ticket),
        "agent": agent,
    }


def number(scene: dict[str, Any]) -> list[int]:
    return [scene["ticket"].number]


# url name → (method, URL, POST data): everything an agent can do to one ticket.
TICKET_URLS: dict[str, tuple[str, Build, Data]] = {
    "ticket page": ("get", lambda s: reverse("desk:ticket", args=number(s)), lambda s: None),
    "reply": (
        "post",
        lambda s: reverse("desk:reply", args=number(s)),
        lambda s: {"message": "An answer from the wrong department.", "status": "closed"},
    ),
    "note": (
        "post",
        lambda s: reverse("desk:note", args=number(s)),
        lambda s: {"message": "A note from the wrong department."},
    ),
    "change": (
        "post",
        lambda s: reverse("desk:change", args=number(s)),
        lambda s: {"status": "closed", "priority": 3, "assignee": ""},
    ),
    "transfer": (
        "post",
        lambda s: reverse("desk:transfer", args=number(s)),
        lambda s: {"department": s["billing"].pk, "note": "Moving it to us."},
    ),
    "merge": (
        "post",
        lambda s: reverse("desk:merge", args=number(s)),
        lambda s: {"target": s["billing_ticket"].number},
    ),
    "merge confirmed": (
        "post",
        lambda s: reverse("desk:merge", args=number(s)),
        lambda s: {"target": s["billing_ticket"].number, "confirm": "yes"},
    ),
    "merge preview": (
        "get",
        lambda s: reverse("desk:merge", args=number(s)) + f"?target={s['billing_ticket'].number}",
        lambda s: None,
    ),
    "assign to me": (
        "post",
        lambda s: reverse("desk:assign_to_me", args=number(s)),
        lambda s: {"next": "/desk/"},
    ),
    "presence": ("get", lambda s: reverse("desk:presence", args=number(s)), lambda s: None),
    "attachment": (
        "get",
        lambda s: reverse("desk:attachment", args=[s["attachment"].pk, "screen.png"]),
        lambda s: None,
    ),
}

# The desk's own pages, and the bulk form (which names tickets in its data).
PAGE_URLS: dict[str, tuple[str, Build, Data]] = {
    "queue": ("get", lambda s: reverse("desk:queue"), lambda s: None),
    "search": ("get", lambda s: reverse("desk:search") + "?q=secret", lambda s: None),
    "dashboard": ("get", lambda s: reverse("desk:dashboard"), lambda s: None),
    "audit": ("get", lambda s: reverse("desk:audit"), lambda s: None),
    "queue rows": ("get", lambda s: reverse("desk:queue") + "?fragment=rows", lambda s: None),
    "bulk": (
        "post",
        lambda s: reverse("desk:bulk"),
        lambda s: {"tickets": number(s), "action": "status", "status": "closed"},
    ),
}
ALL_URLS = {**TICKET_URLS, **PAGE_URLS}


def call(client: Client, url_name: str, scene: dict[str, Any]) -> Any:
    method, build, data = ALL_URLS[url_name]
    url = build(scene)
    return client.post(url, data(scene)) if method == "post" else client.get(url)


def assert_untouched(scene: dict[str, Any]) -> None:
    for ticket in (scene["ticket"], scene["billing_ticket"]):
        fresh = Ticket.objects.get(pk=ticket.pk)
        assert (fresh.status, fresh.priority, fresh.assignee_id) == (
            Ticket.Status.OPEN,
            Ticket.Priority.MEDIUM,
            None,
        )
        assert fresh.department_id == ticket.department_id
        assert fresh.merged_into_id is None
        assert fresh.messages.count() == 1


@pytest.fixture
def as_user(client: Client, request: Any) -> Callable[[str], Client]:
    def login(fixture: str) -> Client:
        client.force_login(request.getfixturevalue(fixture))
        return client

    return login


@pytest.mark.parametrize("url_name", TICKET_URLS)
def test_agent_of_another_department_gets_404_for_every_ticket_url(
    as_user, scene, url_name
) -> None:
    response = call(as_user("billing_agent"), url_name, scene)
    assert response.status_code == 404
    assert "Secret support subject" not in response.content.decode()
    assert_untouched(scene)


@pytest.mark.parametrize("url_name", ALL_URLS)
@pytest.mark.parametrize("actor", ["owner", "contact"])
def test_client_gets_404_for_every_desk_url(as_user, scene, actor, url_name) -> None:
    response = call(as_user(actor), url_name, scene)
    assert response.status_code == 404
    assert "Secret support subject" not in response.content.decode()
    assert_untouched(scene)


@pytest.mark.parametrize("url_name", ALL_URLS)
def test_anonymous_is_sent_to_login_for_every_desk_url(client, scene, url_name) -> None:
    response = call(client, url_name, scene)
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("login")
    assert_untouched(scene)


@pytest.mark.parametrize("url_name", TICKET_URLS)
def test_agent_of_the_department_reaches_every_ticket_url(as_user, scene, url_name) -> None:
    """The other side of the table: the same requests work for a Support agent (merge and
    transfer answer with a form error or a redirect, not 404)."""
    response = call(as_user("agent"), url_name, scene)
    assert response.status_code in {200, 302, 400}


def test_missing_ticket_looks_the_same_as_a_forbidden_one(as_user, scene) -> None:
    client = as_user("billing_agent")
    taken = set(Ticket.objects.values_list("number", flat=True))
    missing = next(n for n in range(100_000, 100_010) if n not in taken)
    assert client.get(reverse("desk:ticket", args=[missing])).status_code == 404
    assert client.get(reverse("desk:presence", args=[missing])).status_code == 404


@pytest.mark.parametrize("url_name", ["queue", "search"])
def test_agent_of_another_department_never_sees_the_ticket_in_lists(as_user, scene, url_name):
    response = call(as_user("billing_agent"), url_name, scene)
    assert response.status_code == 200
    assert "Secret support subject" not in response.content.decode()
    by_number = as_user("billing_agent").get(
        reverse("desk:search"), {"q": f"#{scene['ticket'].number}"}
    )
    assert list(by_number.context["page"].object_list) == []


def test_bulk_ignores_tickets_the_agent_cannot_see(as_user, scene) -> None:
    client = as_user("billing_agent")
    response = client.post(
        reverse("desk:bulk"),
        {"tickets": [scene["ticket"].number], "action": "status", "status": "closed"},
    )
    assert response.status_code == 302
    assert_untouched(scene)


def test_bulk_with_a_mix_changes_only_the_tickets_the_agent_can_see(as_user, scene) -> None:
    client = as_user("billing_agent")
    client.post(
        reverse("desk:bulk"),
        {
            "tickets": [scene["ticket"].number, scene["billing_ticket"].number],
            "action": "status",
            "status": "on_hold",
        },
    )
    assert Ticket.objects.get(pk=scene["billing_ticket"].pk).status == Ticket.Status.ON_HOLD
    assert Ticket.objects.get(pk=scene["ticket"].pk).status == Ticket.Status.OPEN


def test_merge_into_a_ticket_of_another_department_is_refused(as_user, scene, owner) -> None:
    """The billing agent's own ticket cannot be folded into the Support ticket they cannot see."""
    client = as_user("billing_agent")
    response = client.post(
        reverse("desk:merge", args=[scene["billing_ticket"].number]),
        {"target": scene["ticket"].number},
    )
    assert response.status_code == 400
    assert "No ticket with that number in your departments." in response.content.decode()
    assert_untouched(scene)


@pytest.mark.parametrize(
    ("actor", "status"), [("agent", 404), ("billing_agent", 404), ("admin", 200)]
)
def test_audit_log_is_for_administrators_only(as_user, scene, actor, status) -> None:
    response = as_user(actor).get(reverse("desk:audit"))
    assert response.status_code == status
    if status == 200:
        assert "opened the ticket" in response.content.decode()
