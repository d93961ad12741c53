"""The people and tickets inbound mail is about, the corpus with its placeholders filled, and
a throw-away Dovecot IMAP server."""

import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from chamado.mail.addresses import reply_address
from tests import factories

CORPUS = Path(__file__).resolve().parent / "corpus"
SUPPORT_EMAIL = "support@chamado.example"
SALES_EMAIL = "sales@chamado.example"


@dataclass
class MailWorld:
    """Acme (Ana, the owner; Carla, without the tickets permission), Beta (Bruno), Elisa an agent
    of Support; Ana's ticket in Support and Bruno's; the signed reply addresses."""

    ana: Any
    carla: Any
    bob: Any
    agent: Any
    support: Any
    sales: Any
    ticket: Any
    bob_ticket: Any

    def tag(self, user: Any, ticket: Any = None) -> str:
        ticket = ticket or self.ticket
        return reply_address(
            number=ticket.number, recipient_id=user.pk, department_email=ticket.department.email
        )

    def placeholders(self) -> dict[str, str]:
        ana_tag = self.tag(self.ana)
        local, _at, domain = ana_tag.partition("@")
        forged = local[:-1] + ("0" if local[-1] != "0" else "1") + "@" + domain
        return {
            "{{ANA}}": self.ana.email,
            "{{CARLA}}": self.carla.email,
            "{{BOB}}": self.bob.email,
            "{{AGENT}}": self.agent.email,
            "{{SUPPORT}}": SUPPORT_EMAIL,
            "{{NUMBER}}": str(self.ticket.number),
            "{{ANA_TAG}}": ana_tag,
            "{{AGENT_TAG}}": self.tag(self.agent),
            "{{FORGED_TAG}}": forged,
        }

    def corpus(self, name: str) -> bytes:
        """A corpus file with the placeholders of this world filled in."""
        raw = (CORPUS / name).read_bytes()
        for placeholder, value in self.placeholders().items():
            raw = raw.replace(placeholder.encode(), value.encode())
        return raw


def mail_world_build() -> MailWorld:
    support = factories.department("support")
    support.email = SUPPORT_EMAIL
    support.save()
    sales = factories.department("sales")
    sales.email = SALES_EMAIL
    sales.save()
    acme = factories.AccountFactory(name="Acme Hospedagem")
    ana = factories.OwnerFactory(account=acme, email="ana@acme.example", full_name="Ana Souza")
    carla = factories.ContactFactory(
        account=acme, email="carla@acme.example", full_name="Carla Dias", can_tickets=False
    )
    service = factories.ServiceFactory(account=acme, label="acme.example")
    beta = factories.AccountFactory(name="Beta Sites")
    bob = factories.OwnerFactory(account=beta, email="bruno@beta.example", full_name="Bruno Beta")
    agent = factories.AgentFactory(email="elisa@chamado.example", full_name="Elisa Rocha")
    support.agents.add(agent)
    ticket = factories.open_ticket(ana, service=service, department=support)
    bob_ticket = factories.open_ticket(bob, department=support, subject="Beta's own problem")
    return MailWorld(
        ana=ana,
        carla=carla,
        bob=bob,
        agent=agent,
        support=support,
        sales=sales,
        ticket=ticket,
        bob_ticket=bob_ticket,
    )


@pytest.fixture
def world(db: None) -> MailWorld:
    return mail_world_build()


# ---- A real IMAP server -------------------------------------------------------------------------

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
DOVEADM = shutil.which("doveadm") or "/usr/bin/doveadm"
IMAP_PASSWORD = "imap-test-password"


def imap_unavailable(reason: str) -> None:
    """Skip, unless the run demands IMAP (CI sets CHAMADO_REQUIRE_IMAP=1)."""
    if os.environ.get("CHAMADO_REQUIRE_IMAP") == "1":
        pytest.fail(f"{reason} (CHAMADO_REQUIRE_IMAP=1 forbids skipping)", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class ImapServer:
    port: int
    users: tuple[str, ...]
    password: str = IMAP_PASSWORD
    host: str = "127.0.0.1"

    def client(self, user: str) -> Any:
        from imapclient import IMAPClient

        client = IMAPClient(self.host, port=self.port, ssl=False, timeout=10)
        client.login(user, self.password)
        return client

    def deliver(self, user: str, raw: bytes, folder: str = "INBOX") -> None:
        client = self.client(user)
        try:
            client.append(folder, raw)
        finally:
            client.logout()

    def count(self, user: str, folder: str) -> int:
        client = self.client(user)
        try:
            if not client.folder_exists(folder):
                return 0
            client.select_folder(folder, readonly=True)
            return len(client.search(["ALL"]))
        finally:
            client.logout()

    def seen_flags(self, user: str, folder: str) -> list[bool]:
        client = self.client(user)
        try:
            client.select_folder(folder, readonly=True)
            flags = client.get_flags(client.search(["ALL"]))
            return [b"\\Seen" in value for value in flags.values()]
        finally:
            client.logout()


DOVECOT_CONF = """\
instance_name = chamado-test-{name}
protocols = imap
listen = 127.0.0.1
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{dir}/mail/%u
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {dir}/users
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={dir}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


@pytest.fixture
def imap_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ImapServer]:
    """Debian's Dovecot on a free loopback port, with a configuration of its own (two users);
    stopped and thrown away after the test."""
    if not Path(DOVECOT).exists():
        imap_unavailable("dovecot is not installed (apt-get install dovecot-imapd)")
    if os.geteuid() != 0:
        imap_unavailable("the throw-away Dovecot runs as root (it switches to the dovecot user)")
    # Dovecot's socket paths must stay short: a folder of its own under /tmp.
    folder = Path(f"/tmp/chamado-dovecot-{uuid.uuid4().hex[:8]}")
    folder.mkdir(mode=0o755)
    (folder / "run").mkdir()
    (folder / "state").mkdir()
    subprocess.run(
        ["install", "-d", "-o", "dovecot", "-g", "dovecot", str(folder / "mail")], check=True
    )
    users = ("support@chamado.example", "sales@chamado.example")
    (folder / "users").write_text("".join(f"{user}:{{PLAIN}}{IMAP_PASSWORD}\n" for user in users))
    port = free_port()
    config = folder / "dovecot.conf"
    config.write_text(DOVECOT_CONF.format(name=folder.name, dir=folder, port=port))
    # Dovecot forks into the background: its output goes to a file, never to a pipe this
    # process would wait on for as long as the daemon lives.
    with (folder / "start.log").open("wb") as start_log:
        started = subprocess.run(
            [DOVECOT, "-c", str(config)],
            stdin=subprocess.DEVNULL,
            stdout=start_log,
            stderr=start_log,
            timeout=30,
        )
    if started.returncode != 0:
        output = (folder / "start.log").read_text(errors="replace").strip()
        shutil.rmtree(folder, ignore_errors=True)
        imap_unavailable(f"dovecot did not start: {output}")
    server = ImapServer(port=port, users=users)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                server.client(users[0]).logout()
                break
            except Exception:
                if time.monotonic() > deadline:
                    log = (folder / "dovecot.log").read_text(errors="replace")[-2000:]
                    pytest.fail(f"dovecot did not answer on port {port}:\n{log}")
                time.sleep(0.1)
        yield server
    finally:
        subprocess.run(
            [DOVEADM, "-c", str(config), "stop"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=30,
        )
        shutil.rmtree(folder, ignore_errors=True)
