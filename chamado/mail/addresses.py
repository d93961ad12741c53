"""Signed reply addresses: where an answer by email goes, and whether to trust it.

Every notice about a ticket carries ``Reply-To: <local>+<number>.<mac>@<domain>``, the
department's address with a tag. The mac is an HMAC (keyed by SECRET_KEY) of the ticket number
and the recipient's id, so a reply is trusted only when its sender is the person the notice was
sent to: a forwarded notice, a guessed number or a forged ``In-Reply-To`` never passes. Threading
headers and ``[#number]`` in a subject are hints only; they never replace this check."""

import hmac
import re
from dataclasses import dataclass
from email.utils import parseaddr

from django.conf import settings
from django.utils.crypto import salted_hmac

_SALT = "chamado.mail.reply-address"
MAC_LENGTH = 10
_TAG = re.compile(r"^(?P<local>[^+@]+)\+(?P<number>\d{4,9})\.(?P<mac>[0-9a-z]+)@(?P<domain>.+)$")


def _mac(number: int, recipient_id: int) -> str:
    digest = salted_hmac(_SALT, f"{number}:{recipient_id}", algorithm="sha256").hexdigest()
    return digest[:MAC_LENGTH]


def base_address(department_email: str = "") -> str:
    """The department's address, or the site's sender address (without a display name)."""
    return department_email or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def reply_address(*, number: int, recipient_id: int, department_email: str = "") -> str:
    """``support+592110.k3f9q2a8b1@mail.example.com`` for this ticket and recipient."""
    local, _at, domain = base_address(department_email).partition("@")
    return f"{local.split('+')[0]}+{number}.{_mac(number, recipient_id)}@{domain}"


@dataclass(frozen=True)
class ReplyTag:
    local: str  # the department's address before the tag: tells which department
    domain: str
    number: int
    mac: str

    @property
    def address(self) -> str:
        """The untagged address the tag was added to."""
        return f"{self.local}@{self.domain}"

    def valid_for(self, recipient_id: int) -> bool:
        """True when this tag was made for this ticket and this recipient (constant time)."""
        return hmac.compare_digest(self.mac, _mac(self.number, recipient_id))


def reply_tag(address: str) -> ReplyTag | None:
    """The tag of a (To or Delivered-To) address, or None when it carries none."""
    match = _TAG.match(parseaddr(address)[1].strip().lower())
    if match is None:
        return None
    return ReplyTag(
        local=match["local"],
        domain=match["domain"],
        number=int(match["number"]),
        mac=match["mac"],
    )
