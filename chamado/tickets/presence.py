"""Which agents have a ticket open right now (kept in the cache, shared by all processes)."""

import time
from typing import Any

from chamado.core.cache import cache_get, cache_set

PRESENCE_SECONDS = 45


def _key(ticket_id: int) -> str:
    return f"presence:ticket:{ticket_id}"


def presence_touch(ticket_id: int, agent: Any) -> list[str]:
    """Mark the agent as looking at the ticket; returns the names of the others there."""
    now = time.time()
    seen: dict[str, tuple[str, float]] = cache_get(_key(ticket_id)) or {}
    seen = {pk: entry for pk, entry in seen.items() if now - entry[1] < PRESENCE_SECONDS}
    seen[str(agent.pk)] = (agent.full_name or agent.email, now)
    cache_set(_key(ticket_id), seen, PRESENCE_SECONDS * 2)
    return sorted(name for pk, (name, _at) in seen.items() if pk != str(agent.pk))
