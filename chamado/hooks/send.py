"""One signed POST to an address already checked: the standard library's http.client,
connected to the checked IP (never the name again), with the name in the Host header and,
for https, in SNI and the certificate check. Redirects are never followed."""

import contextlib
import hashlib
import hmac
import http.client
import socket
import ssl
import threading
import time
from dataclasses import dataclass

from chamado.hooks.guard import Target

USER_AGENT = "Chamado-Webhooks/1"
CONNECT_TIMEOUT = 5.0
TOTAL_TIMEOUT = 10.0
EXCERPT_BYTES = 2048


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """``v1=`` and the hex HMAC-SHA256, keyed by the secret, of ``{timestamp}.{body}``."""
    signed = f"{timestamp}.".encode() + body
    return "v1=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Answer:
    status: int
    excerpt: bytes  # the first EXCERPT_BYTES of the body
    location: str  # of a redirect, to say where it pointed


def _connect(addresses: list[str], port: int, deadline: float) -> socket.socket:
    """The first of the checked addresses that accepts, each given CONNECT_TIMEOUT at most."""
    error: OSError = OSError("no address to connect to")
    for address in addresses:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        try:
            sock = socket.create_connection((address, port), timeout=min(CONNECT_TIMEOUT, left))
        except OSError as failed:
            error = failed
            continue
        sock.settimeout(max(deadline - time.monotonic(), 0.01))
        return sock
    raise error


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, target: Target, addresses: list[str], deadline: float) -> None:
        super().__init__(target.host, target.port)
        self.addresses, self.deadline = addresses, deadline

    def connect(self) -> None:
        self.sock = _connect(self.addresses, self.port, self.deadline)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, target: Target, addresses: list[str], deadline: float) -> None:
        self.tls = ssl.create_default_context()
        super().__init__(target.host, target.port, context=self.tls)
        self.addresses, self.deadline = addresses, deadline

    def connect(self) -> None:
        sock = _connect(self.addresses, self.port, self.deadline)
        self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)


def post(
    target: Target,
    addresses: list[str],
    *,
    body: bytes,
    headers: dict[str, str],
    total_timeout: float = TOTAL_TIMEOUT,
) -> Answer:
    """POST ``body`` to ``target`` through one of ``addresses``; raises OSError (timeouts
    included) when no answer came within ``total_timeout``."""
    deadline = time.monotonic() + total_timeout
    connection_class = _PinnedHTTPS if target.scheme == "https" else _PinnedHTTP
    connection = connection_class(target, addresses, deadline)
    expired = threading.Event()

    def expire() -> None:  # a server that trickles bytes still stops at the deadline
        expired.set()
        if connection.sock is not None:
            with contextlib.suppress(OSError):
                connection.sock.shutdown(socket.SHUT_RDWR)

    timer = threading.Timer(total_timeout, expire)
    timer.daemon = True
    timer.start()
    try:
        connection.request(
            "POST",
            target.path,
            body=body,
            headers={
                **headers,
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                "Connection": "close",
            },
        )
        response = connection.getresponse()
        excerpt = response.read(EXCERPT_BYTES)
        return Answer(response.status, excerpt, response.getheader("Location") or "")
    except (OSError, http.client.HTTPException) as error:
        if expired.is_set():
            raise TimeoutError(f"no answer within {total_timeout:g} s") from error
        if isinstance(error, OSError):
            raise
        raise OSError(f"{type(error).__name__}: {error}") from error
    finally:
        timer.cancel()
        connection.close()
