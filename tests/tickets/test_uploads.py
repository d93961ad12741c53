"""The attachment check: extension and content must agree."""

import pytest

from chamado.tickets.uploads import (
    ALLOWED_LIST,
    UploadRefused,
    upload_check,
    upload_content_check,
)
from tests import factories

LIMIT = 10 * 1024 * 1024
PIXELS = 40_000_000


def check(upload, max_bytes: int = LIMIT) -> str:  # type: ignore[no-untyped-def]
    """Both steps, as an action runs them: the cheap checks, then the content."""
    content_type = upload_check(upload, max_bytes=max_bytes, max_pixels=PIXELS)
    upload_content_check(upload, content_type)
    return content_type


ALLOWED_TYPES_TEXT = ".jpg .jpeg .gif .png .pdf"


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("photo.jpg", factories.jpeg_bytes(), "image/jpeg"),
        ("photo.JPEG", factories.jpeg_bytes(), "image/jpeg"),
        ("anim.gif", factories.gif_bytes(), "image/gif"),
        ("screen.png", factories.png_bytes(), "image/png"),
        ("invoice.pdf", factories.PDF_BYTES, "application/pdf"),
    ],
)
def test_real_files_of_allowed_types_are_accepted(name, content, expected) -> None:
    assert check(factories.upload(name, content)) == expected


REFUSED = {
    "windows program": ("setup.exe", b"MZ\x90\x00" + b"\x00" * 100),
    "text file": ("notes.txt", b"just some text, long enough to be a file"),
    "script named png": ("image.png", b"<script>alert(1)</script>" * 4),
    "gif polyglot": ("cat.gif", b"GIF89a<script>alert(document.cookie)</script>" * 2),
    "truncated png": ("cut.png", factories.png_bytes()[:20]),
    "pdf that is not": ("report.pdf", b"Dear client, this is plain text, not a PDF." * 3),
    "jpeg named png": ("photo.png", factories.jpeg_bytes()),
    "pdf without end": ("half.pdf", factories.PDF_BYTES[:40]),
}


@pytest.mark.parametrize(("name", "content"), REFUSED.values(), ids=REFUSED.keys())
def test_refused_file_is_named_with_the_allowed_types(name, content) -> None:
    with pytest.raises(UploadRefused) as refused:
        check(factories.upload(name, content))
    assert f"“{name}”" in refused.value.message
    assert ALLOWED_TYPES_TEXT in refused.value.message


def test_empty_file_is_refused_naming_it() -> None:
    with pytest.raises(UploadRefused) as refused:
        check(factories.upload("blank.png", b""))
    assert "“blank.png”" in refused.value.message
    assert "empty" in refused.value.message
    assert ALLOWED_TYPES_TEXT in refused.value.message


def test_file_over_the_size_limit_is_refused_naming_it_and_the_limit() -> None:
    big = factories.png_bytes((400, 400))
    with pytest.raises(UploadRefused) as refused:
        check(factories.upload("big.png", big), max_bytes=len(big) - 1)
    assert "“big.png”" in refused.value.message
    assert "too large" in refused.value.message
    assert ALLOWED_TYPES_TEXT in refused.value.message


def test_file_exactly_at_the_size_limit_is_accepted() -> None:
    content = factories.png_bytes()
    assert check(factories.upload("a.png", content), max_bytes=len(content)) == "image/png"


def test_allowed_list_is_the_product_list() -> None:
    assert ALLOWED_LIST == ALLOWED_TYPES_TEXT


def test_check_leaves_the_file_readable_from_the_start() -> None:
    content = factories.png_bytes()
    upload = factories.upload("a.png", content)
    check(upload)
    assert upload.read() == content
