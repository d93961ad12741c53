"""Examples for the OpenAPI document: request bodies (shown, and sent by "Try it out") and
the answers of the lists. Field-level examples live on the schemas."""

from typing import Any

JSON = "application/json"


def _named(**examples: Any) -> dict[str, Any]:
    return {
        name: {"summary": summary, "value": value} for name, (summary, value) in examples.items()
    }


def response(status: int, example: Any) -> dict[str, Any]:
    """openapi_extra giving the JSON answer of ``status`` an example."""
    return {"responses": {status: {"content": {JSON: {"example": example}}}}}


DEPARTMENT = {"slug": "support", "name": "Support"}
TICKET_SUMMARY = {
    "number": 592110,
    "subject": "Reset cPanel password",
    "status": "open",
    "status_label": "Open",
    "priority": 2,
    "priority_label": "Medium",
    "department": DEPARTMENT,
    "created_at": "2026-03-02T09:14:05-03:00",
    "last_activity_at": "2026-03-02T09:14:05-03:00",
    "closed_at": None,
    "merged_from": None,
}
PERSON = {"id": 31, "name": "Ana Souza", "email": "ana@acme.com.br"}

DEPARTMENTS = [
    {
        "slug": "support",
        "name": "Support",
        "description": "Problems with a service: email, site, domain.",
        "service_required": True,
    },
    {
        "slug": "sales",
        "name": "Sales",
        "description": "Plans, upgrades and new services.",
        "service_required": False,
    },
]
SERVICES = [
    {
        "id": 12,
        "name": "Shared Hosting",
        "label": "acme.com.br",
        "status": "active",
        "status_label": "Active",
    }
]
NEXT = "https://helpdesk.example.com/api/v1/tickets?status=active&cursor=eyJ...&page_size=25"
TICKET_PAGE = {
    "count": 31,
    "page_size": 25,
    "next": NEXT,
    "next_cursor": "eyJ...",
    "items": [TICKET_SUMMARY],
}
QUEUE_PAGE = {
    "count": 1,
    "page_size": 50,
    "next": None,
    "next_cursor": None,
    "items": [
        {
            **TICKET_SUMMARY,
            "account": {"id": 4, "name": "Acme Hospedagem"},
            "contact": PERSON,
            "assignee": None,
            "waiting_since": "2026-03-02T09:14:05-03:00",
            "response_due_at": "2026-03-03T09:14:05-03:00",
            "response_warn_at": "2026-03-03T05:14:05-03:00",
        }
    ],
}
CANNED = [
    {
        "id": 3,
        "title": "Password reset",
        "body": "Hello {client_name}, we reset the password of ticket #{ticket_number}.",
        "department": "support",
        "filled": "Hello Ana, we reset the password of ticket #592110.",
    }
]

TICKET_OPEN = _named(
    support=(
        "A ticket about a service",
        {
            "department": "support",
            "service": 12,
            "subject": "Reset cPanel password",
            "priority": 2,
            "message": "The cPanel login says my password is wrong since this morning; "
            "I already tried the reset link.",
        },
    ),
    sales=(
        "Sales takes tickets without a service",
        {
            "department": "sales",
            "service": None,
            "subject": "Upgrade my plan",
            "priority": 1,
            "message": "Please move acme.com.br to the next hosting plan this week.",
        },
    ),
)
CLIENT_REPLY = _named(
    reply=("A reply", {"message": "One more detail: it only happens over HTTPS."})
)
AGENT_REPLY = _named(
    reply=("An answer", {"message": "Fixed: the disk was full. Please check again."}),
    hold=(
        "An answer that puts the ticket on hold",
        {"message": "Waiting for the datacenter; we will write again.", "status": "on_hold"},
    ),
)
NOTE = _named(note=("A note", {"message": "The card was declined twice; do not mention it."}))
TICKET_UPDATE = _named(
    priority=("Raise the priority", {"priority": 3}),
    assign=("Assign to an agent", {"assignee": 7}),
    unassign=("Assign to nobody", {"assignee": None}),
    hold=("Put on hold", {"status": "on_hold"}),
)
TRANSFER = _named(
    billing=(
        "To Billing, with a note",
        {"department": "billing", "note": "Billing will check your invoice."},
    )
)
MERGE = _named(merge=("Into another ticket", {"target": 592110}))
BULK = _named(
    close=(
        "Close two tickets",
        {"tickets": [592110, 604417], "action": "status", "status": "closed"},
    ),
    assign=("Assign two tickets", {"tickets": [592110, 604417], "action": "assign", "assignee": 7}),
    transfer=(
        "Move two tickets to Sales",
        {"tickets": [592110, 604417], "action": "transfer", "department": "sales"},
    ),
)
