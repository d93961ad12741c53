"""Attachments on the way in (a form field of several files) and out (the file response)."""

import logging
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse
from django.utils.translation import gettext_lazy as _

from chamado.core.errors import ApplicationError, NotFound
from chamado.core.storage import stored_open
from chamado.tickets.actions import uploads_check
from chamado.tickets.models import Attachment, Policy
from chamado.tickets.uploads import (
    ALLOWED_TYPES,
    UploadRefused,
    upload_check,
    upload_content_check,
)

logger = logging.getLogger(__name__)

# Bytes read from the storage and written to the client at a time: few calls to object
# storage, and the memory of a download stays this small whatever the file's size.
CHUNK_SIZE = 64 * 1024


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern)."""

    widget = MultipleFileInput

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        # Empty files are refused by tickets.uploads, whose message names the file.
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)
        self.widget.attrs["accept"] = ",".join(ALLOWED_TYPES)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class AttachmentsMixin(forms.Form):
    attachments = MultipleFileField(label=_("Attachments"))

    def attachment_help(self, policy: Policy) -> str:
        return str(
            _("Allowed: %(types)s. Up to %(count)d files, %(size)d MB each.")
            % {
                "types": " ".join(ALLOWED_TYPES),
                "count": policy.attachment_max_count,
                "size": policy.attachment_max_mb,
            }
        )

    def clean_attachments(self) -> list[UploadedFile]:
        files: list[UploadedFile] = self.cleaned_data.get("attachments") or []
        try:
            # The cheap checks only: images are decoded, once, by the action, after every
            # other rule of the request passed.
            uploads_check(files, policy=Policy.current(), deep=False)
        except ApplicationError as error:
            raise forms.ValidationError(error.messages) from None
        return files

    def files_to_choose_again(self) -> list[str]:
        """Browsers cannot keep chosen files across a refused form: name the acceptable ones
        for the user to choose again. A refused file is never listed (its error names it):
        the cheap checks tell, and when they all passed but the files were refused (a
        content check of the action), the content checks too (cached for files that passed)."""
        files = [f for f in self.files.getlist(self.add_prefix("attachments")) if f.name]
        policy = Policy.current()

        def passes(upload: UploadedFile, *, deep: bool) -> bool:
            try:
                content_type = upload_check(
                    upload,
                    max_bytes=policy.attachment_max_bytes,
                    max_pixels=policy.image_max_pixels,
                )
                if deep:
                    upload_content_check(upload, content_type)
            except UploadRefused:
                return False
            return True

        fine = [f for f in files if passes(f, deep=False)]
        if len(fine) == len(files) <= policy.attachment_max_count and "attachments" in self.errors:
            fine = [f for f in files if passes(f, deep=True)]
        return [f.name for f in fine if f.name]


def stored_file_response(
    file: FieldFile, *, content_type: str, filename: str, as_attachment: bool
) -> FileResponse:
    """A stored file streamed to the client in chunks, after the caller's access check.

    Never a redirect to the storage (a signed URL): the access check then runs on every
    download, and no link outlives a revoked permission or works for whoever it is forwarded
    to. The bytes pass through the web process; that bandwidth is the price, paid knowingly.
    A file missing from the storage answers 404 (and is logged), not a server error."""
    try:
        handle, size = stored_open(file)
    except FileNotFoundError:
        logger.error("stored file missing: %s", file.name)
        raise NotFound from None
    response = FileResponse(
        handle, content_type=content_type, as_attachment=as_attachment, filename=filename
    )
    response.block_size = CHUNK_SIZE
    if size is not None:  # object storage said it; a file on disk is measured by the response
        response["Content-Length"] = str(size)
    return response


def attachment_response(attachment: Attachment) -> FileResponse:
    """Images inline, everything else as a download; never cached by shared caches."""
    response = stored_file_response(
        attachment.file,
        content_type=attachment.content_type,
        as_attachment=not attachment.is_image,
        filename=attachment.original_name,
    )
    # FileResponse already says "inline" for images (as_attachment=False with a filename).
    response["Cache-Control"] = "private, no-store"
    return response
