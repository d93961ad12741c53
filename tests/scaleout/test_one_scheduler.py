"""Exactly one scheduler fires each schedule, however many `chamado worker` processes run, and
another takes over when the lock holder dies.

Each `chamado worker` runs crontask beside db_worker. crontask (crontask/utils.py and its
`crontask` command) takes a redis-py lock named "crontask-lock" (timeout 10 s, waiting 15 s
for it) before it starts its scheduler, and extends it every 5 s; one that cannot get it
exits ("Another scheduler is already running.") and `chamado worker` starts it again 5 s
later, so a standby keeps trying. A holder killed without a word leaves the lock to expire
within 10 s. The probe app (tests.scaleout.settings) schedules `tick` every 3 s: each firing
is one task row, enqueued by the firing scheduler.
"""

from collections import Counter
from datetime import datetime

from django.utils import timezone

from tests.scaleout.cluster import Cluster, Process, wait_for
from tests.scaleout.probe.tasks import TICK_SECONDS, tick

PROBE_SETTINGS = {"DJANGO_SETTINGS_MODULE": "tests.scaleout.settings"}
STARTED = "Starting scheduler"
REFUSED = "Another scheduler is already running."
WAITING = "Waiting for the scheduler lock"


def firings(since: datetime | None = None) -> list[datetime]:
    from django_tasks_db.models import DBTaskResult

    rows = DBTaskResult.objects.filter(task_path=tick.module_path)
    if since is not None:
        rows = rows.filter(enqueued_at__gt=since)
    return list(rows.values_list("enqueued_at", flat=True))


def test_two_workers_fire_each_schedule_once_and_the_standby_takes_over(
    cluster: Cluster,
) -> None:
    workers = [cluster.worker(f"worker-{n}", env=PROBE_SETTINGS) for n in (1, 2)]
    for worker in workers:
        worker.start()
    wait_for("the schedule to fire", lambda: len(firings()) >= 3, timeout=120)

    def holder() -> Process | None:
        holding = [w for w in workers if STARTED in w.output()]
        assert len(holding) <= 1, cluster.logs()
        return holding[0] if holding else None

    first = wait_for("a scheduler holding the lock", holder)
    (standby,) = [w for w in workers if w is not first]
    # The standby's scheduler asked for the lock, was refused, and is asked again.
    wait_for("the standby to be refused the lock", lambda: REFUSED in standby.output())
    assert STARTED not in standby.output()

    first.kill()  # SIGKILL to the worker, its db_worker and its scheduler: no release
    killed_at = timezone.now()
    wait_for("the standby to take the lock", lambda: STARTED in standby.output(), timeout=180)
    wait_for("the schedule to fire again", lambda: len(firings(killed_at)) >= 3, timeout=120)
    assert standby.terminate() == 0, cluster.logs()

    slots = Counter(int(moment.timestamp()) // TICK_SECONDS for moment in firings())
    twice = {slot * TICK_SECONDS: n for slot, n in slots.items() if n > 1}
    assert not twice, f"fired more than once at {twice}"
    assert len(slots) >= 6


def test_without_redis_two_workers_on_one_machine_fire_each_schedule_once(
    cluster: Cluster,
) -> None:
    """Without REDIS_URL crontask takes no lock at all (its FakeLock): every `chamado worker`
    fired every schedule (here, twice per slot). `chamado scheduler` takes an exclusive lock
    on var/scheduler.lock first (no Redis means one machine, whose var/ every process shares;
    the kernel lets go of it when its holder dies, even by SIGKILL)."""
    no_redis = {**PROBE_SETTINGS, "REDIS_URL": ""}
    workers = [cluster.worker(f"worker-{n}", env=no_redis) for n in (1, 2)]
    for worker in workers:
        worker.start()
    wait_for("the schedule to fire", lambda: len(firings()) >= 3, timeout=120)
    for worker in workers:  # both schedulers are up by now, holding the lock or waiting
        wait_for(f"{worker.name}'s scheduler", lambda w=worker: "scheduler" in w.output())
    (first,) = [w for w in workers if STARTED in w.output()]
    (standby,) = [w for w in workers if w is not first]
    assert WAITING in standby.output()

    first.kill()
    killed_at = timezone.now()
    wait_for("the standby to take the lock", lambda: STARTED in standby.output(), timeout=120)
    wait_for("the schedule to fire again", lambda: len(firings(killed_at)) >= 3, timeout=120)
    assert standby.terminate() == 0, cluster.logs()

    slots = Counter(int(moment.timestamp()) // TICK_SECONDS for moment in firings())
    twice = {slot * TICK_SECONDS: n for slot, n in slots.items() if n > 1}
    assert not twice, f"fired more than once at {twice}"
