"""What the REST API reads and writes, and how a model becomes JSON.

Input schemas check types and shapes; the rules (lengths, departments, services of the
account, flood guard...) stay in tickets.actions, which answer in the user's language.
Output schemas read the models themselves: a field is an attribute of the same name, or a
``resolve_<field>`` static method; the ones that need the request (absolute URLs) take ninja's
resolver ``context`` and find it in ``context["request"]``. Views return models, outcomes and
pages of models; no view spells out a field."""

import re
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from django.urls import reverse
from django.utils import timezone
from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator, StrictBool, StrictInt

from chamado.accounts.models import User
from chamado.tickets.models import Attachment, Department, Message, Ticket
from chamado.tickets.selectors import (
    WaitEstimate,
    message_list_for_agent,
    message_list_for_client,
    ticket_wait_estimate,
)

# Ticket.Status.values and Ticket.Priority.values, spelled out so the OpenAPI document lists
# them (tests/api/test_openapi.py keeps them in step with the models).
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

PAGE_MAX = 100_000  # pages past this are refused (422) rather than turned into huge offsets

# ---- Input: whole numbers strictly (`true` is no 1, `2.0` no 2), text a database can keep

_DIGITS = re.compile(r"[0-9]+")


def _json_integer(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("Input should be a whole number, not a boolean or a decimal")
    return value


def _query_integer(value: object) -> object:
    # Query strings carry text: only digits are a whole number ("2.0", "true", "1e3" are not).
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ValueError("Input should be a whole number")


Priority = Annotated[TicketPriority, BeforeValidator(_json_integer)]
QueryInt = Annotated[int, BeforeValidator(_query_integer)]


def _storable(value: str) -> str:
    # What Django's form fields refuse too (NUL: PostgreSQL cannot store it), and a lone
    # surrogate, which JSON can escape (\ud800) but no database can encode.
    if "\x00" in value:
        raise ValueError("Null characters are not allowed")
    try:
        value.encode()
    except UnicodeEncodeError:
        raise ValueError("Lone surrogates are not text") from None
    return value


Text = Annotated[str, AfterValidator(_storable)]

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


def _absolute(context: dict[str, Any], name: str, *args: object) -> str:
    return str(context["request"].build_absolute_uri(reverse(name, args=args)))


class DepartmentOut(Schema):
    slug: str
    name: str = Field(description="In the request's language.")

    @staticmethod
    def resolve_name(obj: Department) -> str:
        return obj.title


class ServiceOut(Schema):
    id: int
    name: str
    label: str
    status: str


class AgentServiceOut(ServiceOut):
    details: str


# Where a file is downloaded: the web area and the API endpoint of the reader's side. The
# message schema of each side puts its pair in the response's context for its attachments.
CLIENT_FILES = ("portal:attachment", "api-v1:attachment")
DESK_FILES = ("desk:attachment", "api-v1:desk_attachment")


class AttachmentOut(Schema):
    id: UUID
    name: str
    content_type: str
    size: int
    url: str = Field(description="Download in the web area (needs a logged-in browser).")
    api_url: str = Field(description="Download through the API, with the same token.")

    @staticmethod
    def resolve_name(obj: Attachment) -> str:
        return obj.original_name

    @staticmethod
    def resolve_url(obj: Attachment, context: dict[str, Any]) -> str:
        return _absolute(context, context["files"][0], obj.pk, obj.original_name)

    @staticmethod
    def resolve_api_url(obj: Attachment, context: dict[str, Any]) -> str:
        return _absolute(context, context["files"][1], obj.pk)


class MessageOut(Schema):
    id: int
    from_agent: bool
    author: str | None = Field(description="A client's name, or an agent's first name.")
    body: str
    created_at: datetime
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_author(obj: Message) -> str | None:
        if obj.author is None:
            return None
        # Agents are shown to clients by first name only, as in the client area.
        return obj.author.get_short_name() if obj.from_agent else str(obj.author)

    @staticmethod
    def resolve_attachments(obj: Message, context: dict[str, Any]) -> list[Attachment]:
        context["files"] = CLIENT_FILES
        return list(obj.attachments.all())


class AgentMessageOut(MessageOut):
    internal: bool = Field(description="An internal note: never shown or sent to the client.")
    source: str

    @staticmethod
    def resolve_author(obj: Message) -> str | None:
        return str(obj.author) if obj.author else None

    @staticmethod
    def resolve_internal(obj: Message) -> bool:
        return obj.is_internal

    @staticmethod
    def resolve_attachments(obj: Message, context: dict[str, Any]) -> list[Attachment]:
        context["files"] = DESK_FILES
        return list(obj.attachments.all())


class AccountOut(Schema):
    id: int
    name: str


class PersonOut(Schema):
    id: int
    name: str
    email: str

    @staticmethod
    def resolve_name(obj: User) -> str:
        return obj.full_name


# ---- Client tickets


def _merged_into(ticket: Ticket) -> int | None:
    # The access functions lead a merged number to the ticket it lives on in, so a ticket read
    # through the API is never a merged one; the field stays for the shape of the answer.
    return ticket.merged_into.number if ticket.merged_into_id and ticket.merged_into else None


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
    merged_from: int | None = Field(
        description="The number asked for, when it was a ticket merged into this one "
        "(a merged ticket's number leads here, for reading and writing); null otherwise."
    )

    @staticmethod
    def resolve_status_label(obj: Ticket) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_priority_label(obj: Ticket) -> str:
        return obj.get_priority_display()


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

    @staticmethod
    def resolve_seconds(obj: WaitEstimate) -> int:
        return int(obj.wait.total_seconds())


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

    @staticmethod
    def resolve_merged_into(obj: Ticket) -> int | None:
        return _merged_into(obj)

    @staticmethod
    def resolve_reply_reopens(obj: Ticket) -> bool:
        # The department's rule behind Ticket.client_may_reply for a closed ticket.
        return obj.department.reopen_on_reply

    @staticmethod
    def resolve_expected_wait(obj: Ticket) -> WaitEstimate | None:
        return ticket_wait_estimate(obj, now=timezone.now())

    @staticmethod
    def resolve_url(obj: Ticket, context: dict[str, Any]) -> str:
        return _absolute(context, "portal:ticket", obj.number)

    @staticmethod
    def resolve_messages(obj: Ticket) -> list[Message]:
        return list(message_list_for_client(obj))


class TicketListQuery(Schema):
    status: ClientStatusFilter | None = Field(
        None, description="A status, or `active` for every ticket not closed."
    )
    page: QueryInt = Field(1, ge=1, le=PAGE_MAX)
    page_size: QueryInt = Field(25, ge=1, le=100)


class TicketOpenIn(Schema):
    department: Text = Field(description="The department's slug, for example `support`.")
    service: StrictInt | None = Field(
        None,
        description="One of the account's services; required unless the department allows none.",
    )
    subject: Text = Field(description="One short line, at most 120 characters.")
    priority: Priority = Field(2, description="1 Low, 2 Medium, 3 High.")
    message: Text = Field(description="At least 20 characters: what happened, what you tried.")


class ReplyIn(Schema):
    message: Text


class TicketNoticeOut(Schema):
    notice: str
    ticket: TicketSummaryOut


class ClientReplyOut(Schema):
    notice: str
    ticket: TicketSummaryOut
    message: MessageOut


# ---- Desk


class QueueQuery(Schema):
    department: Text | None = Field(None, description="A department slug (one of yours).")
    status: QueueStatusFilter = Field(
        "awaiting", description="`awaiting` (our move), `active` (not closed), `all`, or a status."
    )
    # Not the Literal: query strings carry text, and "3" is no Literal[3].
    priority: Annotated[int, Field(ge=1, le=3), BeforeValidator(_query_integer)] | None = Field(
        None, description="1 Low, 2 Medium, 3 High."
    )
    assignee: Literal["anyone", "me", "nobody"] = "anyone"
    breach: Literal["", "near", "breached", "near_or_breached"] = ""
    page: QueryInt = Field(1, ge=1, le=PAGE_MAX)
    page_size: QueryInt = Field(50, ge=1, le=100)


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

    @staticmethod
    def resolve_merged_into(obj: Ticket) -> int | None:
        return _merged_into(obj)

    @staticmethod
    def resolve_url(obj: Ticket, context: dict[str, Any]) -> str:
        return _absolute(context, "desk:ticket", obj.number)

    @staticmethod
    def resolve_messages(obj: Ticket) -> list[Message]:
        return list(message_list_for_agent(obj))


class AgentReplyIn(Schema):
    message: Text
    internal: StrictBool = Field(False, description="An internal note: the client never sees it.")
    status: TicketStatus | None = Field(
        None, description="Status after a reply (default answered); not for notes."
    )
    seen_message_id: StrictInt | None = Field(
        None,
        description="The newest message you have read: a reply from another agent after it "
        "is refused with 409 unless confirm_crossed.",
    )
    confirm_crossed: StrictBool = False


class AgentReplyOut(Schema):
    notice: str
    ticket: QueueItemOut
    message: AgentMessageOut


class DeskTicketNoticeOut(Schema):
    notice: str
    ticket: QueueItemOut


class TransferIn(Schema):
    department: Text = Field(description="The slug of the department to move the ticket to.")
    note: Text = Field("", description="Optional text added to the notice the client gets.")
