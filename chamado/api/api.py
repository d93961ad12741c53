"""The REST API (`/api/v1/`): token authentication, JSON errors, the OpenAPI document.

No documentation page: ninja's Swagger page loads scripts from a CDN and runs inline ones,
which the site's Content-Security-Policy forbids. `/api/v1/openapi.json` is the reference;
any OpenAPI viewer opens it.

Errors answer JSON: the handlers below for what the endpoints raise, api.middleware for what
happens outside them (unknown paths, wrong methods, crashes)."""

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from chamado.api.auth import ApiTokenAuth
from chamado.api.views import NoTicketPermission, client, desk
from chamado.core.errors import ApplicationError, RateLimited
from chamado.tickets.actions import CrossedReply

api = NinjaAPI(
    title="Chamado",
    version="1",
    description=(
        "Tickets for clients and agents. Authenticate every request with "
        "`Authorization: Bearer <key>` (a key from `chamado api_token create`). Anything "
        "you may not reach answers 404, exactly like a ticket that does not exist."
    ),
    urls_namespace="api-v1",
    docs_url=None,
    auth=ApiTokenAuth(),
)
api.add_router("/", client)
api.add_router("/desk", desk)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(
        request,
        {"detail": _("Send a valid API token in the header “Authorization: Bearer <key>”.")},
        status=401,
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    # The same answer for missing and forbidden (core.errors.NotFound), so nothing leaks.
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


@api.exception_handler(NoTicketPermission)
def _no_ticket_permission(request: HttpRequest, exc: NoTicketPermission) -> HttpResponse:
    detail = " ".join(
        [
            _("Your login does not have the permission to open or see this account's tickets."),
            _("Ask the account owner to give you the “tickets” permission."),
        ]
    )
    return api.create_response(request, {"detail": detail}, status=403)


@api.exception_handler(CrossedReply)
def _crossed_reply(request: HttpRequest, exc: CrossedReply) -> HttpResponse:
    return api.create_response(
        request,
        {
            "detail": exc.message,
            "field": exc.field,
            "messages": exc.messages,
            "newer_message_id": exc.newer.pk,
        },
        status=409,
    )


@api.exception_handler(RateLimited)
def _rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    response = api.create_response(
        request, {"detail": exc.message, "field": exc.field, "messages": exc.messages}, status=429
    )
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(ApplicationError)
def _refused(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return api.create_response(
        request, {"detail": exc.message, "field": exc.field, "messages": exc.messages}, status=400
    )


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(
        request, {"detail": _("The request is not valid."), "errors": exc.errors}, status=422
    )


@api.exception_handler(RequestDataTooBig)
def _too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    # A body over DATA_UPLOAD_MAX_MEMORY_SIZE (Django alone would answer a bare 400).
    return api.create_response(request, {"detail": _("The request body is too large.")}, status=413)
