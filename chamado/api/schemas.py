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
from chamado.services.models import Service
from chamado.tickets import workflow
from chamado.tickets.models import Attachment, CannedReply, Department, Message, Ticket
from chamado.tickets.notes import message_text
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

PAGE_SIZE_MAX = 100
CURSOR_MAX_LENGTH = 500
SLUG_MAX_LENGTH = 50  # Department.slug
SEARCH_MAX_LENGTH = 200  # as the desk's search form
BULK_MAX = 100  # tickets in one bulk change

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

ErrorCode = Literal[
    "bad_request",
    "unauthorized",
    "forbidden",
    "not_found",
    "method_not_allowed",
    "conflict",
    "payload_too_large",
    "unsupported_media_type",
    "validation_error",
    "rate_limited",
    "server_error",
    "unavailable",
]


class ErrorOut(Schema):
    """Every error under /api/: the same shape, whatever the status."""

    code: ErrorCode = Field(
        description="What went wrong, for programs: one code per status.",
        examples=["validation_error"],
    )
    message: str = Field(
        description="What went wrong, for people, in the request's language (Accept-Language).",
        examples=["The request is not valid."],
    )
    detail: str = Field(
        description="The same text as `message` (kept for the first clients of this API).",
        examples=["The request is not valid."],
    )
    fields: dict[str, list[str]] = Field(
        description="The inputs at fault, each with one line per problem (a refused file: one "
        "line per file). Empty when the error is not about one input.",
        examples=[{"subject": ["Give the ticket a subject."]}],
    )


class CrossedReplyOut(ErrorOut):
    newer_message_id: int = Field(
        description="The other agent's reply; read it, then send again with confirm_crossed."
    )


class RateLimitedOut(ErrorOut):
    retry_after: int = Field(
        description="Seconds to wait before trying again (also the Retry-After header).",
        examples=[42],
    )


# ---- Pieces


def _absolute(context: dict[str, Any], name: str, *args: object) -> str:
    return str(context["request"].build_absolute_uri(reverse(name, args=args)))


class DepartmentOut(Schema):
    slug: str = Field(examples=["support"])
    name: str = Field(description="In the request's language.", examples=["Support"])

    @staticmethod
    def resolve_name(obj: Department) -> str:
        return obj.title


class DepartmentChoiceOut(DepartmentOut):
    description: str = Field(
        description="One line, in the request's language.",
        examples=["Problems with a service: email, site, domain."],
    )
    service_required: bool = Field(
        description="Whether a ticket opened here must name one of your services (`service`): "
        "true when your account has services, unless the department allows none "
        "(set by the view with tickets.workflow.service_required)."
    )

    @staticmethod
    def resolve_description(obj: Department) -> str:
        return obj.summary


ServiceStatus = Literal["active", "suspended", "cancelled"]


class ServiceOut(Schema):
    id: int = Field(examples=[12])
    name: str = Field(description="The product.", examples=["Shared Hosting"])
    label: str = Field(description="For example the domain.", examples=["acme.com.br"])
    status: ServiceStatus
    status_label: str = Field(description="In the request's language.", examples=["Active"])

    @staticmethod
    def resolve_status_label(obj: Service) -> str:
        return obj.get_status_display()


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
    def resolve_body(obj: Message) -> str:
        # A system note in the language of the request (Accept-Language), like the web pages.
        return message_text(obj)

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
    number: int = Field(examples=[592110])
    subject: str = Field(examples=["Site is down"])
    status: TicketStatus
    status_label: str = Field(description="In the request's language.", examples=["Open"])
    priority: TicketPriority = Field(description="1 Low, 2 Medium, 3 High.")
    priority_label: str = Field(description="In the request's language.", examples=["High"])
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


class PageOut(Schema):
    count: int = Field(
        description="Every item that matches the filters (a search counts up to 1,000)."
    )
    page_size: int = Field(examples=[25])
    next: str | None = Field(
        description="The next page (the same filters, with `cursor`), or null on the last page."
    )
    next_cursor: str | None = Field(
        description="Opaque: pass it as `cursor` for the next page (what `next` does)."
    )


class TicketPageOut(PageOut):
    items: list[TicketSummaryOut]


class ExpectedWaitOut(Schema):
    seconds: int = Field(examples=[5400])
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
    url: str = Field(description="The ticket's page in the client area.")
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


Cursor = Annotated[
    str,
    Field(
        max_length=CURSOR_MAX_LENGTH,
        description="From `next_cursor` of the previous page; omit it for the first page.",
    ),
]
PageSize = Annotated[int, Field(ge=1, le=PAGE_SIZE_MAX), BeforeValidator(_query_integer)]


class TicketListQuery(Schema):
    status: ClientStatusFilter | None = Field(
        None, description="A status, or `active` for every ticket not closed."
    )
    department: Text | None = Field(
        None,
        max_length=SLUG_MAX_LENGTH,
        description="A department's slug.",
        examples=["support"],
    )
    q: Text | None = Field(
        None,
        max_length=SEARCH_MAX_LENGTH,
        description="A ticket number (`592110` or `#592110`), or words that must all appear in "
        "the subject or in the conversation (accents and case ignored).",
        examples=["ssl certificate"],
    )
    cursor: Cursor | None = None
    page_size: PageSize = 25


# Declared in the document, decided by the action (which says it in the web form's words).
_SUBJECT: dict[str, Any] = {"minLength": 1}
_CLIENT_MESSAGE: dict[str, Any] = {"minLength": workflow.MESSAGE_MIN_LENGTH}
_MESSAGE: dict[str, Any] = {"minLength": 1}


class TicketOpenIn(Schema):
    department: Text = Field(
        max_length=SLUG_MAX_LENGTH,
        description="The department's slug (GET /departments), for example `support`.",
        examples=["support"],
    )
    service: StrictInt | None = Field(
        None,
        description="One of the account's services (GET /services); required when the "
        "department says `service_required`.",
        examples=[12],
    )
    subject: Text = Field(
        max_length=workflow.SUBJECT_MAX_LENGTH,
        json_schema_extra=_SUBJECT,
        description="One short line, at most 120 characters.",
        examples=["Reset cPanel password"],
    )
    priority: Priority = Field(2, description="1 Low, 2 Medium (the default), 3 High.")
    message: Text = Field(
        json_schema_extra=_CLIENT_MESSAGE,
        description="At least 20 characters (spaces around it aside): what happened, what you "
        "expected and what you already tried.",
        examples=["The cPanel login says my password is wrong since this morning; I reset it."],
    )


class ReplyIn(Schema):
    message: Text = Field(
        json_schema_extra=_CLIENT_MESSAGE,
        description="At least 20 characters (spaces around it aside).",
        examples=["One more detail: it only happens over HTTPS."],
    )


class TicketNoticeOut(Schema):
    notice: str = Field(
        description="What happened, in the request's language (as the web area says it).",
        examples=["Your ticket was closed. Reply to it if you need us again."],
    )
    ticket: TicketSummaryOut


class ClientReplyOut(Schema):
    notice: str = Field(examples=["Your reply was sent."])
    ticket: TicketSummaryOut
    message: MessageOut


# ---- Desk


class QueueQuery(Schema):
    department: Text | None = Field(
        None,
        max_length=SLUG_MAX_LENGTH,
        description="A department slug (one of yours).",
        examples=["support"],
    )
    status: QueueStatusFilter = Field(
        "awaiting", description="`awaiting` (our move), `active` (not closed), `all`, or a status."
    )
    # Not the Literal: query strings carry text, and "3" is no Literal[3].
    priority: Annotated[int, Field(ge=1, le=3), BeforeValidator(_query_integer)] | None = Field(
        None, description="1 Low, 2 Medium, 3 High."
    )
    assignee: Literal["anyone", "me", "nobody"] = "anyone"
    breach: Literal["", "near", "breached", "near_or_breached"] = Field(
        "", description="SLA: near the deadline, past it, or either."
    )
    cursor: Cursor | None = None
    page_size: PageSize = 50


class DeskSearchQuery(Schema):
    q: Text = Field(
        min_length=1,
        max_length=SEARCH_MAX_LENGTH,
        description="A ticket number, or words (subject, messages and notes, client name and "
        "email; accents and case ignored).",
        examples=["acme.com.br"],
    )
    cursor: Cursor | None = None
    page_size: PageSize = 25


class QueueItemOut(TicketSummaryOut):
    account: AccountOut
    contact: PersonOut
    assignee: PersonOut | None
    waiting_since: datetime | None = Field(
        description="Since when the client waits for us (their oldest unanswered message)."
    )
    response_due_at: datetime | None
    response_warn_at: datetime | None


class QueuePageOut(PageOut):
    items: list[QueueItemOut]


class DeskTicketOut(QueueItemOut):
    service: AgentServiceOut | None
    merged_into: int | None
    first_response_at: datetime | None
    url: str = Field(description="The ticket in the desk.")
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
    message: Text = Field(
        json_schema_extra=_MESSAGE, examples=["Fixed: the disk was full. Please check again."]
    )
    internal: StrictBool = Field(
        False, description="An internal note: the client never sees it (or POST .../notes)."
    )
    status: TicketStatus | None = Field(
        None, description="Status after a reply (default answered); not for notes."
    )
    seen_message_id: StrictInt | None = Field(
        None,
        description="The newest message you have read: a reply from another agent after it "
        "is refused with 409 unless confirm_crossed.",
    )
    confirm_crossed: StrictBool = False


class NoteIn(Schema):
    message: Text = Field(
        json_schema_extra=_MESSAGE, examples=["The card was declined twice; do not mention it."]
    )


class AgentReplyOut(Schema):
    notice: str = Field(examples=["Reply sent to the client."])
    ticket: QueueItemOut
    message: AgentMessageOut


class DeskTicketNoticeOut(Schema):
    notice: str = Field(examples=["Ticket updated."])
    ticket: QueueItemOut


class TransferIn(Schema):
    department: Text = Field(
        max_length=SLUG_MAX_LENGTH,
        description="The slug of the department to move the ticket to.",
        examples=["billing"],
    )
    note: Text = Field(
        "",
        description="Optional text added to the notice the client gets.",
        examples=["Billing will check your invoice."],
    )


class TicketUpdateIn(Schema):
    """Only the fields sent change; `assignee: null` unassigns."""

    status: TicketStatus | None = Field(
        None, description="A status an agent may move the ticket to from its current one."
    )
    priority: Priority | None = Field(None, description="1 Low, 2 Medium, 3 High.")
    assignee: Annotated[int, Field(ge=1)] | None = Field(
        None,
        description="The id of an agent of the ticket's department; null for nobody.",
        examples=[7],
    )


TicketNumber = Annotated[
    int,
    Field(ge=10 ** (workflow.NUMBER_DIGITS_MIN - 1), le=10**workflow.NUMBER_DIGITS_MAX - 1),
    BeforeValidator(_json_integer),
]


class MergeIn(Schema):
    target: TicketNumber = Field(
        description="The ticket (of the same account) this one is merged into: its messages "
        "move there, and this number leads to it from then on.",
        examples=[592110],
    )


class BulkIn(Schema):
    tickets: list[TicketNumber] = Field(
        min_length=1,
        max_length=BULK_MAX,
        description="Ticket numbers; those out of your reach are left out, as in the desk.",
        examples=[[592110, 604417]],
    )
    action: Literal["status", "assign", "transfer"]
    status: TicketStatus | None = Field(None, description="For `status`.")
    assignee: Annotated[int, Field(ge=1)] | None = Field(
        None, description="For `assign`: an agent's id, or null for nobody."
    )
    department: Text | None = Field(
        None, max_length=SLUG_MAX_LENGTH, description="For `transfer`: a department's slug."
    )


class BulkOut(Schema):
    notice: str = Field(examples=["2 tickets updated."])
    tickets: list[QueueItemOut]


class CannedQuery(Schema):
    ticket: QueryInt | None = Field(
        None,
        description="A ticket's number: its department's replies, with the placeholders "
        "filled in for it (`filled`).",
        examples=[592110],
    )
    department: Text | None = Field(
        None,
        max_length=SLUG_MAX_LENGTH,
        description="A department's slug (one of yours): its replies and the shared ones.",
        examples=["support"],
    )


class CannedReplyOut(Schema):
    id: int
    title: str = Field(examples=["Password reset"])
    body: str = Field(
        description="With its placeholders: {client_name}, {ticket_number}, {subject}, "
        "{agent_name}.",
        examples=["Hello {client_name}, ..."],
    )
    department: str | None = Field(description="Its department's slug; null: shared by all.")
    filled: str | None = Field(description="The text for the ticket asked for (`ticket`).")

    @staticmethod
    def resolve_department(obj: CannedReply) -> str | None:
        return obj.department.slug if obj.department_id and obj.department else None

    @staticmethod
    def resolve_filled(obj: CannedReply) -> str | None:
        return getattr(obj, "filled", None)
