"""Where a form may send the browser back to: a path of this site, never another host."""

from django.utils.http import url_has_allowed_host_and_scheme


def local_path(target: str | None) -> str | None:
    """``target`` when it is a path of this site (no scheme, no host, not ``//host``), else
    None: a posted ``next`` never leads elsewhere."""
    if target and target.startswith("/") and url_has_allowed_host_and_scheme(target, None):
        return target
    return None
