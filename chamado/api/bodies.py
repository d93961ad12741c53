"""Request bodies that come as JSON or as a form with files (multipart/form-data).

The endpoints that store a message take both: JSON for text alone, multipart when files come
along (field ``attachments``, repeated). Either way one pydantic schema validates the fields,
so a value is refused with the same words whichever way it came; the files go to the action,
which checks them exactly as for the web forms (tickets.uploads through actions.uploads_check).

ninja reads one body type per endpoint, so these endpoints read theirs here, after the token,
the permission and the ticket were checked (nothing about a ticket out of reach is told by
how its body is judged); the OpenAPI document lists both types (``request_body``)."""

import json
from functools import cache
from typing import Any

from django.core.exceptions import (
    BadRequest,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError
from ninja import Schema
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import NinjaGenerateJsonSchema
from pydantic import ValidationError

JSON = "application/json"
MULTIPART = "multipart/form-data"
FILES_FIELD = "attachments"
REF = "#/components/schemas/{model}"

# The models named in request bodies, added to the document's components (api.ChamadoApi).
BODY_MODELS: dict[str, type[Schema]] = {}
FORM_DEFINITIONS: dict[str, Any] = {}


class BodyTooLarge(Exception):
    """More fields, files or form text than Django reads (413)."""


class UnsupportedBody(Exception):
    """A Content-Type other than JSON or multipart/form-data (415)."""


class UnreadableBody(Exception):
    """A body that says it is JSON or a form and is not (400)."""


def _media_type(request: HttpRequest) -> str:
    return (request.content_type or "").split(";")[0].strip().lower()


def _types(schema: dict[str, Any]) -> set[str]:
    """The JSON types a property's schema allows ("integer", "boolean", "null"...)."""
    found = {schema["type"]} if isinstance(schema.get("type"), str) else set()
    for option in schema.get("anyOf", []):
        found |= _types(option)
    return found


@cache
def _property_types(model: type[Schema]) -> dict[str, set[str]]:
    properties = model.model_json_schema(by_alias=True).get("properties", {})
    return {name: _types(schema) for name, schema in properties.items()}


def _form_value(types: set[str], value: str) -> Any:
    """Form fields are text: "3" is 3 where the schema wants a whole number, "true"/"false" a
    boolean, "" nothing where nothing is allowed. Anything else stays text, for the schema
    to refuse with the same words as in JSON."""
    if value == "" and "null" in types:
        return None
    if "integer" in types and value.isascii() and value.isdigit():
        return int(value)
    if "boolean" in types and value in {"true", "false"}:
        return value == "true"
    return value


def _form_data(model: type[Schema], request: HttpRequest) -> dict[str, Any]:
    return {
        name: _form_value(types, request.POST[name])
        for name, types in _property_types(model).items()
        if name in request.POST
    }


def read_body[M: Schema](
    request: HttpRequest, model: type[M], *, files: bool = True
) -> tuple[M, list[UploadedFile]]:
    """The validated fields and the attached files (multipart only) of the request."""
    media_type = _media_type(request)
    uploads: list[UploadedFile] = []
    try:
        if media_type == MULTIPART:
            data: Any = _form_data(model, request)
            if files:
                uploads = request.FILES.getlist(FILES_FIELD)
        elif media_type == JSON or media_type.endswith("+json"):
            try:
                data = json.loads(request.body or b"{}")
            except (ValueError, UnicodeDecodeError):
                raise UnreadableBody from None
        elif not request.body:
            data = {}
        else:
            raise UnsupportedBody
    except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent):
        raise BodyTooLarge from None
    except (MultiPartParserError, BadRequest, SuspiciousOperation):
        raise UnreadableBody from None
    try:
        return model.model_validate(data), uploads
    except ValidationError as error:
        raise NinjaValidationError(
            [
                {**detail, "loc": ("body", *detail["loc"])}
                for detail in error.errors(include_url=False)
            ]
        ) from None


def request_body(model: type[Schema], *, files: bool = True, examples: Any = None) -> Any:
    """The OpenAPI ``requestBody`` of an endpoint that reads ``model`` with ``read_body``."""
    BODY_MODELS[model.__name__] = model
    json_content: dict[str, Any] = {"schema": {"$ref": REF.format(model=model.__name__)}}
    if examples:
        json_content["examples"] = examples
    content: dict[str, Any] = {JSON: json_content}
    if files:
        form_name = f"{model.__name__}Files"
        form_schema = model.model_json_schema(
            ref_template=REF, schema_generator=NinjaGenerateJsonSchema
        )
        for name, definition in form_schema.pop("$defs", {}).items():
            FORM_DEFINITIONS[name] = definition
        form_schema["title"] = form_name
        form_schema["properties"][FILES_FIELD] = {
            "type": "array",
            "items": {"type": "string", "format": "binary"},
            "description": "Files, each as a part named `attachments`: only .jpg .jpeg .gif "
            ".png .pdf, checked by content too; at most the policy's count and size (defaults "
            "5 files, 10 MB each). A refused file: 415 (its type), 413 (its size) or 422.",
        }
        content[MULTIPART] = {"schema": form_schema}
    return {"requestBody": {"required": True, "content": content}}


__all__ = [
    "BODY_MODELS",
    "FORM_DEFINITIONS",
    "BodyTooLarge",
    "UnreadableBody",
    "UnsupportedBody",
    "read_body",
    "request_body",
]
