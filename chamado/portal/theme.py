"""The light / dark / system switch: a cookie the server reads to render <html data-theme>
(no flash of the wrong theme, no inline script), set by a small POST form that works without
JavaScript; app.js sets the same cookie and attribute without reloading the page."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from chamado.web.redirects import local_path

COOKIE = "chamado_theme"
CHOICES = ("light", "dark", "system")
COOKIE_AGE = 365 * 24 * 3600


def theme_chosen(request: HttpRequest) -> str:
    """ "light" or "dark" when the person chose one, else "system" (follow the device)."""
    value = request.COOKIES.get(COOKIE, "")
    return value if value in ("light", "dark") else "system"


@require_POST
def theme_set(request: HttpRequest) -> HttpResponse:
    choice = request.POST.get("theme", "")
    response = redirect(local_path(request.POST.get("next")) or "/")
    if choice in ("light", "dark"):
        # Not HttpOnly: app.js writes the same cookie when the switch is used with JavaScript.
        response.set_cookie(
            COOKIE,
            choice,
            max_age=COOKIE_AGE,
            samesite="Lax",
            secure=request.is_secure(),
            httponly=False,
        )
    elif choice == "system":
        response.delete_cookie(COOKIE, samesite="Lax")
    return response
