"""The real SMTP server on loopback, for the agent's invitation email."""

from tests.mail.conftest import smtp_server  # noqa: F401
