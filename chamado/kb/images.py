"""Checks on an image uploaded with an article: a real, whole PNG, JPEG, GIF or WebP image of
reasonable size. SVG is refused: it may carry script."""

from pathlib import PurePath
from typing import Any

from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from chamado.core.errors import ApplicationError

MAX_BYTES = 5 * 1024 * 1024
TYPES = {
    "PNG": ("image/png", {".png"}),
    "JPEG": ("image/jpeg", {".jpg", ".jpeg"}),
    "GIF": ("image/gif", {".gif"}),
    "WEBP": ("image/webp", {".webp"}),
}
MAX_PIXELS = 40_000_000  # a decompression bomb is refused before it is decoded


def _refused(name: str) -> ApplicationError:
    return ApplicationError(
        _("“%(name)s” is not an image we accept: use a PNG, JPEG, GIF or WebP file.")
        % {"name": name},
        field="file",
    )


def image_check(upload: Any) -> str:
    """The image's content type; ApplicationError naming the file otherwise."""
    name = PurePath(getattr(upload, "name", "") or "image").name
    if upload.size > MAX_BYTES:
        raise ApplicationError(
            _("“%(name)s” is larger than %(limit)d MB.")
            % {"name": name, "limit": MAX_BYTES // (1024 * 1024)},
            field="file",
        )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            kind = image.format or ""
            if image.width * image.height > MAX_PIXELS:
                raise _refused(name)
            image.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()  # decodes every pixel: a cut or disguised file fails here
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _refused(name) from None
    finally:
        upload.seek(0)
    if kind not in TYPES or PurePath(name).suffix.lower() not in TYPES[kind][1]:
        raise _refused(name)
    return TYPES[kind][0]
