"""Object storage in tests: whether the suite runs on S3 (the scale-out pass of .ci/run sets
STORAGE_URL to a moto server on loopback), each test's own key prefix in the bucket, the
stored files of a test whatever the storage, the variables that give a child process the same
storage, and a private moto server a test may stop and start."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

OBJECT_STORAGE = "chamado.core.storage.ObjectStorage"
MOTO_SERVER = Path(sys.executable).with_name("moto_server")
SKIP_REASON = (
    "S3 is not configured: set STORAGE_URL (or AWS_STORAGE_BUCKET_NAME) to an S3 server, as the "
    "scale-out pass of .ci/run does with moto_server on 127.0.0.1:5055"
)


def s3_configured() -> bool:
    return bool(settings.STORAGES["default"]["BACKEND"] == OBJECT_STORAGE)


def s3_options() -> dict[str, Any]:
    return dict(settings.STORAGES["default"].get("OPTIONS") or {})


def s3_client(options: dict[str, Any]) -> Any:
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=options.get("endpoint_url"),
        region_name=options.get("region_name") or "us-east-1",
        aws_access_key_id=options.get("access_key"),
        aws_secret_access_key=options.get("secret_key"),
    )


def bucket_ensure(options: dict[str, Any]) -> None:
    """The test bucket (Chamado never creates its bucket; the test session does, on a fresh
    moto). Every xdist worker may race for it: already there is fine."""
    from botocore.exceptions import ClientError

    client = s3_client(options)
    try:
        client.create_bucket(Bucket=options["bucket_name"])
    except ClientError as error:
        if error.response["Error"]["Code"] not in {
            "BucketAlreadyOwnedByYou",
            "BucketAlreadyExists",
        }:
            raise


def key_prefix(base: str = "") -> str:
    """A key prefix of the test's own in the bucket (as the disk has a temporary MEDIA_ROOT):
    parallel workers and tests never see each other's files."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return "/".join(p for p in (base.strip("/"), "tests", worker, uuid.uuid4().hex) if p)


def stored_names() -> list[str]:
    """The names of every file the current test stored, whatever the storage."""
    if s3_configured():
        options = s3_options()
        prefix = f"{options['location']}/" if options.get("location") else ""
        pages = s3_client(options).get_paginator("list_objects_v2")
        return sorted(
            item["Key"].removeprefix(prefix)
            for page in pages.paginate(Bucket=options["bucket_name"], Prefix=prefix)
            for item in page.get("Contents", [])
        )
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def storage_environment() -> dict[str, str]:
    """Environment variables for a child process (`chamado serve`, `chamado worker`...) to
    store and read files where this test does: its MEDIA_ROOT on disk, or the same bucket under
    the test's prefix (the AWS_* family; STORAGE_URL emptied, as it would win)."""
    if not s3_configured():
        return {
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "STORAGE_URL": "",
            "AWS_STORAGE_BUCKET_NAME": "",
        }
    options = s3_options()
    return {
        "STORAGE_URL": "",
        "AWS_STORAGE_BUCKET_NAME": options["bucket_name"],
        "AWS_S3_ENDPOINT_URL": options.get("endpoint_url") or "",
        "AWS_S3_REGION_NAME": options.get("region_name") or "",
        "AWS_LOCATION": options.get("location") or "",
        "AWS_ACCESS_KEY_ID": options.get("access_key") or "",
        "AWS_SECRET_ACCESS_KEY": options.get("secret_key") or "",
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_port(port: int, process: subprocess.Popen[bytes], what: str) -> None:
    for _attempt in range(300):
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not start")


class MotoServer:
    """moto's standalone S3 server on a free loopback port, for a test that stops it. Its data
    lives in memory: ``start`` makes the bucket again, as a real storage that comes back still
    has its bucket."""

    BUCKET = "chamado-test"

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def options(self, location: str = "") -> dict[str, Any]:
        return {
            "bucket_name": self.BUCKET,
            "endpoint_url": self.endpoint_url,
            "region_name": "us-east-1",
            "location": location,
            "access_key": "testing",
            "secret_key": "testing",
        }

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(MOTO_SERVER), "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for_port(self.port, self.process, "moto_server")
        bucket_ensure(self.options())

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def pause(self) -> None:
        """Still listening, never answering: a hung storage."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)


@pytest.fixture
def moto_server() -> Iterator[MotoServer]:
    if not MOTO_SERVER.exists():
        pytest.skip(f"needs moto_server in the venv ({MOTO_SERVER}): pip install moto[server]")
    server = MotoServer()
    server.start()
    yield server
    if server.process is not None and server.process.poll() is None:
        server.resume()
    server.stop()


class RedisServer:
    """A private redis-server on a free loopback port, for a test that stops it."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                *("redis-server", "--bind", "127.0.0.1", "--port", str(self.port)),
                *("--save", "", "--appendonly", "no", "--dir", str(self.directory)),
            ],
            stdout=subprocess.DEVNULL,
        )
        _wait_for_port(self.port, self.process, "redis-server")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        pytest.skip("needs redis-server (Debian's redis-server package; .ci/run has it)")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()
