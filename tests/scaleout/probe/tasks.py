"""Tasks the scale-out tests run in real worker processes.

`task_run` records every execution (no unique constraint: a duplicate would show as a second
row, not hide as an error); `tick` is enqueued by the scheduler every few seconds, so the
queue's rows count the scheduler's firings.
"""

import os
import socket

from apscheduler.triggers.cron import CronTrigger
from crontask import cron
from django.db import connection
from django.tasks import task

RUNS_TABLE = "scaleout_task_run"
TICK_SECONDS = 3


@task()
def task_run(number: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {RUNS_TABLE} (number, pid, host) VALUES (%s, %s, %s)",
            [number, os.getpid(), socket.gethostname()],
        )
    return number


@cron(CronTrigger(second=f"*/{TICK_SECONDS}"))
@task()
def tick() -> None:
    """Nothing to do: the row the scheduler enqueued is the firing."""


@task()
def task_slow(number: int, seconds: float) -> int:
    """Runs for ``seconds``, then records its run: a task a stopping worker must finish."""
    import time

    time.sleep(seconds)
    return task_run.call(number)
