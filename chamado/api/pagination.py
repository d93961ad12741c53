"""Cursor pagination for the API's lists: an opaque ``cursor`` leads to the next page.

A cursor holds the sort key of the last item sent (signed, so a changed or foreign one is
refused with 422, never read): the next page is the items after it in the list's own order,
found with a WHERE on the ordering columns (the indexes the lists already use), never an
OFFSET that reads and drops every earlier row. A ticket that moves while someone pages (new
activity) is not shown twice on the pages already read. ``next`` is the absolute URL of the
next page with the same filters, or null on the last page."""

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core import signing
from django.db.models import F, Model, OrderBy, Q, QuerySet
from django.http import HttpRequest
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from ninja.errors import ValidationError

CURSOR_MAX_LENGTH = 500
PAGE_SIZE_MAX = 100


@dataclass(frozen=True)
class _Key:
    field: str
    descending: bool
    nulls_last: bool  # only said of nullable columns (queue_for_agent's waiting_since)


def _keys(queryset: QuerySet[Any]) -> list[_Key]:
    keys = []
    for entry in queryset.query.order_by:
        if isinstance(entry, str):
            keys.append(_Key(entry.lstrip("-"), entry.startswith("-"), False))
        elif isinstance(entry, OrderBy) and isinstance(entry.expression, F):
            name = str(entry.expression.name)  # type: ignore[attr-defined]
            keys.append(_Key(name, entry.descending, bool(entry.nulls_last)))
        else:  # pragma: no cover - the lists order by columns only
            raise TypeError(f"cannot page on {entry!r}")
    return keys


def _attribute(item: Model, field: str) -> Any:
    return item.pk if field == "pk" else getattr(item, field)


def _encode(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _decode(model: type[Model], field: str, value: Any) -> Any:
    if value is None:
        return None
    name = model._meta.pk.name if field == "pk" else field
    internal = model._meta.get_field(name).get_internal_type()
    if internal in {"DateTimeField"}:
        parsed = parse_datetime(value) if isinstance(value, str) else None
        if parsed is None:
            raise ValueError(field)
        return parsed
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(field)
    return value


def _after(keys: list[_Key], values: list[Any]) -> Q:
    """The rows after ``values`` in the order of ``keys``: for each key, the earlier keys
    equal and this one past its value (NULLs where nulls_last puts them)."""
    condition = Q(pk__in=[])
    equal = Q()
    for key, value in zip(keys, values, strict=True):
        if value is None:
            past = Q(pk__in=[]) if key.nulls_last else Q(**{f"{key.field}__isnull": False})
            same = Q(**{f"{key.field}__isnull": True})
        else:
            past = Q(**{f"{key.field}__{'lt' if key.descending else 'gt'}": value})
            if key.nulls_last:
                past |= Q(**{f"{key.field}__isnull": True})
            same = Q(**{key.field: value})
        condition |= equal & past
        equal &= same
    return condition


def _invalid() -> ValidationError:
    return ValidationError(
        [
            {
                "loc": ("query", "cursor"),
                "type": "cursor",
                "msg": "invalid cursor",
                "message": _("This cursor is not valid here; start again without one."),
            }
        ]
    )


def page(
    request: HttpRequest,
    queryset: QuerySet[Any],
    *,
    list_name: str,
    cursor: str | None,
    page_size: int,
    count: int | None = None,
) -> dict[str, Any]:
    """One page of ``queryset`` (ordered by columns, the primary key last) after ``cursor``.
    ``count`` (all matching items) is counted here unless given."""
    keys = _keys(queryset)
    salt = f"chamado.api.cursor.{list_name}"
    items_query = queryset
    if cursor:
        try:
            values = signing.loads(cursor, salt=salt)
            if not isinstance(values, list) or len(values) != len(keys):
                raise ValueError("length")
            decoded = [
                _decode(queryset.model, key.field, value)
                for key, value in zip(keys, values, strict=True)
            ]
        except (signing.BadSignature, ValueError, TypeError, json.JSONDecodeError):
            raise _invalid() from None
        items_query = queryset.filter(_after(keys, decoded))
    if count is None:
        count = queryset.count()
    items = list(items_query[: page_size + 1])
    next_cursor = next_url = None
    if len(items) > page_size:
        items = items[:page_size]
        last = items[-1]
        next_cursor = signing.dumps(
            [_encode(_attribute(last, key.field)) for key in keys], salt=salt, compress=True
        )
        query = request.GET.copy()
        query["cursor"] = next_cursor
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return {
        "count": count,
        "page_size": page_size,
        "next": next_url,
        "next_cursor": next_cursor,
        "items": items,
    }


__all__ = ["CURSOR_MAX_LENGTH", "PAGE_SIZE_MAX", "page"]
