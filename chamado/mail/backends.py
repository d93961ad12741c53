"""Email backend that writes each message as its own .eml file (the single-machine default)."""

import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone


class EmlFileBackend(BaseEmailBackend):
    def __init__(self, file_path: str = "var/mail", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.directory = Path(file_path)

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        self.directory.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            name = f"{timezone.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
            (self.directory / name).write_bytes(message.message().as_bytes())
        return len(email_messages)
