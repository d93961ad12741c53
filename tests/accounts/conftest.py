"""The real SMTP server on loopback, for the account emails."""

from tests.mail.conftest import smtp_down, smtp_server  # noqa: F401
