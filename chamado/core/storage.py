"""Where files live: attachments, the raw copies of inbound emails and article images all go
through Django's storage (``default_storage``), on disk under MEDIA_ROOT or, at scale, in
S3-compatible object storage (``ObjectStorage``, configured by settings from ``STORAGE_URL`` or
``AWS_*``). Nothing in Chamado reaches a file by its path.

Downloads are never redirected to the storage (no signed URL): the access-checked views stream
the bytes themselves (``stored_open``), so the access check runs on every download and no link
outlives a revoked permission or works for whoever it was forwarded to. The cost is the bandwidth
through the web processes, paid knowingly (docs/DEPLOY.md)."""

import threading
from typing import IO, Any

from botocore.client import Config
from botocore.exceptions import ClientError
from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models.fields.files import FieldFile
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

# Object storage is a server on the network: give up on a connection after a few seconds
# instead of botocore's minute, and retry a failed call twice (standard mode, with back-off).
CONNECT_TIMEOUT = 5
READ_TIMEOUT = 60
# /readyz must answer quickly whatever the storage does: one attempt, short timeouts.
PROBE_TIMEOUT = 1

# boto3 resources and clients by configuration, one set per thread (they are not thread-safe):
# making one costs about half a second, and a storage instance is made again whenever the
# settings change (the tests make one per test, each with its own key prefix).
_connections = threading.local()


class ObjectStorage(S3Storage):
    """django-storages' S3 storage with Chamado's rules: private objects (no ACL: the bucket's
    own, private), never a URL into the bucket, downloads streamed in chunks, and a quick probe
    for /readyz. Chamado never creates its bucket: whoever runs it does, with its policy."""

    def __init__(self, **options: Any) -> None:
        options.setdefault("default_acl", None)
        options.setdefault("file_overwrite", False)  # Django's rule: a save never overwrites
        configured = options.get("client_config")
        super().__init__(**options)
        if configured is None:  # the connection is made later, with this configuration
            self.client_config = self._client_config()

    def _client_config(self, **overrides: Any) -> Config:
        options: dict[str, Any] = {
            "s3": {"addressing_style": self.addressing_style},
            "signature_version": self.signature_version,
            "proxies": self.proxies,
            "connect_timeout": CONNECT_TIMEOUT,
            "read_timeout": READ_TIMEOUT,
            "retries": {"mode": "standard", "max_attempts": 3},
            # Checksums only where S3 requires them: several S3-compatible servers refuse the
            # ones recent botocore adds to every upload by default.
            "request_checksum_calculation": "when_required",
            "response_checksum_validation": "when_required",
        }
        return Config(**{**options, **overrides})

    def url(
        self,
        name: str,
        parameters: Any = None,
        expire: Any = None,
        http_method: Any = None,
    ) -> str:
        """What the disk storage answers: a path nothing serves. A link into the bucket (signed
        or not) would skip the access check; Chamado's views serve every file."""
        return f"{settings.MEDIA_URL}{filepath_to_uri(clean_name(name))}"

    def stream(self, name: str) -> tuple[IO[bytes], int]:
        """The object's body, read from the network as it is read here (django-storages' own
        file downloads the whole object before the first byte), and its size. A missing object
        raises FileNotFoundError, as a missing file on disk does."""
        key = self._normalize_name(clean_name(name))
        try:
            answer = self.bucket.Object(key).get()
        except ClientError as error:
            if error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
                raise FileNotFoundError(f"File does not exist: {name}") from error
            raise
        return answer["Body"], int(answer["ContentLength"])

    def _shared(self, kind: str, config: Config) -> Any:
        """This thread's boto3 resource ("resource") or client ("client") for this endpoint,
        these keys and this configuration, made once."""
        key = (
            kind,
            self.session_profile,
            self.access_key,
            self.secret_key,
            self.security_token,
            self.region_name,
            self.use_ssl,
            self.endpoint_url,
            self.verify,
            repr(sorted(config._user_provided_options.items())),
        )
        made: dict[tuple[Any, ...], Any] = _connections.__dict__.setdefault("made", {})
        if key not in made:
            session = self._create_session()
            make = session.resource if kind == "resource" else session.client
            made[key] = make(
                "s3",
                region_name=self.region_name,
                use_ssl=self.use_ssl,
                endpoint_url=self.endpoint_url,
                config=config,
                verify=self.verify,
            )
        return made[key]

    @property
    def connection(self) -> Any:
        return self._shared("resource", self.client_config)

    def probe(self) -> None:
        """Raise unless the bucket answers (HEAD on the bucket: reachable, the keys valid, the
        bucket there), within about a second and without retries."""
        self._shared("client", self.probe_config()).head_bucket(Bucket=self.bucket_name)

    def probe_config(self) -> Config:
        return self._client_config(
            connect_timeout=PROBE_TIMEOUT,
            read_timeout=PROBE_TIMEOUT * 2,
            retries={"mode": "standard", "total_max_attempts": 1},
        )


def stored_open(file: FieldFile) -> tuple[IO[bytes], int | None]:
    """A stored file opened for reading in chunks, and its size when the storage says it
    without a read (None on disk: the response measures the open file). A missing file raises
    FileNotFoundError whatever the storage."""
    storage = file.storage
    if isinstance(storage, ObjectStorage):
        return storage.stream(file.name or "")
    return storage.open(file.name or "", "rb"), None


def storage_check() -> None:
    """For /readyz: raise unless the storage answers. Object storage: the bucket, quickly; on
    disk: a stat (the storage answers, whatever the answer)."""
    probe = getattr(default_storage, "probe", None)
    if probe is not None:
        probe()
    else:
        default_storage.exists("readyz-probe")
