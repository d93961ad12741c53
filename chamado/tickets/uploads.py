"""Checks that an uploaded file is one of the allowed types, by extension and by content."""

from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image

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


@dataclass(frozen=True)
class UploadRefused(Exception):
    message: str


def upload_check(upload: UploadedFile, *, max_bytes: int) -> str:
    """Return the file's real content type, or raise UploadRefused with a message naming it."""
    name = upload.name or ""
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
            }
        )
    if not upload.size:
        raise UploadRefused(
            _("“%(name)s” is empty. Allowed: %(types)s.") % {"name": name, "types": ALLOWED_LIST}
        )
    expected = ALLOWED_TYPES[extension]
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    sniffed = filetype.guess_mime(head)
    if sniffed != expected or not _content_is_sound(upload, expected):
        raise UploadRefused(
            _(
                "“%(name)s” is not really a %(extension)s file, so it was refused. "
                "Allowed: %(types)s."
            )
            % {"name": name, "extension": extension, "types": ALLOWED_LIST}
        )
    return expected


def _content_is_sound(upload: UploadedFile, expected: str) -> bool:
    """Sniffing reads a few bytes only: decode images fully, and look for a PDF's end."""
    try:
        if expected.startswith("image/"):
            upload.seek(0)
            with Image.open(upload) as image:
                image.verify()
            upload.seek(0)
            with Image.open(upload) as image:
                image.load()
            return True
        upload.seek(0)
        data = upload.read()
        return data.startswith(b"%PDF-") and b"%%EOF" in data[-2048:]
    except Exception:
        return False
    finally:
        upload.seek(0)
