"""Restarts lose nothing and duplicate nothing: while a client opens tickets and replies through
two web processes, each web process is stopped (SIGTERM) and started again, one worker is
stopped and started, and the other is killed (SIGKILL, the whole process group) in the middle
of sending an email. Afterwards every ticket and reply the server acknowledged exists exactly
once, unacknowledged ones at most once, and once the workers are back (and the dead worker's
claim reclaimed) every notification was sent exactly once."""

import http.client
import random
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from bench.forms import png_bytes
from tests.mail.conftest import HoldingInbox, SmtpServer
from tests.scaleout.cluster import Browser, Cluster, Web, wait_for
from tests.scaleout.conftest import notices_check


@dataclass
class Attempt:
    kind: str  # "ticket" or "reply"
    marker: str
    acknowledged: bool = False
    number: int | None = None  # the ticket created, or replied to
    error: str = ""


class Client(threading.Thread):
    """Opens tickets with a PNG, and replies to them, through both web processes in turn,
    until told to stop; a request that fails (a process being restarted) is recorded and the
    next one goes on."""

    def __init__(self, webs: list[Web], email: str, password: str) -> None:
        super().__init__(daemon=True)
        self.webs, self.email, self.password = webs, email, password
        self.attempts: list[Attempt] = []
        self.stop = threading.Event()
        self.browser = Browser()
        self.rng = random.Random(14)

    def acknowledged(self) -> int:
        return sum(a.acknowledged for a in self.attempts)

    def run(self) -> None:
        turn = 0
        while not self.stop.is_set():
            turn += 1
            port = self.webs[turn % 2].port
            try:
                if "sessionid" not in self.browser.cookies:
                    self.browser.login(port, self.email, self.password)
                opened = [a.number for a in self.attempts if a.kind == "ticket" and a.number]
                if opened and turn % 3 == 0:
                    self.reply(port, self.rng.choice(opened), turn)
                else:
                    self.open(port, turn)
            except (OSError, http.client.HTTPException, AssertionError):
                self.stop.wait(0.2)  # that process is down: the next turn takes the other

    def open(self, port: int, turn: int) -> None:
        fields = self.browser.ticket_form(port)
        attempt = Attempt("ticket", f"RS-{turn:04d}")
        self.attempts.append(attempt)
        image = png_bytes(self.rng)
        try:
            number = self.browser.ticket_open(
                port, fields, f"Restart {attempt.marker}", [("attachments", "s.png", image)]
            )
        except (OSError, http.client.HTTPException) as error:
            attempt.error = repr(error)
            return
        attempt.acknowledged, attempt.number = number is not None, number

    def reply(self, port: int, number: int, turn: int) -> None:
        fields = self.browser.reply_form(port, number)
        attempt = Attempt("reply", f"RS-{turn:04d}", number=number)
        self.attempts.append(attempt)
        try:
            attempt.acknowledged = self.browser.reply(
                port, number, fields, f"Still down here ({attempt.marker})."
            )
        except (OSError, http.client.HTTPException) as error:
            attempt.error = repr(error)


def idle() -> bool:
    """No task waiting to be run."""
    from django_tasks_db.models import DBTaskResult

    return not DBTaskResult.objects.ready().exists()


def test_restarting_web_and_worker_processes_loses_and_duplicates_nothing(
    cluster: Cluster, helpdesk: dict[str, Any], smtp: SmtpServer
) -> None:
    from chamado.mail.tasks import SEND_LEASE, deliveries_reclaim
    from chamado.tickets.models import Message, Ticket

    inbox = smtp.inbox
    assert isinstance(inbox, HoldingInbox)
    webs = [cluster.web("web-a"), cluster.web("web-b")]
    workers = [cluster.worker("worker-1"), cluster.worker("worker-2")]
    for process in [*webs, *workers]:
        process.start()
    for web in webs:
        web.wait_up()
    client = Client(webs, helpdesk["owner"].email, helpdesk["password"])

    def progress(writes: int = 2) -> None:
        target = client.acknowledged() + writes
        wait_for(f"{writes} more acknowledged writes", lambda: client.acknowledged() >= target)

    client.start()
    try:
        progress()
        for web in webs:  # each web process stopped (graceful) and started again
            assert web.terminate() == 0, cluster.logs()
            progress()
            web.start()
            web.wait_up()
            progress()

        assert workers[0].terminate() == 0, cluster.logs()
        # The other worker, alone now, is killed while it sends: the SMTP server holds its
        # next email to an agent at RCPT.
        inbox.hold = {helpdesk["agents"][1].email}
        assert inbox.holding.wait(timeout=120), cluster.logs()
        workers[1].kill()
        inbox.release()
        progress()
        for worker in workers:
            worker.start()
        progress()
    finally:
        client.stop.set()
        client.join(timeout=120)
    assert not client.is_alive()

    # Drain, then reclaim what the killed worker held (its claim and its RUNNING task): with
    # the live workers stopped first, the only RUNNING task left is the dead worker's.
    wait_for("the queue to empty", idle, timeout=180)
    for worker in workers:
        assert worker.terminate() == 0, cluster.logs()
    reclaimed = deliveries_reclaim(now=timezone.now() + SEND_LEASE + timedelta(minutes=1))
    assert reclaimed >= 1, "the email the killed worker was sending is queued again"
    for worker in workers:
        worker.start()
    from django_tasks_db.models import DBTaskResult

    wait_for(
        "the queue to empty again",
        lambda: not DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists(),
        timeout=180,
    )
    for worker in workers:
        assert worker.terminate() == 0, cluster.logs()

    tickets = Counter(
        marker
        for subject in Ticket.objects.values_list("subject", flat=True)
        for marker in [subject.removeprefix("Restart ")]
    )
    replies = Counter(
        body.rsplit("(", 1)[-1].rstrip(").")
        for body in Message.objects.filter(body__startswith="Still down here").values_list(
            "body", flat=True
        )
    )
    numbers = dict(Ticket.objects.values_list("subject", "number"))
    attempts = client.attempts
    assert sum(a.acknowledged for a in attempts) >= 12
    for attempt in attempts:
        stored = (tickets if attempt.kind == "ticket" else replies)[attempt.marker]
        if attempt.acknowledged:
            assert stored == 1, attempt
        else:
            assert stored <= 1, attempt
        if attempt.acknowledged and attempt.kind == "ticket":
            assert numbers[f"Restart {attempt.marker}"] == attempt.number
    assert set(tickets) <= {a.marker for a in attempts if a.kind == "ticket"}
    assert set(replies) <= {a.marker for a in attempts if a.kind == "reply"}

    notices_check(smtp, list(Ticket.objects.values_list("number", flat=True)))
