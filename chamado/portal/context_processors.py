"""Navigation state for the base template."""

from typing import Any

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, Any]:
    user: Any = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_may_use_tickets": user.may_use_tickets, "nav_is_client": user.is_client}
