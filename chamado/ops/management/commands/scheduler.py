"""`chamado scheduler`: crontask's scheduler of periodic tasks, one for the installation.

With Redis, crontask's own lock decides (a redis-py lock "crontask-lock" that expires 10 s
after its holder stops extending it). Without Redis crontask takes no lock at all, so every
`chamado worker` (and `chamado serve`'s) fired every schedule: an exclusive lock on
var/scheduler.lock is taken first. No Redis means one machine (the cache is a file cache under
var/), so every worker sees that file; the kernel lets go of the lock when its holder ends,
even killed, and a waiting scheduler starts at once.
"""

import fcntl
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the scheduler of periodic tasks (crontask), one for the installation."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.CRONTASK.get("REDIS_URL"):
            call_command("crontask")
            return
        with (settings.VAR_DIR / "scheduler.lock").open("a") as lock:
            self.stdout.write("Waiting for the scheduler lock (var/scheduler.lock)…")
            self.stdout.flush()
            fcntl.flock(lock, fcntl.LOCK_EX)  # held until this process ends
            call_command("crontask")
