"""The desk menu: the agent's departments with their awaiting-ticket counts."""

from typing import Any

from django.http import HttpRequest

from chamado.tickets.access import departments_for_agent
from chamado.tickets.selectors import queue_counts_for_agent


def desk_navigation(request: HttpRequest) -> dict[str, Any]:
    user: Any = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_agent:
        return {}
    match = getattr(request, "resolver_match", None)
    if match is None or match.namespace != "desk":
        return {"nav_is_agent": True}
    counts = queue_counts_for_agent(user)
    queues = [
        {"department": department, "count": counts.get(department.pk, 0)}
        for department in departments_for_agent(user).order_by("position", "name")
    ]
    return {"nav_is_agent": True, "desk_queues": queues, "desk_total": sum(counts.values())}
