"""The desk menu: the agent's departments with their awaiting-ticket counts."""

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from chamado.tickets.models import Department
from chamado.tickets.selectors import department_list_for_desk, queue_counts_for_agent


def desk_departments(request: HttpRequest) -> list[Department]:
    """Every department, with ``is_mine``, read once per request: the menu and the page (the
    queue's filter, transfers, the names in a timeline) share the one query."""
    departments: list[Department] | None = getattr(request, "_desk_departments", None)
    if departments is None:
        departments = department_list_for_desk(request.user)
        setattr(request, "_desk_departments", departments)  # noqa: B010
    return departments


def desk_queue_counts(request: HttpRequest) -> dict[int, int]:
    """Awaiting tickets per department of the agent, counted once per request (the menu and
    the dashboard share it)."""
    counts: dict[int, int] | None = getattr(request, "_desk_queue_counts", None)
    if counts is None:
        counts = queue_counts_for_agent(request.user)
        setattr(request, "_desk_queue_counts", counts)  # noqa: B010
    return counts


def desk_navigation(request: HttpRequest) -> dict[str, Any]:
    user: Any = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_agent:
        return {}
    match = getattr(request, "resolver_match", None)
    if match is None or match.namespace != "desk":
        return {"nav_is_agent": True}

    # Lazy: the awaiting counts cost a query, read only when a template shows the menu (a
    # fragment the page polls, such as the presence line, never does).
    def queues() -> list[dict[str, Any]]:
        counts = desk_queue_counts(request)
        return [
            {"department": department, "count": counts.get(department.pk, 0)}
            for department in desk_departments(request)
            if department.is_mine  # type: ignore[attr-defined]
        ]

    return {
        "nav_is_agent": True,
        "desk_queues": SimpleLazyObject(queues),
        "desk_total": SimpleLazyObject(lambda: sum(desk_queue_counts(request).values())),
    }
