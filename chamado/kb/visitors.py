"""Who a reader is, for counting views and votes once: a logged-in user, or an anonymous
visitor known by their session (only a hash of the session key is stored, never the key)."""

import hashlib
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Visitor:
    key: str  # "user:<id>" or "session:<sha256>": what views and votes are unique on
    user: Any = None  # the logged-in user, else None


def visitor_for(user: Any, session_key: str | None) -> Visitor | None:
    """None for an anonymous request without a session (nothing to count it by)."""
    if getattr(user, "is_authenticated", False):
        return Visitor(key=f"user:{user.pk}", user=user)
    if not session_key:
        return None
    digest = hashlib.sha256(session_key.encode()).hexdigest()[:56]
    return Visitor(key=f"session:{digest}")
