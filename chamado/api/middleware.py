"""Every answer under /api/ is JSON, errors included.

The API's own errors are JSON already (api.api's handlers). This catches the rest, made
outside the endpoints: an unknown path (Django's 404 page), a wrong method (ninja's plain-text
405), a body over DATA_UPLOAD_MAX_MEMORY_SIZE or a bad Host (Django's 400 page) and a crash
(Django's 500 page, or ninja's traceback when DEBUG is on; the error is logged as usual).
Each becomes ``{"detail": ...}`` with the same status and headers such as ``Allow``."""

import json
from collections.abc import Callable
from http import HTTPStatus

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


def _detail(status: int) -> str:
    if status == 404:
        return _("Not found.")  # as for a ticket that does not exist
    if status == 400:
        return _("The request is not valid.")
    if status == 405:
        return _("This method is not allowed here.")
    if status == 413:
        return _("The request body is too large.")
    if status >= 500:
        return _("Something went wrong on our side. It was logged; please try again later.")
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class ApiJsonErrorsMiddleware:
    """Turn any error response under /api/ that is not JSON into the API's error shape."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not request.path_info.startswith(API_PREFIX)
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        answer = HttpResponse(
            json.dumps({"detail": _detail(response.status_code)}),
            status=response.status_code,
            content_type="application/json; charset=utf-8",
        )
        for header in ("Allow", "WWW-Authenticate", "Retry-After", "Content-Language", "Vary"):
            if header in response:
                answer[header] = response[header]
        return answer
