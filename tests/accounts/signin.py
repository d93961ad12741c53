"""Signing in from a test: the login form as a browser posts it, from a chosen address, and
TOTP codes computed the way an authenticator app does (RFC 6238: HMAC-SHA1, 30 s, 6 digits)."""

import base64
import hashlib
import hmac
import struct
import time
from typing import Any

from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse

ADDRESS = "203.0.113.10"


def log_in(client: Any, email: str, password: str, address: str = ADDRESS, **extra: Any) -> Any:
    return client.post(
        reverse("login"), {"login": email, "password": password}, REMOTE_ADDR=address, **extra
    )


def totp_code(secret: str, at: float | None = None) -> str:
    """What an authenticator app shows for ``secret`` at ``at`` (now by default)."""
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(base64.b32decode(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def totp_enrol(user: Any) -> tuple[str, list[str]]:
    """An authenticator app and recovery codes set up for ``user`` (as the enrol pages leave
    them); returns the app's secret and the recovery codes."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    codes = RecoveryCodes.activate(user)
    return secret, codes.generate_codes()
