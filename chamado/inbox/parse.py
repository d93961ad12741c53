"""Reading one inbound email with the standard ``email`` package: its addresses, its text in
any charset, its files, and whether a machine sent it. Pure: no database, and it never raises
on what a message holds (an unreadable one says why in ``error``)."""

import codecs
import hashlib
import mimetypes
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr
from pathlib import PurePosixPath
from typing import Any

from chamado.core.text import body_clean, single_line
from chamado.inbox.text import html_text, reply_text

# Why a machine sent it: such mail never opens or extends a ticket, and is never answered.
AUTO_REPLY = "auto_reply"
BOUNCE = "bounce"

_BULK_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply"})
_AUTO_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress")
_BOUNCE_SENDERS = frozenset({"mailer-daemon", "postmaster"})
_TICKET_HINT = re.compile(r"\[#\d{4,9}\]")
_MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
# Labelled ASCII or Latin-1, 8-bit mail is most often Windows-1252 (browsers read it so too).
_WESTERN = frozenset({"us-ascii", "ascii", "iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1"})


@dataclass(frozen=True)
class InboundFile:
    name: str
    content: bytes
    content_type: str  # as the mail declares it; the upload rules sniff the real one


@dataclass(frozen=True)
class ParsedEmail:
    key: str  # SHA-256 of the Message-ID, or of the content when there is none
    message_id: str = ""
    sender: str = ""  # the one From address, lower case; "" when missing or several
    sender_name: str = ""
    recipients: tuple[str, ...] = ()  # envelope, Delivered-To, X-Original-To, To, Cc
    subject: str = ""
    text: str = ""  # the whole body as text
    reply: str = ""  # without quoted history and signature
    files: tuple[InboundFile, ...] = ()
    references: tuple[str, ...] = ()  # In-Reply-To and References, without <>
    machine: str = ""  # AUTO_REPLY, BOUNCE or ""
    machine_sign: str = ""  # the header that tells, for the log
    chamado_header: bool = False  # X-Chamado-Ticket: one of Chamado's own emails
    spoofed: bool = False  # the receiving server says the sender's domain failed
    error: str = ""  # why it could not be read; "" when it could

    @property
    def ticket_hint(self) -> bool:
        """[#number] in the subject: a hint only, never a route."""
        return bool(_TICKET_HINT.search(self.subject))

    def message_id_domain(self) -> str:
        return self.message_id.rpartition("@")[2].lower()


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:
        return ""
    return "" if value is None else single_line(str(value))


def _headers(message: Message, name: str) -> list[str]:
    try:
        values = message.get_all(name) or []
    except Exception:
        return []
    return [str(value) for value in values]


def _addresses(message: Message, name: str) -> list[tuple[str, str]]:
    """(display name, address) of every address of these headers; bad ones left out."""
    found: list[tuple[str, str]] = []
    for value in _headers(message, name):
        parsed = getattr(value, "addresses", None)
        if parsed:
            found += [(a.display_name, a.addr_spec) for a in parsed if a.username and a.domain]
        else:
            found += [(n, a) for n, a in getaddresses([str(value)]) if "@" in a]
    return [(single_line(n), single_line(a).lower()) for n, a in found]


def decode_text(payload: bytes, charset: str | None) -> str:
    """Bytes of a text part in its declared charset; a wrong or unknown label falls back to
    UTF-8, then Windows-1252, so no byte is lost to an exception."""
    label = (charset or "").strip().strip('"').lower()
    if not label or label in _WESTERN:
        try:
            return payload.decode("utf-8")
        except UnicodeDecodeError:
            pass
        try:
            return payload.decode("cp1252")
        except UnicodeDecodeError:
            return payload.decode("latin-1")
    try:
        codecs.lookup(label)
    except LookupError:
        try:
            return payload.decode("utf-8")
        except UnicodeDecodeError:
            return payload.decode("cp1252", errors="replace")
    try:
        return payload.decode(label)
    except UnicodeDecodeError:
        return payload.decode(label, errors="replace")


def _payload(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        return b""
    return data if isinstance(data, bytes) else b""


def _part_text(part: Message) -> str:
    text = decode_text(_payload(part), part.get_content_charset())
    return html_text(text) if part.get_content_subtype() == "html" else text


def _leaves(message: Message) -> Iterator[Message]:
    """Every leaf part; an attached message (message/rfc822) is one leaf, not its parts."""
    if message.is_multipart() and message.get_content_maintype() == "multipart":
        for part in message.get_payload():  # type: ignore[union-attr]
            if isinstance(part, Message):
                yield from _leaves(part)
    else:
        yield message


def _file_name(part: Message, number: int) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:
        name = ""
    name = single_line(PurePosixPath(str(name).replace("\\", "/")).name)
    if not name and part.get_content_type() == "message/rfc822":
        name = "message.eml"
    if not name:
        extension = mimetypes.guess_extension(part.get_content_type()) or ".bin"
        name = f"attachment-{number}{extension}"
    return name[-200:]


def _body_and_files(message: EmailMessage) -> tuple[str, list[InboundFile]]:
    body: Message | None = None
    try:
        body = message.get_body(preferencelist=("plain", "html"))
        if (
            body is not None
            and body.get_content_subtype() == "plain"
            and not _part_text(body).strip()
        ):
            body = message.get_body(preferencelist=("html",)) or body
    except Exception:
        body = None
    files: list[InboundFile] = []
    for part in _leaves(message):
        if part is body:
            continue
        disposition = (part.get_content_disposition() or "").lower()
        has_name = bool(
            part.get_param("name") or part.get_param("filename", header="content-disposition")
        )
        if part.get_content_maintype() == "text" and not has_name and disposition != "attachment":
            continue  # the other form of the body (multipart/alternative)
        if part.get_content_type() == "message/rfc822":
            inner = part.get_payload()
            attached = inner[0] if isinstance(inner, list) and inner else None
            content = attached.as_bytes() if isinstance(attached, Message) else _payload(part)
        else:
            content = _payload(part)
        files.append(
            InboundFile(
                name=_file_name(part, len(files) + 1),
                content=content,
                content_type=part.get_content_type(),
            )
        )
    text = _part_text(body) if body is not None else ""
    if body is None and not message.is_multipart():
        text = decode_text(_payload(message), message.get_content_charset())
    return body_clean(text), files


def _machine(message: Message, sender: str, return_path: str) -> tuple[str, str]:
    """(AUTO_REPLY or BOUNCE, the header that tells), or ("", "") for mail a person wrote."""
    if message.get_content_type() == "multipart/report":
        return BOUNCE, f"Content-Type: {message.get_content_type()}"
    if sender.partition("@")[0] in _BOUNCE_SENDERS:
        return BOUNCE, f"From: {sender}"
    if return_path.strip() == "<>":
        return BOUNCE, "Return-Path: <>"
    auto = _header(message, "Auto-Submitted")
    if auto and auto.split(";")[0].strip().lower() != "no":
        return AUTO_REPLY, f"Auto-Submitted: {auto}"
    precedence = _header(message, "Precedence")
    if precedence.lower() in _BULK_PRECEDENCE:
        return AUTO_REPLY, f"Precedence: {precedence}"
    for name in _AUTO_HEADERS:
        if message.get(name) is not None:
            return AUTO_REPLY, f"{name}: {_header(message, name)}"
    return "", ""


_AUTH_FAIL = re.compile(r"\bdmarc\s*=\s*fail\b", re.IGNORECASE)


def _spoofed(message: Message) -> bool:
    """The receiving server's verdict (Authentication-Results): only a failure is used, so a
    forged header can harm nobody but its forger."""
    return any(_AUTH_FAIL.search(value) for value in _headers(message, "Authentication-Results"))


def _message_ids(values: list[str]) -> tuple[str, ...]:
    found: list[str] = []
    for value in values:
        found += _MESSAGE_ID.findall(value)
    return tuple(dict.fromkeys(found))


def _content_key(raw: bytes, message: Message | None) -> str:
    """For mail without a Message-ID: what its sender wrote (addresses, date, subject, body),
    not the trace headers each path adds (Received, Delivered-To, Return-Path)."""
    _head, _sep, body = raw.replace(b"\r\n", b"\n").partition(b"\n\n")
    if message is None or not message.keys():
        body = raw
    parts = [
        _header(message, name) if message is not None else ""
        for name in ("From", "To", "Cc", "Date", "Subject")
    ]
    digest = hashlib.sha256("\n".join(["content", *parts]).encode("utf-8", "replace"))
    digest.update(b"\n\n" + b"\n".join(line.rstrip() for line in body.split(b"\n")).strip())
    return digest.hexdigest()


def message_key(message_id: str) -> str:
    return hashlib.sha256(f"message-id:{message_id}".encode("utf-8", "replace")).hexdigest()


def email_parse(raw: bytes, *, envelope_recipient: str = "") -> ParsedEmail:
    """Everything Chamado reads from one raw email."""
    try:
        message: Any = message_from_bytes(raw, policy=policy.default)
    except Exception as error:  # the parser is lenient; this is a last resort
        return ParsedEmail(key=_content_key(raw, None), error=f"{type(error).__name__}: {error}")
    if not message.keys():
        return ParsedEmail(
            key=_content_key(raw, None),
            error="no header could be read",
            text=body_clean(decode_text(raw[:100_000], None)),
        )
    ids = _message_ids(_headers(message, "Message-ID"))
    message_id = ids[0] if ids else ""
    key = message_key(message_id) if message_id else _content_key(raw, message)
    senders = _addresses(message, "From")
    sender_name, sender = senders[0] if len(senders) == 1 else ("", "")
    recipients = [envelope_recipient.strip().lower()] if envelope_recipient.strip() else []
    for name in ("Delivered-To", "X-Original-To"):
        recipients += [parseaddr(value)[1].lower() for value in _headers(message, name)]
    recipients += [address for _name, address in _addresses(message, "To")]
    recipients += [address for _name, address in _addresses(message, "Cc")]
    subject = _header(message, "Subject")
    try:
        text, files = _body_and_files(message)
    except Exception as error:
        return ParsedEmail(
            key=key,
            message_id=message_id,
            sender=sender,
            subject=subject,
            error=f"{type(error).__name__}: {error}",
        )
    machine, machine_sign = _machine(message, sender, _header(message, "Return-Path"))
    return ParsedEmail(
        key=key,
        message_id=message_id,
        sender=sender,
        sender_name=sender_name,
        recipients=tuple(dict.fromkeys(r for r in recipients if r)),
        subject=subject,
        text=text,
        reply=reply_text(text, subject=subject),
        files=tuple(files),
        references=_message_ids(_headers(message, "In-Reply-To") + _headers(message, "References")),
        machine=machine,
        machine_sign=machine_sign[:200],
        chamado_header=message.get("X-Chamado-Ticket") is not None,
        spoofed=_spoofed(message),
    )
