"""The upload corpus: every refused kind with its message, every accepted kind, and the order
of the checks (nothing is decoded before the cheap checks of the whole request passed)."""

import html
import http.cookiejar
import re
import struct
import threading
import urllib.error
import urllib.parse
import urllib.request
import zlib
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from chamado.core.errors import ApplicationError
from chamado.tickets.actions import ticket_reply_by_client, uploads_check
from chamado.tickets.models import Attachment, Policy
from chamado.tickets.uploads import upload_name
from tests import factories

BODY = "The screenshots of the error are attached, with the log."


def png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` by ``height`` pixels: what a decompression bomb of a
    few hundred KB looks like before anything is decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 4096)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def pdf(*objects: bytes) -> bytes:
    body = b"%PDF-1.4\n" + b"\n".join(objects) + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    return body


CATALOG = b"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj"
PAGES = b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj"


def compressed_stream(data: bytes) -> bytes:
    packed = zlib.compress(data)
    return (
        b"5 0 obj<</Type/ObjStm/N 1/First 4/Filter/FlateDecode/Length "
        + str(len(packed)).encode()
        + b">>stream\n"
        + packed
        + b"\nendstream endobj"
    )


REFUSED: dict[str, tuple[str, bytes, str]] = {
    "bomb 13000 x 13000": ("bomb.png", png_header(13_000, 13_000), "too large an image"),
    "bomb 7000 x 7000": ("big.png", png_header(7_000, 7_000), "7000 × 7000 pixels"),  # noqa: RUF001
    "pdf OpenAction JavaScript": (
        "invoice.pdf",
        pdf(
            b"1 0 obj<</Type/Catalog/Pages 2 0 R/OpenAction 3 0 R>>endobj",
            PAGES,
            b"3 0 obj<</S/JavaScript/JS(app.alert('hi'))>>endobj",
        ),
        "scripts, actions or embedded files",
    ),
    "pdf escaped name": (
        "escaped.pdf",
        pdf(CATALOG, PAGES, b"3 0 obj<</S/J#61vaScript/JS(x)>>endobj"),
        "scripts, actions or embedded files",
    ),
    "pdf launch": (
        "launch.pdf",
        pdf(CATALOG, PAGES, b"3 0 obj<</S/Launch/F(cmd.exe)>>endobj"),
        "scripts, actions or embedded files",
    ),
    "pdf embedded file": (
        "carrier.pdf",
        pdf(CATALOG, PAGES, b"3 0 obj<</Names<</EmbeddedFiles 4 0 R>>>>endobj"),
        "scripts, actions or embedded files",
    ),
    "pdf script in an object stream": (
        "hidden.pdf",
        pdf(CATALOG, PAGES, compressed_stream(b"3 0 <</S/JavaScript/JS(app.alert(1))>>")),
        "scripts, actions or embedded files",
    ),
    "exe named pdf": ("report.pdf", b"MZ\x90\x00" + b"\x00" * 200, "not really a .pdf"),
    "traversal name": ("../../etc/passwd", b"root:x:0:0", "not an allowed type"),
    "svg with script": ("logo.svg", b"<svg onload=alert(1)></svg>", "not an allowed type"),
    "html named png": ("page.png", b"<html><script>alert(1)</script></html>", "not really a .png"),
}


@pytest.mark.parametrize(("name", "content", "reason"), REFUSED.values(), ids=REFUSED.keys())
def test_refused_kind(name: str, content: bytes, reason: str, db: None) -> None:
    with pytest.raises(ApplicationError) as refused:
        uploads_check([factories.upload(name, content)], policy=Policy.current())
    message = refused.value.message
    assert upload_name(name) in message and reason in message


ACCEPTED = {
    "png": ("screen.png", factories.png_bytes((64, 48))),
    "jpeg": ("photo.jpg", factories.jpeg_bytes()),
    "gif": ("anim.gif", factories.gif_bytes()),
    "pdf": ("invoice.pdf", factories.PDF_BYTES),
    "pdf compressed page": ("page.pdf", pdf(CATALOG, PAGES, compressed_stream(b"BT /F1 12 Tf ET"))),
    "image at the pixel cap": ("wide.png", factories.png_bytes((4000, 2500))),
}


@pytest.mark.parametrize(("name", "content"), ACCEPTED.values(), ids=ACCEPTED.keys())
def test_accepted_kind(name: str, content: bytes, db: None) -> None:
    policy = Policy.current()
    policy.image_max_megapixels = 10
    policy.save()
    assert uploads_check([factories.upload(name, content)], policy=policy)


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("a" * 300 + ".pdf", "a" * 196 + ".pdf"),
        ("relatório\u202efdp.exe.png", "relatório fdp.exe.png"),
        ("C:\\Users\\ana\\scan\n.jpg", "scan .jpg"),
        ("../../secret.png", "secret.png"),
        ("", "file"),
    ],
)
def test_names_keep_their_extension_and_lose_what_misleads(name: str, kept: str) -> None:
    assert upload_name(name) == kept


def test_five_bombs_are_refused_by_their_headers_before_anything_is_decoded(
    owner: Any, ticket: Any
) -> None:
    client = Client()
    client.force_login(owner)
    files = [factories.upload(f"bomb{n}.png", png_header(13_000, 13_000)) for n in range(5)]
    response = client.post(
        reverse("portal:ticket", args=[ticket.number]), {"message": BODY, "attachments": files}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert all(f"bomb{n}.png" in page for n in range(5))
    assert "too large an image" in page and "the limit is 40 megapixels" in page
    # Nothing was decoded: the content check marks every upload it decodes.
    assert not any(getattr(f, "_chamado_content_checked", False) for f in files)
    assert ticket.messages.count() == 1


def test_the_flood_guard_refuses_before_an_image_is_decoded(owner: Any, ticket: Any) -> None:
    policy = Policy.current()
    policy.flood_max_messages = 1  # the opening message filled the window
    policy.save()
    upload = factories.upload("screen.png", factories.png_bytes())
    with pytest.raises(ApplicationError, match="wait for our answer"):
        ticket_reply_by_client(actor=owner, ticket=ticket, body=BODY, files=[upload])
    assert not getattr(upload, "_chamado_content_checked", False)


def test_an_accepted_image_is_decoded_once(owner: Any, ticket: Any) -> None:
    upload = factories.upload("screen.png", factories.png_bytes())
    outcome = ticket_reply_by_client(actor=owner, ticket=ticket, body=BODY, files=[upload])
    assert getattr(upload, "_chamado_content_checked", False)
    assert Attachment.objects.filter(message=outcome.message).count() == 1


def test_a_body_larger_than_any_form_is_refused_unread(owner: Any, ticket: Any) -> None:
    client = Client()
    client.force_login(owner)
    limit = Policy.current().request_max_bytes
    url = reverse("portal:ticket", args=[ticket.number])
    response = client.post(
        url,
        data=b"x",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(limit + 1),
    )
    assert response.status_code == 413
    assert "too large" in response.content.decode()

    api = Client().post(
        "/api/v1/tickets",
        data=b"{}",
        content_type="application/json",
        CONTENT_LENGTH=str(limit + 1),
    )
    assert api.status_code == 413 and api.json()["detail"] == "The request body is too large."


def multipart(fields: dict[str, str], files: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = "chamado-bomb-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    for name, content in files:
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; '
            f'filename="{name}"\r\nContent-Type: image/png\r\n\r\n'
        )
        parts.append(head.encode() + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), boundary


@pytest.mark.django_db(transaction=True)
def test_bombs_are_refused_while_a_login_page_answers(live_server: Any, owner: Any) -> None:
    """Two threads against a real server: five 13,000 x 13,000 PNGs in one reply, and the login
    page asked for at the same time. The bombs are refused by their headers; both answer."""
    ticket = factories.open_ticket(owner)
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page_url = live_server.url + reverse("portal:ticket", args=[ticket.number])
    login = browser.open(live_server.url + reverse("login")).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login)
    assert token is not None
    credentials = {"login": owner.email, "password": factories.PASSWORD}
    browser.open(
        live_server.url + reverse("login"),
        urllib.parse.urlencode({**credentials, "csrfmiddlewaretoken": token[1]}).encode(),
    )
    form_token = re.search(
        r'name="csrfmiddlewaretoken" value="([^"]+)"', browser.open(page_url).read().decode()
    )
    assert form_token is not None
    body, boundary = multipart(
        {"csrfmiddlewaretoken": form_token[1], "message": BODY},
        [(f"bomb{n}.png", png_header(13_000, 13_000)) for n in range(5)],
    )
    bomb = urllib.request.Request(
        page_url,
        data=body,
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Referer": page_url,
        },
    )
    answers: dict[str, tuple[int, str]] = {}
    start = threading.Barrier(2)

    def ask(name: str, request: Any, opener: Any) -> None:
        start.wait()
        try:
            with opener.open(request) as response:
                answers[name] = (response.status, response.read().decode())
        except urllib.error.HTTPError as error:
            answers[name] = (error.code, error.read().decode())

    threads = [
        threading.Thread(target=ask, args=("bombs", bomb, browser)),
        threading.Thread(
            target=ask,
            args=("login", live_server.url + reverse("login"), urllib.request.build_opener()),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert answers["login"][0] == 200
    status, page = answers["bombs"]
    assert status == 400 and all(f"bomb{n}.png" in html.unescape(page) for n in range(5))
    assert "too large an image" in html.unescape(page)
    assert ticket.messages.count() == 1
