"""The API's one error shape, for every answer under /api/ that is not a success:

    {"code": "not_found", "message": "...", "detail": "...", "fields": {"subject": ["..."]}}

``code`` is stable and meant for programs; ``message`` (and ``detail``, the same text, kept for
the clients of the first version) is for people, in the request's language; ``fields`` names
the inputs at fault with one line per problem. The statuses say what their names say: 400 the
body cannot be read, 401 no valid token, 403 the login lacks a permission, 404 missing or out
of reach, 405, 409 the ticket changed meanwhile, 413 too large, 415 a type not taken, 422 a
value refused (by its shape or by a rule), 429 too many requests (with Retry-After)."""

from http import HTTPStatus
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# code → status. One code per status, so a client may switch on either.
CODES: dict[str, int] = {
    "bad_request": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "not_found": 404,
    "method_not_allowed": 405,
    "conflict": 409,
    "payload_too_large": 413,
    "unsupported_media_type": 415,
    "validation_error": 422,
    "rate_limited": 429,
    "server_error": 500,
    "unavailable": 503,
}
STATUS_CODES = {status: code for code, status in CODES.items()}


def code_for(status: int) -> str:
    if status in STATUS_CODES:
        return STATUS_CODES[status]
    return "server_error" if status >= 500 else "bad_request"


def default_message(status: int) -> str:
    """What to say when nothing more precise is known, in the request's language."""
    messages = {
        400: _("The request is not valid."),
        401: _("Send a valid API token in the header “Authorization: Bearer <key>”."),
        404: _("Not found."),  # as for a ticket that does not exist
        405: _("This method is not allowed here."),
        413: _("The request body is too large."),
        415: _("Send JSON (application/json) or a form with files (multipart/form-data)."),
        422: _("The request is not valid."),
        429: _("Too many requests. Wait a little and try again."),
        503: _("The service is unavailable for a moment. Try again in a minute."),
    }
    if status in messages:
        return messages[status]
    if status >= 500:
        return _("Something went wrong on our side. It was logged; please try again later.")
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def error_body(
    status: int,
    message: str | None = None,
    *,
    fields: dict[str, list[str]] | None = None,
    code: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    text = message or default_message(status)
    return {
        "code": code or code_for(status),
        "message": text,
        "detail": text,
        "fields": fields or {},
        **extra,
    }


# ---- Schema errors (pydantic) in the words of Django's form fields, so the API and the web
# forms refuse the same value with the same sentence, and Django's catalogue translates it.


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    """("body", "subject") → "subject"; ("query", "page") → "page"; list items "tickets.0"."""
    parts = [str(part) for part in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "form", "file", "cookie"}:
        parts = parts[1:]
    return ".".join(parts) or "__all__"


def _pydantic_message(error: dict[str, Any]) -> str:
    if isinstance(error.get("message"), str):  # said by Chamado itself, translated already
        return str(error["message"])
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    value = error.get("input")
    if kind == "missing":
        return _("This field is required.")
    if kind == "string_too_long":
        limit = int(ctx.get("max_length", 0))
        return ngettext(
            "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
            "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
            limit,
        ) % {"limit_value": limit, "show_value": len(value) if isinstance(value, str) else 0}
    if kind == "string_too_short":
        limit = int(ctx.get("min_length", 0))
        return ngettext(
            "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
            "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
            limit,
        ) % {"limit_value": limit, "show_value": len(value) if isinstance(value, str) else 0}
    if kind in {"greater_than_equal", "greater_than"}:
        return _("Ensure this value is greater than or equal to %(limit_value)s.") % {
            "limit_value": ctx.get("ge", ctx.get("gt"))
        }
    if kind in {"less_than_equal", "less_than"}:
        return _("Ensure this value is less than or equal to %(limit_value)s.") % {
            "limit_value": ctx.get("le", ctx.get("lt"))
        }
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return _("Enter a whole number.")
    if kind in {"literal_error", "enum"}:
        return _("Select a valid choice. %(value)s is not one of the available choices.") % {
            "value": value if isinstance(value, str | int) else "…"
        }
    if kind in {"uuid_parsing", "uuid_type"}:
        return _("Enter a valid UUID.")
    if kind in {"list_type"}:
        return _("Enter a list of values.")
    if kind == "too_long":
        return _("Send at most %(count)d values.") % {"count": int(ctx.get("max_length", 0))}
    if kind == "too_short":
        return _("Send at least %(count)d values.") % {"count": int(ctx.get("min_length", 0))}
    if kind in {"bool_type", "bool_parsing"}:
        return _("Enter true or false.")
    if kind == "value_error" and "Null characters" in str(error.get("msg", "")):
        return _("Null characters are not allowed.")
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return _("Send an object with the fields of this request.")
    return _("Enter a valid value.")


def validation_fields(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for error in errors:
        name = _field_name(error.get("loc", ()))
        message = _pydantic_message(error)
        if message not in fields.setdefault(name, []):
            fields[name].append(message)
    return fields
