"""Where a webhook may go: http or https URLs without credentials, to public addresses only,
unless an administrator allowed the host (pure rules, plus the one DNS look-up).

The address check runs at every attempt on the addresses the sender then connects to, so a
name that resolves to a public address when the endpoint is saved and to 127.0.0.1 later
(DNS rebinding) is refused then.
"""

import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

SCHEMES = ("http", "https")
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class Refused(Exception):
    """The target may not be reached (scheme, credentials, a private address): sending
    again would be refused again, so the delivery fails without retry."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # lower case, IPv6 without brackets
    port: int
    path: str  # path and query, at least "/"


def host_normalize(host: str) -> str:
    """Lower case, no brackets or final dot; an IP address in its canonical form (so
    ``[0:0::1]`` and ``::1`` are one host)."""
    host = host.strip().strip("[]").rstrip(".").lower()
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return host


_HOST_NAME = re.compile(r"^[a-z0-9_-]+(\.[a-z0-9_-]+)*$")


def host_validate(host: str) -> None:
    """For the allowed host field: a host name or an IP address, nothing around it."""
    normal = host_normalize(host)
    try:
        ipaddress.ip_address(normal)
    except ValueError:
        if not _HOST_NAME.match(normal):
            raise ValidationError(
                _("Write a host name or an IP address, without scheme, port or path."),
                code="host",
            ) from None


def target_parse(url: str) -> Target:
    """The parts of a webhook URL, or Refused saying why it is not one."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise Refused(f"not a valid URL: {error}") from error
    if parts.scheme.lower() not in SCHEMES:
        raise Refused(f"scheme {parts.scheme!r} is not http or https")
    if parts.username is not None or parts.password is not None:
        raise Refused("the URL carries credentials")
    if not parts.hostname:
        raise Refused("the URL has no host")
    scheme = parts.scheme.lower()
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(
        scheme=scheme,
        host=host_normalize(parts.hostname),
        port=port or (443 if scheme == "https" else 80),
        path=path,
    )


def url_validate(url: str) -> None:
    """For the endpoint's URL field: the shape only (addresses are checked when sending)."""
    try:
        target_parse(url)
    except Refused as error:
        raise ValidationError(
            _("Use an http or https URL without a user name or password."), code="webhook_url"
        ) from error


def address_forbidden(ip: IPAddress) -> bool:
    """Private, loopback, link-local, multicast, reserved, unspecified or otherwise not
    global, also when an IPv6 address carries an IPv4 one (mapped, 6to4, NAT64)."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = [ip.ipv4_mapped, ip.sixtofour]
        if ip in _NAT64:
            embedded.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        if any(inner is not None and address_forbidden(inner) for inner in embedded):
            return True
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def addresses_check(target: Target, *, host_allowed: bool) -> list[str]:
    """Resolve the host (an IP literal resolves to itself) and return its addresses, in the
    resolver's order, for the sender to connect to; Refused if any of them is forbidden and
    the host is not allowed. A failed look-up raises OSError (worth a retry)."""
    found = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
    if not addresses:
        raise OSError(f"{target.host} has no address")
    if not host_allowed:
        for address in addresses:
            if address_forbidden(ipaddress.ip_address(address)):
                raise Refused(
                    f"{target.host} resolves to {address}, a private or reserved address "
                    "(add the host to the allowed hosts to reach it)"
                )
    return addresses
