"""REST API endpoints: parse with a schema, call one access function and one action or
selector, return what they return; api.schemas turns it into JSON. The same calls as
portal.views and desk.views, so no rule is written twice; anything a user may not reach
answers 404, as on the web."""

import hashlib
from dataclasses import replace
from typing import Annotated, Any

from django.db.models import Model, QuerySet
from django.http import FileResponse, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Header, Query, Router, Status

from chamado.accounts.models import User
from chamado.api.schemas import (
    AgentReplyIn,
    AgentReplyOut,
    ClientReplyOut,
    CrossedReplyOut,
    DeskTicketNoticeOut,
    DeskTicketOut,
    ErrorOut,
    QueuePageOut,
    QueueQuery,
    ReplyIn,
    TicketListQuery,
    TicketNoticeOut,
    TicketOpenIn,
    TicketOut,
    TicketPageOut,
    TransferIn,
    ValidationErrorOut,
)
from chamado.core.errors import ApplicationError, NotFound
from chamado.tickets.access import (
    access_attachment,
    access_attachment_for_agent,
    access_ticket_by_number,
    access_ticket_for_agent,
    departments_for_agent,
    is_active_agent,
)
from chamado.tickets.actions import (
    Outcome,
    ticket_close,
    ticket_open,
    ticket_reply_by_agent,
    ticket_reply_by_client,
    ticket_transfer,
)
from chamado.tickets.models import Message, Ticket
from chamado.tickets.selectors import queue_for_agent, ticket_list_for_contact
from chamado.web.files import attachment_response

client = Router(tags=["client"])
desk = Router(tags=["desk"])

ERRORS: dict[int, Any] = {401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
WRITE_ERRORS: dict[int, Any] = {**ERRORS, 400: ErrorOut}

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


class NoTicketPermission(Exception):
    """A client without the `tickets` permission (the web shows a 403 page saying so)."""


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


def _page[M: Model](queryset: QuerySet[M], page: int, page_size: int) -> dict[str, Any]:
    count, offset = queryset.count(), (page - 1) * page_size
    items = list(queryset[offset : offset + page_size])
    return {"count": count, "page": page, "page_size": page_size, "items": items}


def _submission_key(idempotency_key: str | None, *request: object) -> str:
    """The actions' one-time key for an Idempotency-Key: the same key on the same endpoint
    (and ticket number) repeats the first answer; on another endpoint it is another request.
    Hashed to the length the actions keep."""
    if idempotency_key is None:
        return ""
    text = "\n".join(str(part) for part in (*request, idempotency_key))
    return "api:" + hashlib.sha256(text.encode()).hexdigest()[:60]


# ---- Clients: the owner, or a contact with the `tickets` permission


@client.get("/tickets", response={200: TicketPageOut, 403: ErrorOut, **ERRORS})
def tickets_list(request: HttpRequest, filters: Query[TicketListQuery]) -> dict[str, Any]:
    """The account's tickets this contact may see, most recent activity first."""
    tickets = ticket_list_for_contact(_client(request), status=filters.status)
    return _page(tickets, filters.page, filters.page_size)


@client.post("/tickets", response={201: TicketOut, 403: ErrorOut, **WRITE_ERRORS})
def tickets_open(
    request: HttpRequest, payload: TicketOpenIn, idempotency_key: IdempotencyKey = None
) -> Status[Ticket]:
    """Open a ticket (JSON only: attachments are added in the web area for now)."""
    outcome = ticket_open(
        actor=_client(request),
        department=payload.department,
        service=payload.service,
        subject=payload.subject,
        priority=payload.priority,
        body=payload.message,
        source=Message.Source.API,
        submission_key=_submission_key(idempotency_key, "open"),
    )
    return Status(201, outcome.ticket)


@client.get("/tickets/{number}", response={200: TicketOut, **ERRORS})
def tickets_detail(request: HttpRequest, number: int) -> Ticket:
    """The ticket and its conversation as the client sees it: never an internal note. A
    merged ticket's number answers the ticket it was merged into (`merged_from` says so)."""
    return access_ticket_by_number(_user(request), number)


@client.post("/tickets/{number}/replies", response={201: ClientReplyOut, **WRITE_ERRORS})
def tickets_reply(
    request: HttpRequest, number: int, payload: ReplyIn, idempotency_key: IdempotencyKey = None
) -> Status[Outcome]:
    """Add a message; a closed ticket reopens when its department allows it."""
    user = _user(request)
    outcome = ticket_reply_by_client(
        actor=user,
        ticket=access_ticket_by_number(user, number),
        body=payload.message,
        source=Message.Source.API,
        submission_key=_submission_key(idempotency_key, "reply", number),
    )
    return Status(201, replace(outcome, ticket=access_ticket_by_number(user, number)))


@client.post("/tickets/{number}/close", response={200: TicketNoticeOut, **ERRORS})
def tickets_close(request: HttpRequest, number: int) -> Outcome:
    """Close the ticket; closing a closed ticket changes nothing."""
    user = _user(request)
    outcome = ticket_close(actor=user, ticket=access_ticket_by_number(user, number))
    return replace(outcome, ticket=access_ticket_by_number(user, number))


@client.get("/attachments/{attachment_id}", response={200: None, **ERRORS}, url_name="attachment")
def attachment_download(request: HttpRequest, attachment_id: str) -> FileResponse:
    """A file of a message the client may see: images inline, others as a download."""
    return attachment_response(access_attachment(_user(request), attachment_id))


# ---- Agents: the departments they belong to; administrators everything


@desk.get("/queue", response={200: QueuePageOut, **ERRORS, 400: ErrorOut})
def queue(request: HttpRequest, filters: Query[QueueQuery]) -> dict[str, Any]:
    """The queue in the desk's order: priority, then how long the client has waited."""
    user = _agent(request)
    department = None
    if filters.department:
        department = departments_for_agent(user).filter(slug=filters.department).first()
        if department is None:
            raise ApplicationError(_("Choose one of your departments."), field="department")
    tickets = queue_for_agent(
        user,
        now=timezone.now(),
        department=department.pk if department else None,
        status=filters.status,
        priority=filters.priority,
        assignee=filters.assignee,
        breach=filters.breach,
    )
    return _page(tickets, filters.page, filters.page_size)


@desk.get("/tickets/{number}", response={200: DeskTicketOut, **ERRORS})
def desk_ticket_detail(request: HttpRequest, number: int) -> Ticket:
    """The ticket for an agent: account, service details, internal notes (flagged)."""
    return access_ticket_for_agent(_agent(request), number)


@desk.post(
    "/tickets/{number}/replies",
    response={201: AgentReplyOut, 409: CrossedReplyOut, **WRITE_ERRORS},
)
def desk_ticket_reply(
    request: HttpRequest,
    number: int,
    payload: AgentReplyIn,
    idempotency_key: IdempotencyKey = None,
) -> Status[Outcome]:
    """Answer the client, or with `internal` write a note only agents see."""
    user = _agent(request)
    outcome = ticket_reply_by_agent(
        actor=user,
        ticket=access_ticket_for_agent(user, number),
        body=payload.message,
        status=payload.status,
        is_internal=payload.internal,
        seen_message_id=payload.seen_message_id,
        confirm_crossed=payload.confirm_crossed,
        source=Message.Source.API,
        submission_key=_submission_key(idempotency_key, "desk reply", number),
    )
    return Status(201, replace(outcome, ticket=access_ticket_for_agent(user, number)))


@desk.post("/tickets/{number}/transfer", response={200: DeskTicketNoticeOut, **WRITE_ERRORS})
def desk_ticket_transfer(request: HttpRequest, number: int, payload: TransferIn) -> Outcome:
    """Move the ticket to another department; the client is told, with the optional note."""
    user = _agent(request)
    ticket = access_ticket_for_agent(user, number)
    outcome = ticket_transfer(
        actor=user, ticket=ticket, department=payload.department, note=payload.note
    )
    # Not read again: the new department may be out of this agent's reach.
    outcome.ticket.merged_from = ticket.merged_from
    return outcome


@desk.get(
    "/attachments/{attachment_id}", response={200: None, **ERRORS}, url_name="desk_attachment"
)
def desk_attachment_download(request: HttpRequest, attachment_id: str) -> FileResponse:
    """Any file of a ticket of the agent's departments, internal notes' included."""
    return attachment_response(access_attachment_for_agent(_agent(request), attachment_id))
