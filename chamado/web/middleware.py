"""The surfaces' middleware: each request's id for the logs, a request body larger than any
form may send refused before anything reads it, and the Content-Security-Policy header."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.middleware import csp
from django.utils.csp import CSP, build_policy

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


class ContentSecurityPolicyMiddleware(csp.ContentSecurityPolicyMiddleware):
    """Django's, with the header built once: Django builds the policy string from
    ``SECURE_CSP`` on every response (about a tenth of a trivial request's time), though
    without a nonce it is the same string each time. A response with its own configuration
    (``csp_override``) or a request that used its nonce is built as Django builds it."""

    _built: dict[int, tuple[Any, str]] = {}  # id of a configuration -> (it, its header)

    def process_response(self, request: HttpRequest, response: Any) -> Any:
        nonce = csp.get_nonce(request)
        if nonce or hasattr(response, "_csp_config") or hasattr(response, "_csp_ro_config"):
            return super().process_response(request, response)
        for header, config in (
            (CSP.HEADER_ENFORCE, settings.SECURE_CSP),
            (CSP.HEADER_REPORT_ONLY, settings.SECURE_CSP_REPORT_ONLY),
        ):
            if config and header not in response:
                response.headers[str(header)] = self._policy(config)
        return response

    def _policy(self, config: Any) -> str:
        built = self._built.get(id(config))
        if built is None or built[0] is not config:
            # Keyed by the very object: settings changed in a test make a new one.
            built = (config, build_policy(config))
            self._built[id(config)] = built
        return built[1]
