"""REST API endpoints: parse with a schema, call one access function and one action or
selector, return what they return; api.schemas turns it into JSON. The same calls as
portal.views and desk.views, so no rule is written twice; anything a user may not reach
answers 404, as on the web.

Every endpoint says in the OpenAPI document what it does (summary, description), what it
takes (with examples and the limits the server enforces) and every status it may answer."""

import hashlib
from dataclasses import replace
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Header, Path, Query, Router, Status

from chamado.accounts.models import User
from chamado.api import examples
from chamado.api.bodies import read_body, request_body
from chamado.api.pagination import page
from chamado.api.schemas import (
    AgentReplyIn,
    AgentReplyOut,
    BulkIn,
    BulkOut,
    CannedQuery,
    CannedReplyOut,
    ClientReplyOut,
    CrossedReplyOut,
    DepartmentChoiceOut,
    DeskSearchQuery,
    DeskTicketNoticeOut,
    DeskTicketOut,
    ErrorOut,
    MergeIn,
    NoteIn,
    QueuePageOut,
    QueueQuery,
    RateLimitedOut,
    ReplyIn,
    ServiceOut,
    TicketListQuery,
    TicketNoticeOut,
    TicketOpenIn,
    TicketOut,
    TicketPageOut,
    TicketUpdateIn,
    TransferIn,
)
from chamado.core.errors import ApplicationError, NotFound
from chamado.services.models import Service
from chamado.services.selectors import service_list_for_account
from chamado.tickets import workflow
from chamado.tickets.access import (
    access_attachment,
    access_attachment_for_agent,
    access_ticket_by_number,
    access_ticket_for_agent,
    access_tickets_for_agent,
    departments_for_agent,
    is_active_agent,
    tickets_visible_to_agent,
)
from chamado.tickets.actions import (
    BulkOutcome,
    Outcome,
    ticket_bulk_update,
    ticket_close,
    ticket_merge,
    ticket_open,
    ticket_reply_by_agent,
    ticket_reply_by_client,
    ticket_transfer,
    ticket_update,
)
from chamado.tickets.models import CannedReply, Department, Message, Ticket
from chamado.tickets.search import ticket_search, ticket_search_for_client
from chamado.tickets.selectors import (
    canned_reply_list_for_department,
    department_list_open_to_clients,
    queue_for_agent,
    ticket_list_for_contact,
)
from chamado.web.files import attachment_response

client = Router(tags=["client"])
desk = Router(tags=["desk"])

SEARCH_COUNT_MAX = 1000  # as the desk's search page: counting every match of a word costs more

# What every endpoint may answer besides its success: a missing or unknown token (401), an
# unknown path or anything out of reach (404), a refused value (422), too many requests (429).
ERRORS: dict[int, Any] = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: RateLimitedOut}
# Clients' lists and new tickets: a login without the permission is told so (403).
CLIENT_ERRORS: dict[int, Any] = {**ERRORS, 403: ErrorOut}
# Writes: a read-only token is told it may only read (403).
WRITE_ERRORS: dict[int, Any] = {**ERRORS, 403: ErrorOut}
# Endpoints with a body: unreadable (400), too large (413), a file type not taken (415).
BODY_ERRORS: dict[int, Any] = {**WRITE_ERRORS, 400: ErrorOut, 413: ErrorOut, 415: ErrorOut}

IdempotencyKey = Annotated[
    str | None,
    Header(
        None,
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        description="Any unique text (a UUID): sending the same request again with the same "
        "key answers the first result, with the same status, and stores nothing new.",
    ),
]


Number = Annotated[
    int,
    Path(
        description="The ticket's number (a merged ticket's number leads to the ticket it was "
        "merged into).",
        example=592110,
    ),
]
AttachmentId = Annotated[
    str,
    Path(
        description="An attachment's `id` (its `api_url` is the whole address).",
        example="7f1c9c6e-3b0a-4d7e-9a51-2f0c8e1d4b7a",
    ),
]


class NoTicketPermission(Exception):
    """A client without the `tickets` permission (the web shows a 403 page saying so)."""


class NoServicesPermission(Exception):
    """A client without the `services` permission."""


def _user(request: HttpRequest) -> User:
    """The token's user (ApiTokenAuth let only an active user through)."""
    user: User = request.auth  # type: ignore[attr-defined]
    return user


def _client(request: HttpRequest) -> User:
    """A contact who may use tickets; anyone else is told why, as the web's page does."""
    user = _user(request)
    if not user.may_use_tickets:
        raise NoTicketPermission
    return user


def _agent(request: HttpRequest) -> User:
    """Agents only; anyone else gets 404, as if the desk did not exist (desk.agent_required)."""
    user = _user(request)
    if not is_active_agent(user):
        raise NotFound
    return user


def _submission_key(idempotency_key: str | None, *request: object) -> str:
    """The actions' one-time key for an Idempotency-Key: the same key on the same endpoint
    (and ticket number) repeats the first answer; on another endpoint it is another request.
    Hashed to the length the actions keep."""
    if idempotency_key is None:
        return ""
    text = "\n".join(str(part) for part in (*request, idempotency_key))
    return "api:" + hashlib.sha256(text.encode()).hexdigest()[:60]


def _agent_by_id(agent_id: int | None) -> User | None:
    """The person an assignee id names, for the action to judge (an agent of the ticket's
    department); an id that names nobody is refused in the action's words."""
    if agent_id is None:
        return None
    person = User.objects.filter(pk=agent_id).first()
    if person is None:
        raise ApplicationError(
            _("Assign the ticket to an agent of its department."), field="assignee"
        )
    return person


def _department_of_agent(user: User, slug: str) -> Department:
    department = departments_for_agent(user).filter(slug=slug).first()
    if department is None:
        raise ApplicationError(_("Choose one of your departments."), field="department")
    return department


# ---- Clients: the owner, or a contact with the `tickets` permission


@client.get(
    "/departments",
    response={200: list[DepartmentChoiceOut], **CLIENT_ERRORS},
    summary="Departments that take tickets",
    openapi_extra=examples.response(200, examples.DEPARTMENTS),
)
def departments_list(request: HttpRequest) -> list[Department]:
    """The departments a ticket may be opened in, in the order the client area shows them,
    with their names and descriptions in the request's language. `service_required` says
    whether a ticket there must name one of your services (GET /services)."""
    user = _client(request)
    departments = list(department_list_open_to_clients())
    has_services = user.account is not None and service_list_for_account(user.account).exists()
    for department in departments:
        department.service_required = workflow.service_required(  # type: ignore[attr-defined]
            allows_no_service=department.allows_no_service, account_has_services=has_services
        )
    return departments


@client.get(
    "/services",
    response={200: list[ServiceOut], **CLIENT_ERRORS},
    summary="Your account's services",
    openapi_extra=examples.response(200, examples.SERVICES),
)
def services_list(request: HttpRequest) -> QuerySet[Service]:
    """The services your account contracts, active ones first: the `service` of a new ticket
    is one of their ids. Only for the owner and contacts with the `services` permission."""
    user = _user(request)
    # The `services` permission of the account the person acts for (the owner has it).
    if not user.may_see_services or user.account is None:
        raise NoServicesPermission
    return service_list_for_account(user.account)


@client.get(
    "/tickets",
    response={200: TicketPageOut, **CLIENT_ERRORS},
    summary="Your account's tickets",
    openapi_extra=examples.response(200, examples.TICKET_PAGE),
)
def tickets_list(request: HttpRequest, filters: Query[TicketListQuery]) -> dict[str, Any]:
    """The account's tickets this contact may see, most recent activity first, a page at a
    time (`next` leads to the next page). Filter by status or department; `q` searches by
    number or by words of the subject and the conversation (never an internal note)."""
    tickets = ticket_list_for_contact(_client(request), status=filters.status)
    if filters.department:
        tickets = tickets.filter(department__slug=filters.department)
    if filters.q and filters.q.strip():
        tickets = ticket_search_for_client(tickets, filters.q)
    return page(
        request,
        tickets,
        list_name="tickets",
        cursor=filters.cursor,
        page_size=filters.page_size,
    )


@client.post(
    "/tickets",
    response={201: TicketOut, **CLIENT_ERRORS, **BODY_ERRORS},
    summary="Open a ticket",
    openapi_extra=request_body(TicketOpenIn, examples=examples.TICKET_OPEN),
)
def tickets_open(request: HttpRequest, idempotency_key: IdempotencyKey = None) -> Status[Ticket]:
    """Open a ticket, as the client area's form does: the same rules, the same messages, the
    same emails (a confirmation to you, a notice to the department's agents). Send JSON, or a
    form (multipart/form-data) with the same fields and files as `attachments`."""
    user = _client(request)
    payload, files = read_body(request, TicketOpenIn)
    outcome = ticket_open(
        actor=user,
        department=payload.department,
        service=payload.service,
        subject=payload.subject,
        priority=payload.priority,
        body=payload.message,
        files=files,
        source=Message.Source.API,
        submission_key=_submission_key(idempotency_key, "open"),
    )
    return Status(201, outcome.ticket)


@client.get(
    "/tickets/{number}",
    response={200: TicketOut, **ERRORS},
    summary="A ticket and its conversation",
)
def tickets_detail(request: HttpRequest, number: Number) -> Ticket:
    """The ticket and its conversation as the client sees it: never an internal note. A
    merged ticket's number answers the ticket it was merged into (`merged_from` says so)."""
    return access_ticket_by_number(_user(request), number)


@client.post(
    "/tickets/{number}/replies",
    response={201: ClientReplyOut, **BODY_ERRORS},
    summary="Reply to a ticket",
    openapi_extra=request_body(ReplyIn, examples=examples.CLIENT_REPLY),
)
def tickets_reply(
    request: HttpRequest, number: Number, idempotency_key: IdempotencyKey = None
) -> Status[Outcome]:
    """Add a message (JSON, or a form with files as `attachments`); a closed ticket reopens
    when its department allows it. While you wait for us, a few more messages keep the
    ticket's place in the queue; more than the policy allows in a short time answer 429."""
    user = _user(request)
    ticket = access_ticket_by_number(user, number)
    payload, files = read_body(request, ReplyIn)
    outcome = ticket_reply_by_client(
        actor=user,
        ticket=ticket,
        body=payload.message,
        files=files,
        source=Message.Source.API,
        submission_key=_submission_key(idempotency_key, "reply", number),
    )
    return Status(201, replace(outcome, ticket=access_ticket_by_number(user, number)))


@client.post(
    "/tickets/{number}/close",
    response={200: TicketNoticeOut, **WRITE_ERRORS},
    summary="Close a ticket",
)
def tickets_close(request: HttpRequest, number: Number) -> Outcome:
    """Close the ticket (Close Ticket in the client area); closing a closed ticket changes
    nothing. A reply later reopens it when its department allows it."""
    user = _user(request)
    outcome = ticket_close(actor=user, ticket=access_ticket_by_number(user, number))
    return replace(outcome, ticket=access_ticket_by_number(user, number))


FILE_RESPONSE = {
    "responses": {
        200: {
            "description": "The file: images inline, PDFs as a download; never cached.",
            "content": {
                media: {"schema": {"type": "string", "format": "binary"}}
                for media in ("image/png", "image/jpeg", "image/gif", "application/pdf")
            },
        }
    }
}


@client.get(
    "/attachments/{attachment_id}",
    response={200: None, **ERRORS},
    url_name="attachment",
    summary="Download a file",
    openapi_extra=FILE_RESPONSE,
)
def attachment_download(request: HttpRequest, attachment_id: AttachmentId) -> FileResponse:
    """A file of a message the client may see (`api_url` of an attachment): images inline,
    others as a download. A file of an internal note is never one of them."""
    return attachment_response(access_attachment(_user(request), attachment_id))


# ---- Agents: the departments they belong to; administrators everything


@desk.get(
    "/queue",
    response={200: QueuePageOut, **ERRORS},
    summary="The queue",
    openapi_extra=examples.response(200, examples.QUEUE_PAGE),
)
def queue(request: HttpRequest, filters: Query[QueueQuery]) -> dict[str, Any]:
    """The desk's queue with its filters and order: priority, then how long the client has
    waited (extra client messages neither jump ahead nor fall behind). By default the
    tickets whose next move is ours (`awaiting`) in all your departments."""
    user = _agent(request)
    department = _department_of_agent(user, filters.department) if filters.department else None
    tickets = queue_for_agent(
        user,
        now=timezone.now(),
        department=department.pk if department else None,
        status=filters.status,
        priority=filters.priority,
        assignee=filters.assignee,
        breach=filters.breach,
    )
    return page(
        request, tickets, list_name="queue", cursor=filters.cursor, page_size=filters.page_size
    )


@desk.get("/search", response={200: QueuePageOut, **ERRORS}, summary="Search tickets")
def desk_search(request: HttpRequest, filters: Query[DeskSearchQuery]) -> dict[str, Any]:
    """The desk's search over your departments' tickets: a number (a merged ticket's old
    number too), or words of the subject, messages, notes, client name or email, accents and
    case ignored. Most recently active first; `count` stops at 1,000."""
    user = _agent(request)
    if not filters.q.strip():
        raise ApplicationError(_("Type a ticket number or words to search for."), field="q")
    results = ticket_search(
        tickets_visible_to_agent(user)
        .select_related("department", "account", "contact", "assignee")
        .defer("search_document"),
        filters.q,
    ).order_by("-last_activity_at", "-pk")
    return page(
        request,
        results,
        list_name="search",
        cursor=filters.cursor,
        page_size=filters.page_size,
        count=results[:SEARCH_COUNT_MAX].count(),
    )


@desk.get(
    "/tickets/{number}",
    response={200: DeskTicketOut, **ERRORS},
    summary="A ticket, internal notes included",
)
def desk_ticket_detail(request: HttpRequest, number: Number) -> Ticket:
    """The ticket for an agent: account, contact, service details, assignee, SLA deadlines,
    and the whole conversation with internal notes (flagged `internal`)."""
    return access_ticket_for_agent(_agent(request), number)


@desk.patch(
    "/tickets/{number}",
    response={200: DeskTicketNoticeOut, **BODY_ERRORS},
    summary="Change status, priority or assignee",
    openapi_extra=request_body(TicketUpdateIn, files=False, examples=examples.TICKET_UPDATE),
)
def desk_ticket_update(request: HttpRequest, number: Number) -> Outcome:
    """Change the status (the moves an agent may make from the current one), the priority
    or the assignee (an agent of the ticket's department; null for nobody). Only the fields
    sent change; nothing sent or nothing different: `Nothing to change.`"""
    user = _agent(request)
    ticket = access_ticket_for_agent(user, number)
    payload, _files = read_body(request, TicketUpdateIn, files=False)
    changes: dict[str, Any] = {"status": payload.status, "priority": payload.priority}
    if "assignee" in payload.model_fields_set:
        changes["assignee"] = _agent_by_id(payload.assignee)
    outcome = ticket_update(actor=user, ticket=ticket, **changes)
    return replace(outcome, ticket=access_ticket_for_agent(user, number))


@desk.post(
    "/tickets/{number}/replies",
    response={201: AgentReplyOut, 409: CrossedReplyOut, **BODY_ERRORS},
    summary="Answer the client",
    openapi_extra=request_body(AgentReplyIn, examples=examples.AGENT_REPLY),
)
def desk_ticket_reply(
    request: HttpRequest, number: Number, idempotency_key: IdempotencyKey = None
) -> Status[Outcome]:
    """Answer the client (the ticket becomes Answered, or the `status` given), with files
    as `attachments` in a form. With `seen_message_id`, another agent's reply sent after it
    is answered 409 unless `confirm_crossed`, so two answers never cross. `internal: true`
    writes a note instead (as POST .../notes)."""
    user = _agent(request)
    ticket = access_ticket_for_agent(user, number)
    payload, files = read_body(request, AgentReplyIn)
    outcome = ticket_reply_by_agent(
        actor=user,
        ticket=ticket,
        body=payload.message,
        files=files,
        status=payload.status,
        is_internal=payload.internal,
        seen_message_id=payload.seen_message_id,
        confirm_crossed=payload.confirm_crossed,
        source=Message.Source.API,
        submission_key=_submission_key(idempotency_key, "desk reply", number),
    )
    return Status(201, replace(outcome, ticket=access_ticket_for_agent(user, number)))


@desk.post(
    "/tickets/{number}/notes",
    response={201: AgentReplyOut, **BODY_ERRORS},
    summary="Add an internal note",
    openapi_extra=request_body(NoteIn, examples=examples.NOTE),
)
def desk_ticket_note(
    request: HttpRequest, number: Number, idempotency_key: IdempotencyKey = None
) -> Status[Outcome]:
    """A note only agents see: never shown or sent to the client, no status change, no
    email. Files as `attachments` in a form."""
    user = _agent(request)
    ticket = access_ticket_for_agent(user, number)
    payload, files = read_body(request, NoteIn)
    outcome = ticket_reply_by_agent(
        actor=user,
        ticket=ticket,
        body=payload.message,
        files=files,
        is_internal=True,
        source=Message.Source.API,
        submission_key=_submission_key(idempotency_key, "desk note", number),
    )
    return Status(201, replace(outcome, ticket=access_ticket_for_agent(user, number)))


@desk.post(
    "/tickets/{number}/transfer",
    response={200: DeskTicketNoticeOut, **BODY_ERRORS},
    summary="Move to another department",
    openapi_extra=request_body(TransferIn, files=False, examples=examples.TRANSFER),
)
def desk_ticket_transfer(request: HttpRequest, number: Number) -> Outcome:
    """Move the ticket to another department (one that takes tickets); the client is told,
    with the optional note. The ticket may leave your reach (the answer still shows it)."""
    user = _agent(request)
    ticket = access_ticket_for_agent(user, number)
    payload, _files = read_body(request, TransferIn, files=False)
    outcome = ticket_transfer(
        actor=user, ticket=ticket, department=payload.department, note=payload.note
    )
    # Not read again: the new department may be out of this agent's reach.
    outcome.ticket.merged_from = ticket.merged_from
    return outcome


@desk.post(
    "/tickets/{number}/merge",
    response={200: DeskTicketNoticeOut, **BODY_ERRORS},
    summary="Merge into another ticket",
    openapi_extra=request_body(MergeIn, files=False, examples=examples.MERGE),
)
def desk_ticket_merge(request: HttpRequest, number: Number) -> Outcome:
    """Merge this ticket into `target` (a ticket of the same account in your departments):
    its messages move there, in order, and this number leads there from then on. The
    answer is the target."""
    user = _agent(request)
    ticket = access_ticket_for_agent(user, number)
    payload, _files = read_body(request, MergeIn, files=False)
    try:
        target = access_ticket_for_agent(user, payload.target)
    except NotFound:
        raise ApplicationError(
            _("No ticket with that number in your departments."), field="target"
        ) from None
    outcome = ticket_merge(actor=user, source=ticket, target=target)
    return replace(outcome, ticket=access_ticket_for_agent(user, outcome.ticket.number))


@desk.post(
    "/bulk",
    response={200: BulkOut, **BODY_ERRORS},
    summary="Change many tickets at once",
    openapi_extra=request_body(BulkIn, files=False, examples=examples.BULK),
)
def desk_bulk(request: HttpRequest) -> BulkOutcome:
    """The queue's bulk action: set a status, assign (or unassign) or transfer several
    tickets, all or none (a refusal names the ticket it stopped at). Numbers out of your
    reach are left out, as in the desk."""
    user = _agent(request)
    payload, _files = read_body(request, BulkIn, files=False)
    tickets = access_tickets_for_agent(user, payload.tickets)
    department = None
    if payload.action == "transfer" and payload.department:
        department = Department.objects.filter(slug=payload.department).first()
    outcome = ticket_bulk_update(
        actor=user,
        tickets=tickets,
        action=payload.action,
        status=payload.status,
        assignee=_agent_by_id(payload.assignee) if payload.action == "assign" else None,
        department=department,
    )
    numbers = [ticket.number for ticket in outcome.tickets]
    # Read again as the queue shows them (a transfer may take some out of reach).
    reached = {t.number: t for t in access_tickets_for_agent(user, numbers)}
    return replace(outcome, tickets=[reached.get(t.number, t) for t in outcome.tickets])


@desk.get(
    "/canned-replies",
    response={200: list[CannedReplyOut], **ERRORS},
    summary="Canned replies",
    openapi_extra=examples.response(200, examples.CANNED),
)
def canned_replies(request: HttpRequest, filters: Query[CannedQuery]) -> list[CannedReply]:
    """The prepared answers of a ticket's department (`ticket`, with the placeholders filled
    in as `filled`) or of one of your departments (`department`), the shared ones included."""
    user = _agent(request)
    if filters.ticket is not None:
        ticket = access_ticket_for_agent(user, filters.ticket)
        replies = list(
            canned_reply_list_for_department(ticket.department_id).select_related("department")
        )
        values = {
            "client_name": ticket.contact.get_short_name(),
            "ticket_number": str(ticket.number),
            "subject": ticket.subject,
            "agent_name": user.get_short_name(),
        }
        for reply in replies:
            reply.filled = workflow.canned_fill(reply.body, values)  # type: ignore[attr-defined]
        return replies
    if not filters.department:
        raise ApplicationError(_("Name a ticket or one of your departments."), field="ticket")
    department = _department_of_agent(user, filters.department)
    return list(canned_reply_list_for_department(department.pk).select_related("department"))


@desk.get(
    "/attachments/{attachment_id}",
    response={200: None, **ERRORS},
    url_name="desk_attachment",
    summary="Download a file",
    openapi_extra=FILE_RESPONSE,
)
def desk_attachment_download(request: HttpRequest, attachment_id: AttachmentId) -> FileResponse:
    """Any file of a ticket of the agent's departments, internal notes' included."""
    return attachment_response(access_attachment_for_agent(_agent(request), attachment_id))


# ---- Headers every endpoint's errors carry, in the document too

ERROR_HEADERS = {
    401: {"WWW-Authenticate": {"description": "`Bearer`.", "schema": {"type": "string"}}},
    429: {
        "Retry-After": {
            "description": "Seconds to wait before trying again.",
            "schema": {"type": "integer", "minimum": 1},
        }
    },
}


def _with_error_headers(extra: dict[Any, Any] | None) -> dict[Any, Any]:
    merged = dict(extra or {})
    responses = dict(merged.get("responses", {}))
    for status, headers in ERROR_HEADERS.items():
        responses[status] = {**responses.get(status, {}), "headers": headers}
    merged["responses"] = responses
    return merged


for _router in (client, desk):
    for _path in _router.path_operations.values():
        for _operation in _path.operations:
            _operation.openapi_extra = _with_error_headers(_operation.openapi_extra)
