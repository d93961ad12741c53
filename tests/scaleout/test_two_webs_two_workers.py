"""Two web processes and two workers (real gunicorn and `chamado worker` processes) on one
PostgreSQL, one Redis and one file storage: tickets with attachments opened through web A are
read, and their files downloaded byte for byte, through web B; once the queue is empty every
notification was sent exactly once."""

import random
import re
from typing import Any

from bench.forms import png_bytes
from tests.mail.conftest import SmtpServer
from tests.object_storage import stored_names
from tests.scaleout.cluster import Browser, Cluster, wait_for
from tests.scaleout.conftest import notices_check

TICKETS = 4


def queue_empty() -> bool:
    from django_tasks_db.models import DBTaskResult

    return not DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists()


def test_tickets_opened_on_one_web_process_are_read_on_the_other_and_mailed_once(
    cluster: Cluster, helpdesk: dict[str, Any], smtp: SmtpServer
) -> None:
    from chamado.tickets.models import Attachment, Ticket

    web_a, web_b = cluster.web("web-a"), cluster.web("web-b")
    workers = [cluster.worker("worker-1"), cluster.worker("worker-2")]
    for process in [web_a, web_b, *workers]:
        process.start()
    web_a.wait_up()
    web_b.wait_up()

    owner = helpdesk["owner"]
    browser = Browser()
    browser.login(web_a.port, owner.email, helpdesk["password"])  # the session lives in Redis
    rng = random.Random(14)
    sent: dict[int, tuple[str, bytes]] = {}
    for n in range(TICKETS):
        subject = f"Scale-out ticket {n}"
        image = png_bytes(rng)
        fields = browser.ticket_form(web_a.port)
        number = browser.ticket_open(
            web_a.port, fields, subject, [("attachments", f"screen-{n}.png", image)]
        )
        assert number is not None, cluster.logs()
        sent[number] = (subject, image)

    for number, (subject, image) in sent.items():
        page = browser.get(web_b.port, f"/tickets/{number}/")
        assert page.status == 200, cluster.logs()
        assert subject in page.text
        links = sorted(set(re.findall(r'href="(/attachments/[^"]+)"', page.text)))
        assert len(links) == 1, links
        download = browser.get(web_b.port, links[0])
        assert download.status == 200
        assert download.body == image  # stored by web A, read back by web B

    assert Ticket.objects.count() == TICKETS
    assert Attachment.objects.count() == TICKETS
    # Where this test looks (its MEDIA_ROOT, or its prefix in the S3 bucket) is where web A
    # stored them: the processes were given the test's storage.
    stored = set(stored_names())
    assert {a.file.name for a in Attachment.objects.all()} <= stored, stored
    wait_for("the workers to empty the queue", queue_empty, timeout=180)
    wait_for(
        "every notification at the SMTP server",
        lambda: len(smtp.inbox.messages) >= TICKETS * 3,
        timeout=60,
    )
    for worker in workers:
        assert worker.terminate() == 0, cluster.logs()
    notices_check(smtp, list(sent))
