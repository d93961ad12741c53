"""Downloads, whatever the storage (disk, or the bucket in the scale-out pass): streamed in
chunks through the access check, never a redirect into the storage, and a file missing from the
storage answers 404 on every surface instead of a server error."""

import tracemalloc
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from chamado.kb.models import ArticleImage
from chamado.tickets.models import Attachment
from chamado.web.files import CHUNK_SIZE
from tests.api.conftest import ApiClient, token_for
from tests.factories import png_bytes, upload
from tests.kb import builders

pytestmark = pytest.mark.django_db

TEN_MB = 10 * 1024 * 1024


def _attachment(ticket: Any, name: str, content: bytes, content_type: str) -> Attachment:
    """An attachment of the ticket's first message, stored through the storage API (the size
    limits of the policy are the actions' business, not the download's)."""
    attachment = Attachment(
        message=ticket.messages.first(),
        original_name=name,
        content_type=content_type,
        size=len(content),
    )
    attachment.file.save(name, ContentFile(content), save=False)
    attachment.save()
    return attachment


def _portal_url(attachment: Attachment) -> str:
    return reverse("portal:attachment", args=[attachment.pk, attachment.original_name])


def _desk_url(attachment: Attachment) -> str:
    return reverse("desk:attachment", args=[attachment.pk, attachment.original_name])


def test_a_file_missing_from_the_storage_answers_404_everywhere(
    client: Client, owner: Any, agent: Any, ticket: Any
) -> None:
    attachment = _attachment(ticket, "log.pdf", b"%PDF-1.4 tiny", "application/pdf")
    default_storage.delete(attachment.file.name)
    assert not default_storage.exists(attachment.file.name)

    client.force_login(owner)
    assert client.get(_portal_url(attachment)).status_code == 404
    assert ApiClient(token_for(owner)).get(f"/attachments/{attachment.pk}").status_code == 404
    client.force_login(agent)
    assert client.get(_desk_url(attachment)).status_code == 404
    agent_api = ApiClient(token_for(agent))
    assert agent_api.get(f"/desk/attachments/{attachment.pk}").status_code == 404


def test_a_missing_article_image_answers_404(client: Client) -> None:
    article = builders.article()
    image = ArticleImage.objects.create(
        article=article,
        file=upload("a.png", png_bytes(), "image/png"),
        description="A",
        content_type="image/png",
    )
    url = reverse("kb:image", args=[image.pk, image.filename])
    assert client.get(url).status_code == 200
    default_storage.delete(image.file.name)
    assert client.get(url).status_code == 404


def test_an_article_image_is_streamed_inline_with_its_name(client: Client) -> None:
    article = builders.article()
    content = png_bytes((40, 30))
    image = ArticleImage.objects.create(
        article=article,
        file=upload("a.png", content, "image/png"),
        description="A",
        content_type="image/png",
    )
    response = client.get(reverse("kb:image", args=[image.pk, image.filename]))
    assert response.status_code == 200 and response.streaming
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == "image/png"
    assert response["Content-Length"] == str(len(content))
    assert response["Content-Disposition"] == f'inline; filename="{image.filename}"'


def test_ten_megabytes_stream_in_chunks_with_flat_memory(
    client: Client, owner: Any, ticket: Any
) -> None:
    """The download never holds the file: it is read from the storage one chunk at a time
    (django-storages' own S3 file would first download all of it into memory)."""
    content = bytes(range(256)) * (TEN_MB // 256)
    attachment = _attachment(ticket, "backup.zip", content, "application/zip")
    client.force_login(owner)
    # A first request imports what the first page of a process does: not the download's cost.
    # (Read to the end: the test client closes the response then, inside its request.)
    assert len(b"".join(client.get(_portal_url(attachment)).streaming_content)) == TEN_MB

    tracemalloc.start()
    try:
        response = client.get(_portal_url(attachment))
        assert response.status_code == 200 and response.streaming
        assert response["Content-Length"] == str(TEN_MB)
        received = 0
        largest = 0
        for chunk in response.streaming_content:
            assert content[received : received + len(chunk)] == chunk
            received += len(chunk)
            largest = max(largest, len(chunk))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert received == TEN_MB
    assert largest <= CHUNK_SIZE
    # A handful of chunks and buffers at most, nowhere near the file's 10 MB.
    assert peak < 2 * 1024 * 1024, f"peak {peak} bytes while streaming 10 MB"
    assert response["Content-Disposition"] == 'attachment; filename="backup.zip"'
    assert response["Cache-Control"] == "private, no-store"
    default_storage.delete(attachment.file.name)
