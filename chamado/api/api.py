"""The REST API (`/api/v1/`): token authentication, JSON errors, the OpenAPI document and its
documentation page.

`/api/v1/docs` is Swagger UI, served by Chamado itself (api.docs: the viewer's files are
vendored under api/static/api/swagger-ui/ and started by a static script, so the page keeps
the site's strict Content-Security-Policy: no CDN, no inline script or style).
`/api/v1/openapi.json` is the document it reads; any OpenAPI tool opens it too.

Errors answer JSON in one shape (api.errors): the handlers below for what the endpoints
raise, api.middleware for what happens outside them (unknown paths, wrong methods, crashes)."""

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import NinjaGenerateJsonSchema

from chamado.api.auth import ApiTokenAuth, ReadOnlyToken
from chamado.api.bodies import (
    BODY_MODELS,
    FORM_DEFINITIONS,
    REF,
    BodyTooLarge,
    UnreadableBody,
    UnsupportedBody,
)
from chamado.api.docs import SwaggerPage
from chamado.api.errors import CODES, error_body, validation_fields
from chamado.api.followers import followers
from chamado.api.provisioning import provisioning
from chamado.api.views import NoServicesPermission, NoTicketPermission, client, desk
from chamado.core.errors import ApplicationError, RateLimited
from chamado.tickets.actions import CrossedReply

DESCRIPTION = """Tickets for clients and agents, with the rules of the web area.

**Authentication.** Every request sends `Authorization: Bearer <key>` (a key from
`chamado api_token create`). Anything you may not reach answers 404, exactly like a ticket
that does not exist.

**Errors** are JSON in one shape: `{"code", "message", "detail", "fields"}`; `message` is in
the language of `Accept-Language` (English or Brazilian Portuguese).

**Lists** come a page at a time: follow `next` (or pass `next_cursor` as `cursor`).

**Rate limits.** Each token may make the policy's number of requests a minute (300 by
default; an administrator sets *API requests per token per minute* in the ticket policy, 0
for no limit). Answers carry `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`;
past the limit: 429 with `Retry-After`.

**Files** are sent as `multipart/form-data` with the same fields as JSON and each file as a
part named `attachments`, under the web forms' rules. More in docs/API.md."""


class ChamadoApi(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """ninja's document, plus the bodies the endpoints read themselves (api.bodies)."""
        document = super().get_openapi_schema(*args, **kwargs)
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        for name, model in BODY_MODELS.items():
            schema = model.model_json_schema(
                ref_template=REF, schema_generator=NinjaGenerateJsonSchema
            )
            schemas.update(schema.pop("$defs", {}))
            schemas[name] = schema
        schemas.update(FORM_DEFINITIONS)
        return document


api = ChamadoApi(
    title="Chamado",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    docs=SwaggerPage(),
    docs_url="/docs",
    auth=ApiTokenAuth(),
)
api.add_router("/", client)
api.add_router("/desk", desk)
api.add_router("/", followers)
api.add_router("/provisioning", provisioning)


def _answer(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
    return api.create_response(request, body, status=status)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _answer(request, 401, error_body(401))
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    # The same answer for missing and forbidden (core.errors.NotFound), so nothing leaks.
    return _answer(request, 404, error_body(404))


@api.exception_handler(ReadOnlyToken)
def _read_only_token(request: HttpRequest, exc: ReadOnlyToken) -> HttpResponse:
    message = _("This token may only read. Make a read-and-write token on your profile page.")
    return _answer(request, 403, error_body(403, message))


@api.exception_handler(NoTicketPermission)
def _no_ticket_permission(request: HttpRequest, exc: NoTicketPermission) -> HttpResponse:
    message = " ".join(
        [
            _("Your login does not have the permission to open or see this account's tickets."),
            _("Ask the account owner to give you the “tickets” permission."),
        ]
    )
    return _answer(request, 403, error_body(403, message))


@api.exception_handler(NoServicesPermission)
def _no_services_permission(request: HttpRequest, exc: NoServicesPermission) -> HttpResponse:
    message = " ".join(
        [
            _("Your login does not have the permission to see this account's services."),
            _("Ask the account owner to give you the “services” permission."),
        ]
    )
    return _answer(request, 403, error_body(403, message))


def _fields(exc: ApplicationError) -> dict[str, list[str]]:
    return {exc.field: list(exc.messages)} if exc.field else {}


@api.exception_handler(CrossedReply)
def _crossed_reply(request: HttpRequest, exc: CrossedReply) -> HttpResponse:
    body = error_body(409, exc.message, fields=_fields(exc), newer_message_id=exc.newer.pk)
    return _answer(request, 409, body)


@api.exception_handler(RateLimited)
def _rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    body = error_body(429, exc.message, fields=_fields(exc), retry_after=exc.retry_after)
    response = _answer(request, 429, body)
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(ApplicationError)
def _refused(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    """A rule refused the request: 422, or what its code says (a refused file: 415, 413)."""
    status = CODES.get(exc.code or "", 422)
    return _answer(request, status, error_body(status, exc.message, fields=_fields(exc)))


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return _answer(request, 422, error_body(422, fields=validation_fields(exc.errors)))


@api.exception_handler(UnreadableBody)
def _unreadable(request: HttpRequest, exc: UnreadableBody) -> HttpResponse:
    message = _("The request body could not be read: send valid JSON, or a valid form.")
    return _answer(request, 400, error_body(400, message))


@api.exception_handler(UnsupportedBody)
def _unsupported(request: HttpRequest, exc: UnsupportedBody) -> HttpResponse:
    return _answer(request, 415, error_body(415))


@api.exception_handler(BodyTooLarge)
@api.exception_handler(RequestDataTooBig)
def _too_large(request: HttpRequest, exc: Exception) -> HttpResponse:
    # A body over DATA_UPLOAD_MAX_MEMORY_SIZE (Django alone would answer a bare 400), or more
    # fields or files than Django reads.
    return _answer(request, 413, error_body(413))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    status = exc.status_code if 400 <= exc.status_code < 600 else 400
    return _answer(request, status, error_body(status))
