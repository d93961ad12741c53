"""Agents and administrators reach the desk and the admin only after a second factor."""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from chamado.accounts.two_factor import two_factor_passed, two_factor_required, two_factor_types

# The URL namespaces only staff may use (the desk and the admin site).
STAFF_NAMESPACES = frozenset({"desk", "admin"})


class TwoFactorRequiredMiddleware:
    """When two-factor sign-in is required of the user (accounts.two_factor), a session that
    has not shown a second factor is sent to enrol one, or, when one is set up, to confirm it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        if match is None or not STAFF_NAMESPACES.intersection(match.namespaces):
            return None
        user: Any = request.user
        if not two_factor_required(user) or two_factor_passed(request):
            return None
        types = two_factor_types(user)
        if not types:
            messages.info(
                request,
                _(
                    "Agents and administrators sign in with a second factor. Set up an "
                    "authenticator app (or a passkey) to go on."
                ),
            )
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        messages.info(request, _("Confirm your second factor to go on."))
        confirm = "mfa_reauthenticate" if "totp" in types else "mfa_reauthenticate_webauthn"
        query = urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(f"{reverse(confirm)}?{query}")
