"""Who must sign in with a second factor, and whether this session has shown one."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest

# The user whose second factor this session has seen (a code, a recovery code, a passkey, or
# the code that enrolled an authenticator app). A login flushes or keeps it with the session.
SESSION_KEY = "chamado_two_factor_user"
FACTOR_TYPES = ("totp", "webauthn")  # recovery codes only stand in for these


def two_factor_required(user: Any) -> bool:
    """Agents and administrators, while settings.CHAMADO_REQUIRE_2FA is on; clients may."""
    return bool(
        settings.CHAMADO_REQUIRE_2FA
        and user.is_authenticated
        and (user.is_agent or user.is_staff or user.is_superuser)
    )


def two_factor_types(user: Any) -> set[str]:
    """The second factors ``user`` has set up (of "totp", "webauthn")."""
    from allauth.mfa.models import Authenticator

    return set(
        Authenticator.objects.filter(user_id=user.pk, type__in=FACTOR_TYPES).values_list(
            "type", flat=True
        )
    )


def two_factor_passed(request: HttpRequest) -> bool:
    user: Any = request.user
    return request.session.get(SESSION_KEY) == str(user.pk)


def two_factor_mark(request: HttpRequest, user: Any) -> None:
    request.session[SESSION_KEY] = str(user.pk)
