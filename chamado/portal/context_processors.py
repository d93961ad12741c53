"""Navigation state and the chosen theme for the base template."""

from typing import Any

from django.http import HttpRequest

from chamado.portal.theme import theme_chosen


def navigation(request: HttpRequest) -> dict[str, Any]:
    context: dict[str, Any] = {"theme": theme_chosen(request)}
    user: Any = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context
    context["nav_may_use_tickets"] = user.may_use_tickets
    context["nav_is_client"] = user.is_client
    return context
