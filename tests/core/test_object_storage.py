"""Files in S3-compatible object storage: the variables that configure it, files landing in the
bucket (when the suite runs on S3: the scale-out pass), never a URL into the bucket, and a child
process given the same storage as the test."""

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from chamado.config import settings as settings_module
from chamado.core.storage import ObjectStorage
from chamado.tickets.models import Attachment
from tests.factories import open_ticket, png_bytes, upload
from tests.object_storage import (
    SKIP_REASON,
    s3_client,
    s3_configured,
    s3_options,
    storage_environment,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
VARIABLES = [
    "STORAGE_URL",
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL",
    "AWS_S3_REGION_NAME",
    "AWS_LOCATION",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
]

needs_s3 = pytest.mark.skipif(not s3_configured(), reason=SKIP_REASON)


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_no_variable_keeps_files_on_disk(clean_environment: pytest.MonkeyPatch) -> None:
    assert settings_module._object_storage() is None


def test_storage_url_names_bucket_endpoint_region_and_prefix(
    clean_environment: pytest.MonkeyPatch,
) -> None:
    clean_environment.setenv(
        "STORAGE_URL",
        "s3://chamado-files/production/?endpoint_url=http://127.0.0.1:5055&region=sa-east-1",
    )
    clean_environment.setenv("AWS_ACCESS_KEY_ID", "key-id")
    clean_environment.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    assert settings_module._object_storage() == {
        "bucket_name": "chamado-files",
        "endpoint_url": "http://127.0.0.1:5055",
        "region_name": "sa-east-1",
        "location": "production",
        "access_key": "key-id",
        "secret_key": "secret",
    }


def test_the_aws_variables_configure_it_too(clean_environment: pytest.MonkeyPatch) -> None:
    clean_environment.setenv("AWS_STORAGE_BUCKET_NAME", "chamado-files")
    clean_environment.setenv("AWS_S3_REGION_NAME", "us-east-1")
    clean_environment.setenv("AWS_LOCATION", "/helpdesk/")
    # No endpoint: AWS itself; no keys: boto3's own chain (an instance role).
    assert settings_module._object_storage() == {
        "bucket_name": "chamado-files",
        "endpoint_url": None,
        "region_name": "us-east-1",
        "location": "helpdesk",
        "access_key": None,
        "secret_key": None,
    }


def test_a_storage_url_of_another_kind_is_refused(clean_environment: pytest.MonkeyPatch) -> None:
    from django.core.exceptions import ImproperlyConfigured

    clean_environment.setenv("STORAGE_URL", "https://chamado-files.example.com/")
    with pytest.raises(ImproperlyConfigured):
        settings_module._object_storage()


def test_no_url_leads_into_the_bucket() -> None:
    """Django asks a storage for a file's URL in places (the admin's file fields): the answer
    is a path nothing serves, never a link (signed or public) that skips the access check."""
    storage = ObjectStorage(
        bucket_name="chamado-files",
        endpoint_url="http://127.0.0.1:5055",
        access_key="key-id",
        secret_key="secret",
    )
    url = storage.url("inbound/2026/11/message one.eml")
    assert url == "/media-not-served/inbound/2026/11/message%20one.eml"
    assert storage.default_acl is None and storage.file_overwrite is False


@needs_s3
@pytest.mark.django_db
def test_attachments_land_in_the_bucket_under_the_tests_prefix(owner: Any, support: Any) -> None:
    ticket = open_ticket(
        owner, department=support, files=[upload("error.png", png_bytes(), "image/png")]
    )
    attachment = Attachment.objects.get(message__ticket=ticket)
    options = s3_options()
    key = f"{options['location']}/{attachment.file.name}"
    stored = s3_client(options).get_object(Bucket=options["bucket_name"], Key=key)
    assert stored["Body"].read() == png_bytes()
    assert not Path(settings.MEDIA_ROOT).exists()  # nothing on this machine's disk


@pytest.mark.django_db
def test_a_child_process_given_the_tests_storage_reads_what_the_test_stored() -> None:
    """storage_environment(): the variables for `chamado` processes a test starts (web and
    worker processes of the scale-out tests) to share the test's files, on disk or in S3."""
    name = default_storage.save("shared/hello.txt", ContentFile(b"from the test"))
    code = (
        "import django; django.setup()\n"
        "from django.core.files.storage import default_storage as s\n"
        f"print(s.open({name!r}, 'rb').read().decode())\n"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "chamado.config.settings",
        "CHAMADO_VAR": str(Path(settings.MEDIA_ROOT).parent / "child-var"),
        "SECRET_KEY": "object-storage-child-process-secret-0123456789",
        **storage_environment(),
    }
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, env=env, cwd=REPO_ROOT, timeout=60
    )
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    assert result.stdout.decode().strip() == "from the test"
