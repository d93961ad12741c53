"""The endpoints of issue 10: departments, services, list filters and search, forms with
files, and the desk's notes, changes, merge, bulk, search and canned replies, each through the
same selector or action as the web."""

import pytest

from chamado.mail.models import Delivery
from chamado.tickets.actions import ticket_reply_by_agent
from chamado.tickets.models import Attachment, CannedReply, Message, Policy, Ticket
from tests import factories

pytestmark = pytest.mark.django_db

MESSAGE = "The site answers 500 since this morning; I restarted PHP already."
NOTE = "Internal: the client's card was declined twice, do not mention it."


def png(name: str = "screen.png"):
    return factories.upload(name, factories.png_bytes(), "image/png")


# ---- Departments and services


def test_departments_say_which_need_a_service(api_as, owner, service, support, sales) -> None:
    body = api_as(owner).get("/departments").json()
    required = {d["slug"]: d["service_required"] for d in body}
    assert (required["support"], required["sales"]) == (True, False)
    assert body[0]["name"] == "Support"


def test_departments_speak_the_requests_language(api_as, owner, support) -> None:
    body = api_as(owner, **{"Accept-Language": "pt-br"}).get("/departments").json()
    assert body[0]["name"] == "Suporte"


def test_an_account_without_services_needs_none(api_as, owner, support) -> None:
    assert api_as(owner).get("/departments").json()[0]["service_required"] is False


def test_services_of_the_account_only(api_as, owner, service, other_owner) -> None:
    factories.ServiceFactory(account=other_owner.account, label="theirs.example.com")
    body = api_as(owner).get("/services").json()
    assert [(s["id"], s["label"], s["status"]) for s in body] == [
        (service.pk, "acme.com.br", "active")
    ]
    assert body[0]["status_label"] == "Active"


def test_services_need_the_services_permission(api_as, account, contact, service) -> None:
    response = api_as(contact).get("/services")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert "“services” permission" in response.json()["message"]
    allowed = factories.ContactFactory(account=account, can_services=True)
    assert api_as(allowed).get("/services").status_code == 200


# ---- The list: filters and search


def test_list_filters_by_department(api_as, owner, service, support, sales) -> None:
    factories.open_ticket(owner, service=service, subject="Down")
    upgrade = factories.open_ticket(owner, department=sales, subject="Upgrade")
    body = api_as(owner).get("/tickets", {"department": "sales"}).json()
    assert [t["number"] for t in body["items"]] == [upgrade.number]
    assert body["count"] == 1


def test_search_by_number_and_by_words_accents_ignored(api_as, owner, agent, service) -> None:
    one = factories.open_ticket(owner, service=service, subject="Páginas lentas")
    two = factories.open_ticket(owner, service=service, subject="Email bounce")
    ticket_reply_by_agent(actor=agent, ticket=two, body="Check the SPF record please.")
    api = api_as(owner)
    assert [t["number"] for t in api.get("/tickets", {"q": f"#{one.number}"}).json()["items"]] == [
        one.number
    ]
    assert [t["number"] for t in api.get("/tickets", {"q": "paginas"}).json()["items"]] == [
        one.number
    ]
    assert [t["number"] for t in api.get("/tickets", {"q": "spf record"}).json()["items"]] == [
        two.number
    ]
    assert api.get("/tickets", {"q": "nothing-like-this"}).json()["items"] == []


def test_a_client_search_never_finds_words_of_an_internal_note(
    api_as, owner, agent, ticket
) -> None:
    ticket_reply_by_agent(actor=agent, ticket=ticket, body=NOTE, is_internal=True)
    assert api_as(owner).get("/tickets", {"q": "declined"}).json()["items"] == []
    found = api_as(agent).get("/desk/search", {"q": "declined"}).json()
    assert [t["number"] for t in found["items"]] == [ticket.number]


# ---- Forms with files


def test_open_with_files_as_a_form(api_as, owner, service, support) -> None:
    response = api_as(owner).multipart(
        "/tickets",
        {
            "department": "support",
            "service": str(service.pk),
            "subject": "Screenshot attached",
            "priority": "3",
            "message": MESSAGE,
            "attachments": [png(), factories.upload("invoice.pdf", factories.PDF_BYTES)],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["priority"] == 3
    names = [a["name"] for a in body["messages"][0]["attachments"]]
    assert names == ["screen.png", "invoice.pdf"]
    assert Ticket.objects.get().messages.get().source == Message.Source.API


def test_reply_with_a_file_as_a_form(api_as, owner, ticket) -> None:
    response = api_as(owner).multipart(
        f"/tickets/{ticket.number}/replies",
        {"message": "Here is the screenshot you asked.", "attachments": [png()]},
    )
    assert response.status_code == 201, response.content
    assert [a["name"] for a in response.json()["message"]["attachments"]] == ["screen.png"]


@pytest.mark.parametrize(
    ("name", "content", "status", "code"),
    [
        ("setup.png", b"MZ\x90\x00" + b"\x00" * 300, 415, "unsupported_media_type"),
        ("notes.txt", b"plain text", 415, "unsupported_media_type"),
        ("empty.png", b"", 422, "validation_error"),
    ],
)
def test_a_refused_file_names_itself(api_as, owner, ticket, name, content, status, code) -> None:
    response = api_as(owner).multipart(
        f"/tickets/{ticket.number}/replies",
        {
            "message": "Here is the file you asked for.",
            "attachments": [factories.upload(name, content)],
        },
    )
    assert response.status_code == status
    body = response.json()
    assert body["code"] == code
    assert list(body["fields"]) == ["attachments"]
    assert name in body["fields"]["attachments"][0]
    assert ticket.messages.count() == 1
    assert not Attachment.objects.exists()


def test_a_file_over_the_size_limit_is_413(api_as, owner, ticket) -> None:
    policy = Policy.current()
    policy.attachment_max_mb = 1
    policy.save()
    big = factories.upload("big.pdf", factories.PDF_BYTES + b"0" * (1024 * 1024 + 1))
    response = api_as(owner).multipart(
        f"/tickets/{ticket.number}/replies",
        {"message": "The log is attached here.", "attachments": [big]},
    )
    assert response.status_code == 413
    assert "big.pdf" in response.json()["fields"]["attachments"][0]


def test_files_of_two_kinds_refused_are_422(api_as, owner, ticket) -> None:
    policy = Policy.current()
    policy.attachment_max_mb = 1
    policy.save()
    files = [
        factories.upload("big.pdf", factories.PDF_BYTES + b"0" * (1024 * 1024 + 1)),
        factories.upload("notes.txt", b"text"),
    ]
    response = api_as(owner).multipart(
        f"/tickets/{ticket.number}/replies",
        {"message": "Two files attached here.", "attachments": files},
    )
    assert response.status_code == 422
    assert len(response.json()["fields"]["attachments"]) == 2


def test_form_values_are_judged_as_in_json(api_as, owner, service, support) -> None:
    response = api_as(owner).multipart(
        "/tickets",
        {"department": "support", "service": "x", "subject": "S", "priority": "7", "message": "m"},
    )
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"service", "priority"}


# ---- The desk


@pytest.fixture
def agent_api(api_as, agent):
    return api_as(agent)


def test_a_note_is_internal_with_its_file(agent_api, api_as, owner, ticket) -> None:
    response = agent_api.multipart(
        f"/desk/tickets/{ticket.number}/notes", {"message": NOTE, "attachments": [png("log.png")]}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["message"]["internal"] is True
    assert body["notice"] == "Internal note added."
    assert body["ticket"]["status"] == "open"
    assert not Delivery.objects.filter(message_id=body["message"]["id"]).exists()
    assert NOTE not in api_as(owner).get(f"/tickets/{ticket.number}").content.decode()


def test_patch_changes_status_priority_and_assignee(agent_api, agent, colleague, ticket) -> None:
    path = f"/desk/tickets/{ticket.number}"
    changed = agent_api.patch(
        path, {"status": "in_progress", "priority": 3, "assignee": colleague.pk}
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["notice"] == "Ticket updated."
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert (fresh.status, fresh.priority, fresh.assignee) == ("in_progress", 3, colleague)
    assert agent_api.patch(path, {"priority": 3}).json()["notice"] == "Nothing to change."
    assert agent_api.patch(path, {"assignee": None}).json()["ticket"]["assignee"] is None
    assert Ticket.objects.get(pk=ticket.pk).assignee is None


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"assignee": 999_999}, "assignee"), ({"status": "customer_reply"}, "status")],
)
def test_patch_refusals_name_the_field(agent_api, owner, ticket, payload, field) -> None:
    response = agent_api.patch(f"/desk/tickets/{ticket.number}", payload)
    assert response.status_code == 422
    assert list(response.json()["fields"]) == [field]


def test_a_client_is_no_assignee(agent_api, owner, ticket) -> None:
    response = agent_api.patch(f"/desk/tickets/{ticket.number}", {"assignee": owner.pk})
    assert response.json()["fields"] == {
        "assignee": ["Assign the ticket to an agent of its department."]
    }


def test_merge_moves_the_messages_and_answers_the_target(agent_api, owner, service, ticket) -> None:
    target = factories.open_ticket(owner, service=service, subject="Still down")
    response = agent_api.post(f"/desk/tickets/{ticket.number}/merge", {"target": target.number})
    assert response.status_code == 200, response.content
    assert response.json()["ticket"]["number"] == target.number
    assert Ticket.objects.get(pk=ticket.pk).merged_into_id == target.pk


def test_merge_into_a_ticket_out_of_reach_is_refused(agent_api, owner, billing, ticket) -> None:
    theirs = factories.open_ticket(owner, department=billing)
    response = agent_api.post(f"/desk/tickets/{ticket.number}/merge", {"target": theirs.number})
    assert response.status_code == 422
    assert response.json()["fields"] == {
        "target": ["No ticket with that number in your departments."]
    }
    assert Ticket.objects.get(pk=ticket.pk).merged_into_id is None


def test_bulk_is_all_or_nothing(agent_api, owner, service, ticket, billing) -> None:
    other = factories.open_ticket(owner, service=service)
    theirs = factories.open_ticket(owner, department=billing)
    response = agent_api.post(
        "/desk/bulk",
        {
            "tickets": [ticket.number, other.number, theirs.number],
            "action": "status",
            "status": "on_hold",
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["notice"] == "2 tickets updated."
    assert sorted(t["number"] for t in response.json()["tickets"]) == sorted(
        [ticket.number, other.number]
    )
    assert Ticket.objects.get(pk=theirs.pk).status == "open"  # out of reach: left out

    refused = agent_api.post(
        "/desk/bulk",
        {"tickets": [ticket.number, other.number], "action": "status", "status": "open"},
    )
    assert refused.status_code == 422
    assert f"#{min(ticket.number, other.number)}" in refused.json()["message"]
    assert set(
        Ticket.objects.filter(pk__in=[ticket.pk, other.pk]).values_list("status", flat=True)
    ) == {"on_hold"}


def test_bulk_transfer_and_assign(agent_api, agent, owner, service, ticket, sales) -> None:
    sales.agents.add(agent)
    other = factories.open_ticket(owner, service=service)
    numbers = [ticket.number, other.number]
    assign = agent_api.post(
        "/desk/bulk", {"tickets": numbers, "action": "assign", "assignee": agent.pk}
    )
    assert assign.status_code == 200
    assert {t["assignee"]["id"] for t in assign.json()["tickets"]} == {agent.pk}
    moved = agent_api.post(
        "/desk/bulk", {"tickets": numbers, "action": "transfer", "department": "sales"}
    )
    assert moved.status_code == 200
    assert set(
        Ticket.objects.filter(number__in=numbers).values_list("department__slug", flat=True)
    ) == {"sales"}


def test_desk_search_pages_and_counts(agent_api, owner, service) -> None:
    for n in range(3):
        factories.open_ticket(owner, service=service, subject=f"Mailbox full {n}")
    first = agent_api.get("/desk/search", {"q": "mailbox", "page_size": 2}).json()
    assert first["count"] == 3 and len(first["items"]) == 2
    rest = agent_api.client.get(first["next"], headers=agent_api.headers).json()
    assert len(rest["items"]) == 1 and rest["next"] is None
    assert agent_api.get("/desk/search", {"q": "  "}).status_code == 422


def test_canned_replies_filled_for_a_ticket(agent_api, ticket, support, billing) -> None:
    CannedReply.objects.create(title="Hello", body="Hi {client_name}, about #{ticket_number}.")
    CannedReply.objects.create(title="Reset", body="Done, {client_name}.", department=support)
    CannedReply.objects.create(title="Invoice", body="Paid.", department=billing)
    body = agent_api.get("/desk/canned-replies", {"ticket": ticket.number}).json()
    assert [(r["title"], r["department"]) for r in body] == [("Hello", None), ("Reset", "support")]
    assert body[0]["filled"] == f"Hi Ana, about #{ticket.number}."
    by_department = agent_api.get("/desk/canned-replies", {"department": "support"}).json()
    assert [r["filled"] for r in by_department] == [None, None]
    assert agent_api.get("/desk/canned-replies", {"department": "billing"}).status_code == 422
    assert agent_api.get("/desk/canned-replies").status_code == 422


# ---- Rate limits


def test_answers_carry_the_tokens_rate_limit(api_as, owner) -> None:
    policy = Policy.current()
    policy.api_requests_per_minute = 5
    policy.save()
    api = api_as(owner)
    first, second = api.get("/tickets"), api.get("/tickets")
    assert first["RateLimit-Limit"] == "5"
    assert (first["RateLimit-Remaining"], second["RateLimit-Remaining"]) == ("4", "3")
    assert 0 < int(first["RateLimit-Reset"]) <= 60
    for _n in range(3):
        api.get("/tickets")
    refused = api.get("/tickets")
    assert refused.status_code == 429
    assert refused["RateLimit-Remaining"] == "0"
    assert refused.json()["code"] == "rate_limited"
    assert refused.json()["retry_after"] == int(refused["Retry-After"])


def test_no_rate_limit_headers_when_the_policy_sets_none(api_as, owner) -> None:
    policy = Policy.current()
    policy.api_requests_per_minute = 0
    policy.save()
    assert "RateLimit-Limit" not in api_as(owner).get("/tickets")
