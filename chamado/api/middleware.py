"""Every answer under /api/ is JSON, errors included, in the API's one error shape.

The API's own errors are JSON already (api.api's handlers). This catches the rest, made
outside the endpoints: an unknown path (Django's 404 page), a wrong method (ninja's plain-text
405), a body over the policy's cap (web.middleware's 413 page) or over
DATA_UPLOAD_MAX_MEMORY_SIZE, a bad Host (Django's 400 page), an unreachable database (503) and
a crash (Django's 500 page, or ninja's traceback when DEBUG is on; the error is logged as
usual). Each becomes ``{"code", "message", "detail", "fields"}`` (api.errors) with the same
status and headers such as ``Allow`` and ``Retry-After``.

It also writes the token's rate-limit state (api.auth) on every API answer:
``RateLimit-Limit``, ``RateLimit-Remaining`` and ``RateLimit-Reset`` (seconds)."""

import json
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBase

from chamado.api.errors import error_body

API_PREFIX = "/api/"


class ApiJsonErrorsMiddleware:
    """Turn any error response under /api/ that is not JSON into the API's error shape."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if not request.path_info.startswith(API_PREFIX):
            return response
        state = getattr(request, "rate_limit", None)
        if state is not None:
            response["RateLimit-Limit"] = str(state.limit)
            response["RateLimit-Remaining"] = str(state.remaining)
            response["RateLimit-Reset"] = str(state.reset)
        if response.status_code < 400 or response.get("Content-Type", "").startswith(
            "application/json"
        ):
            return response
        answer = HttpResponse(
            json.dumps(error_body(response.status_code)),
            status=response.status_code,
            content_type="application/json; charset=utf-8",
        )
        for header in (
            "Allow",
            "WWW-Authenticate",
            "Retry-After",
            "Content-Language",
            "Vary",
            "RateLimit-Limit",
            "RateLimit-Remaining",
            "RateLimit-Reset",
        ):
            if header in response:
                answer[header] = response[header]
        return answer
