"""The surfaces' middleware: each request's id for the logs, and a request body larger than any
form may send refused before anything reads it."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

from chamado.core.logs import request_id_new, request_id_var
from chamado.tickets.models import Policy
from chamado.web import health
from chamado.web.errors import too_large

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class RequestBodyCapMiddleware:
    """A 300 MB upload used to be read in full (to a temporary file) before it was refused.
    The cap comes from the policy: every attachment at its limit, plus the form's text. The
    WSGI server passes Content-Length, and Django reads no further than it says."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.method in BODY_METHODS:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length:
                limit = Policy.current().request_max_bytes
                if length > limit:
                    return too_large(request, limit)
        return self.get_response(request)


class HealthProbeMiddleware:
    """/healthz and /readyz answer a probe sent straight to a web process by its address over
    plain HTTP, as load balancers send them (some cannot set a Host header at all): further
    down, ALLOWED_HOSTS would answer 400 and SECURE_SSL_REDIRECT 301. The probes read nothing
    of the request, answer only their own JSON and are never cached. Second in MIDDLEWARE,
    after the request id."""

    PROBES = {"/healthz": health.healthz, "/readyz": health.readyz}

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if probe := self.PROBES.get(request.path_info):
            return probe(request)
        return self.get_response(request)


class RequestIdMiddleware:
    """Every log line of a request (and of the tasks it enqueues) carries one id: the load
    balancer's X-Request-ID when it looks like one, else a new one; the answer says which."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request_id = request_id_new(request.headers.get("X-Request-ID"))
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response
