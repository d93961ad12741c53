"""Checks that an uploaded file is one of the allowed types, by extension and by content.

Two steps, so that a hostile file costs as little as possible: ``upload_check`` reads only
what is cheap (name, size, the first bytes, an image's header with its dimensions) and runs for
the whole form first; ``upload_content_check`` decodes an image or reads a PDF's structure,
once per file and request, and only when everything else about the request was accepted."""

import re
import zlib
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image

from chamado.core.text import single_line

# Extension → the type its content must be. Fixed by the product: images
# and PDFs, checked by extension and by content.
ALLOWED_TYPES: dict[str, str] = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".png": "image/png",
    ".pdf": "application/pdf",
}
ALLOWED_LIST = " ".join(ALLOWED_TYPES)
NAME_MAX_LENGTH = 200
# A PDF may act on its own when opened: scripts, launching programs, files carried inside,
# embedded media and XFA forms (which script). Names may be written with #xx escapes.
_PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|XFA)\b")
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.DOTALL)
PDF_INFLATE_LIMIT = 64 * 1024 * 1024  # read at most this much decompressed stream data
_CHECKED = "_chamado_content_checked"  # set on an upload once its content was checked


# Why a file was refused (the API answers 415, 413 or 422 for them).
REFUSED_TYPE = "type"  # not an allowed type, not really what its name says, an active PDF
REFUSED_SIZE = "size"  # over the size or pixel limit
REFUSED_EMPTY = "empty"


@dataclass(frozen=True)
class UploadRefused(Exception):
    message: str
    kind: str = REFUSED_TYPE


def upload_name(name: str | None) -> str:
    """The name to keep: no folders, no control or bidi characters, at most 200 characters
    without losing the extension."""
    clean = single_line(PurePath((name or "").replace("\\", "/")).name) or "file"
    if len(clean) <= NAME_MAX_LENGTH:
        return clean
    suffix = PurePath(clean).suffix[:20]
    return clean[: NAME_MAX_LENGTH - len(suffix)].rstrip(" .") + suffix


def _refused_type(name: str, extension: str) -> UploadRefused:
    return UploadRefused(
        _("“%(name)s” is not really a %(extension)s file, so it was refused. Allowed: %(types)s.")
        % {"name": name, "extension": extension, "types": ALLOWED_LIST}
    )


def upload_check(upload: UploadedFile, *, max_bytes: int, max_pixels: int) -> str:
    """The cheap checks: return the file's content type, or raise UploadRefused naming it.
    Nothing is decoded here: an image's dimensions come from its header."""
    name = upload_name(upload.name)
    extension = PurePath(name).suffix.lower()
    if extension not in ALLOWED_TYPES:
        raise UploadRefused(
            _("“%(name)s” is not an allowed type. Allowed: %(types)s.")
            % {"name": name, "types": ALLOWED_LIST}
        )
    if upload.size is not None and upload.size > max_bytes:
        raise UploadRefused(
            _(
                "“%(name)s” is too large (%(size)s); the limit is %(limit)s per file. "
                "Allowed: %(types)s."
            )
            % {
                "name": name,
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(max_bytes),
                "types": ALLOWED_LIST,
            },
            REFUSED_SIZE,
        )
    if not upload.size:
        raise UploadRefused(
            _("“%(name)s” is empty. Allowed: %(types)s.") % {"name": name, "types": ALLOWED_LIST},
            REFUSED_EMPTY,
        )
    expected = ALLOWED_TYPES[extension]
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    if filetype.guess_mime(head) != expected:
        raise _refused_type(name, extension)
    if expected.startswith("image/"):
        width, height = _image_size(upload)
        if not width or not height:  # no readable header: not an image
            raise _refused_type(name, extension)
        if width < 0:  # more pixels than Pillow itself will open
            raise UploadRefused(
                _("“%(name)s” is too large an image; the limit is %(megapixels)d megapixels.")
                % {"name": name, "megapixels": max_pixels // 1_000_000},
                REFUSED_SIZE,
            )
        if width * height > max_pixels:
            raise UploadRefused(
                _(
                    "“%(name)s” is too large an image (%(width)d × %(height)d pixels); the limit "  # noqa: RUF001
                    "is %(megapixels)d megapixels."
                )
                % {
                    "name": name,
                    "width": width,
                    "height": height,
                    "megapixels": max_pixels // 1_000_000,
                },
                REFUSED_SIZE,
            )
    return expected


def _image_size(upload: UploadedFile) -> tuple[int, int]:
    """Width and height from the header alone (Image.open decodes nothing); (-1, -1) for an
    image over Pillow's own bomb limit, (0, 0) for no readable header."""
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            return image.size
    except Image.DecompressionBombError:
        return (-1, -1)
    except Exception:
        return (0, 0)
    finally:
        upload.seek(0)


def upload_content_check(upload: UploadedFile, content_type: str) -> None:
    """The costly checks, once per upload: decode an image; read a PDF's structure and refuse
    active content. Raises UploadRefused naming the file."""
    if getattr(upload, _CHECKED, False):
        return
    name = upload_name(upload.name)
    extension = PurePath(name).suffix.lower()
    try:
        if content_type.startswith("image/"):
            sound = _image_decodes(upload)
        else:
            upload.seek(0)
            data = upload.read()
            sound = data.startswith(b"%PDF-") and b"%%EOF" in data[-2048:]
            if sound and _pdf_is_active(data):
                raise UploadRefused(
                    _(
                        "“%(name)s” contains scripts, actions or embedded files, which PDFs "
                        "sent here may not carry. Print it to a new PDF and attach that."
                    )
                    % {"name": name}
                )
    finally:
        upload.seek(0)
    if not sound:
        raise _refused_type(name, extension)
    setattr(upload, _CHECKED, True)


def _image_decodes(upload: UploadedFile) -> bool:
    """One full decode (load() reads every pixel; a truncated or fake image fails)."""
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()
        return True
    except Exception:
        return False


def _pdf_is_active(data: bytes) -> bool:
    """Look for active names in the file and inside its compressed streams (object streams
    hide dictionaries), with #xx escapes in names undone."""

    def unescape(chunk: bytes) -> bytes:
        return _PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), chunk)

    if _PDF_ACTIVE.search(unescape(data)):
        return True
    budget = PDF_INFLATE_LIMIT
    for match in _PDF_STREAM.finditer(data):
        inflater = zlib.decompressobj()
        try:
            inflated = inflater.decompress(match.group(1), budget)
        except zlib.error:
            continue
        budget -= len(inflated)
        if _PDF_ACTIVE.search(unescape(inflated)):
            return True
        if budget <= 0:
            return True  # more compressed data than any sane attachment: refuse
    return False
