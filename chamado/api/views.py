"""REST API endpoints: parse with a schema, call one access function and one action or
selector, shape the answer. The same calls as portal.views and desk.views, so no rule is
written twice; anything a user may not reach answers 404, as on the web."""

from typing import Any

from django.db.models import Model, QuerySet
from django.http import FileResponse, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from chamado.accounts.models import User
from chamado.api.schemas import (
    AccountOut,
    AgentMessageOut,
    AgentReplyIn,
    AgentReplyOut,
    AgentServiceOut,
    AttachmentOut,
    ClientReplyOut,
    CrossedReplyOut,
    DepartmentOut,
    DeskTicketNoticeOut,
    DeskTicketOut,
    ErrorOut,
    ExpectedWaitOut,
    MessageOut,
    PersonOut,
    QueueItemOut,
    QueuePageOut,
    QueueQuery,
    ReplyIn,
    ServiceOut,
    TicketListQuery,
    TicketNoticeOut,
    TicketOpenIn,
    TicketOut,
    TicketPageOut,
    TicketSummaryOut,
    TransferIn,
    ValidationErrorOut,
)
from chamado.core.errors import ApplicationError, NotFound
from chamado.services.selectors import service_list_for_account
from chamado.tickets import workflow
from chamado.tickets.access import (
    access_attachment,
    access_attachment_for_agent,
    access_ticket_by_number,
    access_ticket_for_agent,
    departments_for_agent,
)
from chamado.tickets.actions import (
    ticket_close,
    ticket_open,
    ticket_reply_by_agent,
    ticket_reply_by_client,
    ticket_transfer,
)
from chamado.tickets.models import Attachment, Department, Message, Ticket
from chamado.tickets.selectors import (
    department_list_open_to_clients,
    department_wait_estimate,
    message_list_for_agent,
    message_list_for_client,
    queue_for_agent,
    ticket_list_for_contact,
)
from chamado.web.files import attachment_response

client = Router(tags=["client"])
desk = Router(tags=["desk"])

ERRORS: dict[int, Any] = {401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
WRITE_ERRORS: dict[int, Any] = {**ERRORS, 400: ErrorOut}


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
    if not (user.is_active and user.is_agent):
        raise NotFound
    return user


def _page[M: Model](queryset: QuerySet[M], page: int, page_size: int) -> tuple[int, list[M]]:
    offset = (page - 1) * page_size
    return queryset.count(), list(queryset[offset : offset + page_size])


# ---- Shaping the answers


def _department(department: Department) -> DepartmentOut:
    return DepartmentOut(slug=department.slug, name=department.title)


def _summary_fields(ticket: Ticket) -> dict[str, Any]:
    return {
        "number": ticket.number,
        "subject": ticket.subject,
        "status": ticket.status,
        "status_label": ticket.get_status_display(),
        "priority": ticket.priority,
        "priority_label": ticket.get_priority_display(),
        "department": _department(ticket.department),
        "created_at": ticket.created_at,
        "last_activity_at": ticket.last_activity_at,
        "closed_at": ticket.closed_at,
    }


def _queue_fields(ticket: Ticket) -> dict[str, Any]:
    return {
        **_summary_fields(ticket),
        "account": AccountOut(id=ticket.account.pk, name=ticket.account.name),
        "contact": _person(ticket.contact),
        "assignee": _person(ticket.assignee) if ticket.assignee else None,
        "waiting_since": ticket.waiting_since,
        "response_due_at": ticket.response_due_at,
        "response_warn_at": ticket.response_warn_at,
    }


def _person(user: User) -> PersonOut:
    return PersonOut(id=user.pk, name=user.full_name, email=user.email)


def _attachment(
    request: HttpRequest, attachment: Attachment, *, web: str, api: str
) -> AttachmentOut:
    return AttachmentOut(
        id=attachment.pk,
        name=attachment.original_name,
        content_type=attachment.content_type,
        size=attachment.size,
        url=request.build_absolute_uri(
            reverse(web, args=[attachment.pk, attachment.original_name])
        ),
        api_url=request.build_absolute_uri(reverse(api, args=[attachment.pk])),
    )


def _client_message(request: HttpRequest, message: Message) -> MessageOut:
    author = message.author
    if author is None:
        name = None
    elif message.from_agent:
        name = author.get_short_name()  # agents are shown to clients by first name only
    else:
        name = str(author)
    return MessageOut(
        id=message.pk,
        from_agent=message.from_agent,
        author=name,
        body=message.body,
        created_at=message.created_at,
        attachments=[
            _attachment(request, a, web="portal:attachment", api="api-v1:attachment")
            for a in message.attachments.all()
        ],
    )


def _agent_message(request: HttpRequest, message: Message) -> AgentMessageOut:
    return AgentMessageOut(
        id=message.pk,
        from_agent=message.from_agent,
        author=str(message.author) if message.author else None,
        body=message.body,
        created_at=message.created_at,
        internal=message.is_internal,
        source=message.source,
        attachments=[
            _attachment(request, a, web="desk:attachment", api="api-v1:desk_attachment")
            for a in message.attachments.all()
        ],
    )


def _expected_wait(ticket: Ticket) -> ExpectedWaitOut | None:
    """The honest wait of SPEC §3, while the client waits (as the portal's ticket page)."""
    if not workflow.client_waits(ticket.status):
        return None
    estimate = department_wait_estimate(ticket.department_id, ticket.priority, now=timezone.now())
    return ExpectedWaitOut(seconds=int(estimate.wait.total_seconds()), measured=estimate.measured)


def _client_ticket(request: HttpRequest, ticket: Ticket) -> TicketOut:
    service = ticket.service
    return TicketOut(
        **_summary_fields(ticket),
        service=(
            ServiceOut(id=service.pk, name=service.name, label=service.label, status=service.status)
            if service
            else None
        ),
        merged_into=ticket.merged_into.number if ticket.merged_into else None,
        reply_reopens=ticket.department.reopen_on_reply,
        expected_wait=_expected_wait(ticket),
        url=request.build_absolute_uri(reverse("portal:ticket", args=[ticket.number])),
        messages=[_client_message(request, m) for m in message_list_for_client(ticket)],
    )


def _desk_ticket(request: HttpRequest, ticket: Ticket) -> DeskTicketOut:
    service = ticket.service
    return DeskTicketOut(
        **_queue_fields(ticket),
        service=(
            AgentServiceOut(
                id=service.pk,
                name=service.name,
                label=service.label,
                status=service.status,
                details=service.details,
            )
            if service
            else None
        ),
        merged_into=ticket.merged_into.number if ticket.merged_into else None,
        first_response_at=ticket.first_response_at,
        url=request.build_absolute_uri(reverse("desk:ticket", args=[ticket.number])),
        messages=[_agent_message(request, m) for m in message_list_for_agent(ticket)],
    )


# ---- Clients: the owner, or a contact with the `tickets` permission


@client.get("/tickets", response={200: TicketPageOut, 403: ErrorOut, **ERRORS})
def tickets_list(request: HttpRequest, filters: Query[TicketListQuery]) -> TicketPageOut:
    """The account's tickets this contact may see, most recent activity first."""
    tickets = ticket_list_for_contact(_client(request), status=filters.status)
    count, items = _page(tickets, filters.page, filters.page_size)
    return TicketPageOut(
        count=count,
        page=filters.page,
        page_size=filters.page_size,
        items=[TicketSummaryOut(**_summary_fields(t)) for t in items],
    )


@client.post("/tickets", response={201: TicketOut, 403: ErrorOut, **WRITE_ERRORS})
def tickets_open(request: HttpRequest, payload: TicketOpenIn) -> Status[TicketOut]:
    """Open a ticket (JSON only: attachments are added in the web area for now)."""
    user = _client(request)
    department = department_list_open_to_clients().filter(slug=payload.department).first()
    if department is None:
        raise ApplicationError(_("Choose a department."), field="department")
    service = None
    if payload.service is not None and user.account is not None:
        service = service_list_for_account(user.account).filter(pk=payload.service).first()
        if service is None:
            raise ApplicationError(_("Choose one of your services."), field="service")
    ticket = ticket_open(
        actor=user,
        department=department,
        service=service,
        subject=payload.subject,
        priority=payload.priority,
        body=payload.message,
        source=Message.Source.API,
    )
    return Status(201, _client_ticket(request, access_ticket_by_number(user, ticket.number)))


@client.get("/tickets/{number}", response={200: TicketOut, **ERRORS})
def tickets_detail(request: HttpRequest, number: int) -> TicketOut:
    """The ticket and its conversation as the client sees it: never an internal note."""
    return _client_ticket(request, access_ticket_by_number(_user(request), number))


@client.post("/tickets/{number}/replies", response={201: ClientReplyOut, **WRITE_ERRORS})
def tickets_reply(request: HttpRequest, number: int, payload: ReplyIn) -> Status[ClientReplyOut]:
    """Add a message; a closed ticket reopens when its department allows it."""
    user = _user(request)
    ticket = access_ticket_by_number(user, number)
    was_waiting = workflow.client_waits(ticket.status)
    message = ticket_reply_by_client(
        actor=user, ticket=ticket, body=payload.message, source=Message.Source.API
    )
    if was_waiting:
        notice = _(
            "Message added. Your ticket keeps its place in the queue: "
            "extra messages do not move it back."
        )
    else:
        notice = _("Your reply was sent.")
    ticket = access_ticket_by_number(user, number)
    return Status(
        201,
        ClientReplyOut(
            notice=notice,
            ticket=TicketSummaryOut(**_summary_fields(ticket)),
            message=_client_message(request, message),
        ),
    )


@client.post("/tickets/{number}/close", response={200: TicketNoticeOut, **ERRORS})
def tickets_close(request: HttpRequest, number: int) -> TicketNoticeOut:
    """Close the ticket; closing a closed ticket changes nothing."""
    user = _user(request)
    ticket = access_ticket_by_number(user, number)
    ticket_close(actor=user, ticket=ticket)
    if ticket.department.reopen_on_reply:
        notice = _("The ticket was closed. Reply to it if you need us again.")
    else:
        notice = _("The ticket was closed.")
    ticket = access_ticket_by_number(user, number)
    return TicketNoticeOut(notice=notice, ticket=TicketSummaryOut(**_summary_fields(ticket)))


@client.get("/attachments/{attachment_id}", response={200: None, **ERRORS}, url_name="attachment")
def attachment_download(request: HttpRequest, attachment_id: str) -> FileResponse:
    """A file of a message the client may see: images inline, others as a download."""
    return attachment_response(access_attachment(_user(request), attachment_id))


# ---- Agents: the departments they belong to; administrators everything


@desk.get("/queue", response={200: QueuePageOut, **ERRORS, 400: ErrorOut})
def queue(request: HttpRequest, filters: Query[QueueQuery]) -> QueuePageOut:
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
    count, items = _page(tickets, filters.page, filters.page_size)
    return QueuePageOut(
        count=count,
        page=filters.page,
        page_size=filters.page_size,
        items=[QueueItemOut(**_queue_fields(t)) for t in items],
    )


@desk.get("/tickets/{number}", response={200: DeskTicketOut, **ERRORS})
def desk_ticket_detail(request: HttpRequest, number: int) -> DeskTicketOut:
    """The ticket for an agent: account, service details, internal notes (flagged)."""
    return _desk_ticket(request, access_ticket_for_agent(_agent(request), number))


@desk.post(
    "/tickets/{number}/replies",
    response={201: AgentReplyOut, 409: CrossedReplyOut, **WRITE_ERRORS},
)
def desk_ticket_reply(
    request: HttpRequest, number: int, payload: AgentReplyIn
) -> Status[AgentReplyOut]:
    """Answer the client, or with `internal` write a note only agents see."""
    user = _agent(request)
    ticket = access_ticket_for_agent(user, number)
    if payload.internal and payload.status:
        raise ApplicationError(_("An internal note does not change the status."), field="status")
    message = ticket_reply_by_agent(
        actor=user,
        ticket=ticket,
        body=payload.message,
        status=payload.status,
        is_internal=payload.internal,
        seen_message_id=payload.seen_message_id,
        confirm_crossed=payload.confirm_crossed,
        source=Message.Source.API,
    )
    notice = _("Internal note added.") if payload.internal else _("Reply sent to the client.")
    ticket = access_ticket_for_agent(user, number)
    return Status(
        201,
        AgentReplyOut(
            notice=notice,
            ticket=QueueItemOut(**_queue_fields(ticket)),
            message=_agent_message(request, message),
        ),
    )


@desk.post("/tickets/{number}/transfer", response={200: DeskTicketNoticeOut, **WRITE_ERRORS})
def desk_ticket_transfer(
    request: HttpRequest, number: int, payload: TransferIn
) -> DeskTicketNoticeOut:
    """Move the ticket to another department; the client is told, with the optional note."""
    user = _agent(request)
    ticket = access_ticket_for_agent(user, number)
    department = Department.objects.filter(slug=payload.department).first()
    if department is None:
        raise ApplicationError(_("Choose a department."), field="department")
    ticket = ticket_transfer(actor=user, ticket=ticket, department=department, note=payload.note)
    return DeskTicketNoticeOut(
        notice=_("Ticket moved to %(department)s; the client was told.")
        % {"department": department.title},
        ticket=QueueItemOut(**_queue_fields(ticket)),
    )


@desk.get(
    "/attachments/{attachment_id}", response={200: None, **ERRORS}, url_name="desk_attachment"
)
def desk_attachment_download(request: HttpRequest, attachment_id: str) -> FileResponse:
    """Any file of a ticket of the agent's departments, internal notes' included."""
    return attachment_response(access_attachment_for_agent(_agent(request), attachment_id))
