"""What the REST API reads and writes. Schemas check types and shapes; the rules (lengths,
services of the account, flood guard...) stay in tickets.actions, which answer in the
user's language."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from ninja import Field, Schema

# Ticket.Status.values and Ticket.Priority.values, spelled out so the OpenAPI document lists
# them (tests/api/test_schema.py keeps them in step with the models).
TicketStatus = Literal["open", "answered", "customer_reply", "on_hold", "in_progress", "closed"]
TicketPriority = Literal[1, 2, 3]
ClientStatusFilter = Literal[
    "active", "open", "answered", "customer_reply", "on_hold", "in_progress", "closed"
]
QueueStatusFilter = Literal[
    "awaiting",
    "active",
    "all",
    "open",
    "answered",
    "customer_reply",
    "on_hold",
    "in_progress",
    "closed",
]

# ---- Errors


class ErrorOut(Schema):
    detail: str = Field(description="What went wrong, in the request's language.")
    field: str | None = Field(None, description="The input field at fault, when there is one.")
    messages: list[str] = Field(
        default_factory=list, description="One line per problem (for example per file)."
    )


class CrossedReplyOut(ErrorOut):
    newer_message_id: int = Field(
        description="The other agent's reply; read it, then send again with confirm_crossed."
    )


class ValidationErrorOut(Schema):
    detail: str
    errors: list[dict[str, object]]


# ---- Pieces


class DepartmentOut(Schema):
    slug: str
    name: str = Field(description="In the request's language.")


class ServiceOut(Schema):
    id: int
    name: str
    label: str
    status: str


class AgentServiceOut(ServiceOut):
    details: str


class AttachmentOut(Schema):
    id: UUID
    name: str
    content_type: str
    size: int
    url: str = Field(description="Download in the web area (needs a logged-in browser).")
    api_url: str = Field(description="Download through the API, with the same token.")


class MessageOut(Schema):
    id: int
    from_agent: bool
    author: str | None = Field(description="A client's name, or an agent's first name.")
    body: str
    created_at: datetime
    attachments: list[AttachmentOut]


class AgentMessageOut(MessageOut):
    internal: bool = Field(description="An internal note: never shown or sent to the client.")
    source: str


class AccountOut(Schema):
    id: int
    name: str


class PersonOut(Schema):
    id: int
    name: str
    email: str


# ---- Client tickets


class TicketSummaryOut(Schema):
    number: int
    subject: str
    status: TicketStatus
    status_label: str
    priority: TicketPriority
    priority_label: str
    department: DepartmentOut
    created_at: datetime
    last_activity_at: datetime
    closed_at: datetime | None


class TicketPageOut(Schema):
    count: int
    page: int
    page_size: int
    items: list[TicketSummaryOut]


class ExpectedWaitOut(Schema):
    seconds: int
    measured: bool = Field(
        description="False: too few recent answers, so this is the department's target."
    )


class TicketOut(TicketSummaryOut):
    service: ServiceOut | None
    merged_into: int | None = Field(description="The ticket this one was merged into.")
    reply_reopens: bool = Field(
        description="Whether a reply to this ticket, once closed, reopens it."
    )
    expected_wait: ExpectedWaitOut | None = Field(
        description="While the client waits: the department's recent median first answer."
    )
    url: str
    messages: list[MessageOut] = Field(description="Internal notes are never listed.")


class TicketListQuery(Schema):
    status: ClientStatusFilter | None = Field(
        None, description="A status, or `active` for every ticket not closed."
    )
    page: int = Field(1, ge=1)
    page_size: int = Field(25, ge=1, le=100)


class TicketOpenIn(Schema):
    department: str = Field(description="The department's slug, for example `support`.")
    service: int | None = Field(
        None,
        description="One of the account's services; required unless the department allows none.",
    )
    subject: str = Field(description="One short line, at most 120 characters.")
    priority: TicketPriority = Field(2, description="1 Low, 2 Medium, 3 High.")
    message: str = Field(description="At least 20 characters: what happened, what you tried.")


class ReplyIn(Schema):
    message: str


class TicketNoticeOut(Schema):
    notice: str
    ticket: TicketSummaryOut


class ClientReplyOut(Schema):
    notice: str
    ticket: TicketSummaryOut
    message: MessageOut


# ---- Desk


class QueueQuery(Schema):
    department: str | None = Field(None, description="A department slug (one of yours).")
    status: QueueStatusFilter = Field(
        "awaiting", description="`awaiting` (our move), `active` (not closed), `all`, or a status."
    )
    # Not the Literal: query strings carry text, and "3" is no Literal[3].
    priority: int | None = Field(None, ge=1, le=3, description="1 Low, 2 Medium, 3 High.")
    assignee: Literal["anyone", "me", "nobody"] = "anyone"
    breach: Literal["", "near", "breached", "near_or_breached"] = ""
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=100)


class QueueItemOut(TicketSummaryOut):
    account: AccountOut
    contact: PersonOut
    assignee: PersonOut | None
    waiting_since: datetime | None
    response_due_at: datetime | None
    response_warn_at: datetime | None


class QueuePageOut(Schema):
    count: int
    page: int
    page_size: int
    items: list[QueueItemOut]


class DeskTicketOut(QueueItemOut):
    service: AgentServiceOut | None
    merged_into: int | None
    first_response_at: datetime | None
    url: str
    messages: list[AgentMessageOut] = Field(description="Internal notes included, flagged.")


class AgentReplyIn(Schema):
    message: str
    internal: bool = Field(False, description="An internal note: the client never sees it.")
    status: TicketStatus | None = Field(
        None, description="Status after a reply (default answered); not for notes."
    )
    seen_message_id: int | None = Field(
        None,
        description="The newest message you have read: a reply from another agent after it "
        "is refused with 409 unless confirm_crossed.",
    )
    confirm_crossed: bool = False


class AgentReplyOut(Schema):
    notice: str
    ticket: QueueItemOut
    message: AgentMessageOut


class DeskTicketNoticeOut(Schema):
    notice: str
    ticket: QueueItemOut


class TransferIn(Schema):
    department: str = Field(description="The slug of the department to move the ticket to.")
    note: str = Field("", description="Optional text added to the notice the client gets.")
