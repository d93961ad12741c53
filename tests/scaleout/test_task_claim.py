"""The task queue's claim: real worker processes racing for a few hundred tasks never run one
task twice.

django-tasks-db (django_tasks_db/management/commands/db_worker.py, ``Worker.run``) claims a
task in one transaction: ``DBTaskResultQuerySet.get_locked`` (models.py) selects the first
ready task with ``SELECT ... FOR UPDATE SKIP LOCKED LIMIT 1``, then ``DBTaskResult.claim``
saves it RUNNING with the worker's id, and the transaction commits. A second worker skips the
locked row; one that reaches it after the commit finds it no longer READY (PostgreSQL checks
the WHERE clause again on the row version it locks).
"""

from collections import Counter

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.scaleout.cluster import Cluster, wait_for
from tests.scaleout.probe.tasks import RUNS_TABLE, task_run, task_slow

TASKS = 300
WORKERS = 3
PROBE_SETTINGS = {"DJANGO_SETTINGS_MODULE": "tests.scaleout.settings"}


def runs() -> list[tuple[int, int]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT number, pid FROM {RUNS_TABLE}")
        return list(cursor.fetchall())


def runs_table_create() -> None:
    with connection.cursor() as cursor:
        # No unique constraint: a second run of a task is a second row, never an error.
        cursor.execute(
            f"CREATE TABLE {RUNS_TABLE} (id bigserial PRIMARY KEY, number integer NOT NULL, "
            "pid integer NOT NULL, host text NOT NULL, at timestamptz NOT NULL DEFAULT now())"
        )


def test_the_claim_locks_the_row_and_skips_locked_ones(cluster: Cluster) -> None:
    from django_tasks_db.models import DBTaskResult

    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        DBTaskResult.objects.ready().filter(backend_name="default").get_locked()
    (select,) = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert select.endswith("LIMIT 1 FOR UPDATE SKIP LOCKED"), select
    assert "\"status\" = 'READY'" in select


def test_workers_racing_for_hundreds_of_tasks_run_each_once(cluster: Cluster) -> None:
    from django_tasks_db.models import DBTaskResult

    runs_table_create()
    workers = [
        cluster.worker(f"worker-{n}", "--no-scheduler", env=PROBE_SETTINGS) for n in range(WORKERS)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:  # all polling before the first task exists: they race from it
        wait_for(f"{worker.name} to start", lambda w=worker: "Starting worker" in w.output())

    with transaction.atomic():  # every task appears at once, at the commit
        ids = [task_run.enqueue(n).id for n in range(TASKS)]

    wait_for("every task to run", lambda: len(runs()) >= TASKS, timeout=300)
    wait_for(
        "the queue to empty",
        lambda: not DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists(),
    )
    for worker in workers:
        assert worker.terminate() == 0, cluster.logs()

    done = runs()
    per_task = Counter(number for number, _pid in done)
    assert per_task == dict.fromkeys(range(TASKS), 1), [n for n, c in per_task.items() if c > 1]
    results = DBTaskResult.objects.filter(id__in=ids)
    assert Counter(results.values_list("status", flat=True)) == {"SUCCESSFUL": TASKS}
    assert all(len(worker_ids) == 1 for worker_ids in results.values_list("worker_ids", flat=True))
    by_process = Counter(pid for _number, pid in done)
    # The proof needs a race: more than one process took tasks from the same queue.
    assert len(by_process) >= 2, by_process


def test_a_worker_stopped_while_it_runs_a_task_finishes_it(cluster: Cluster) -> None:
    """SIGTERM to `chamado worker` (as systemd's KillMode=mixed sends it, or a terminal's
    Ctrl+C to the whole group): the task in hand is finished, then the worker exits 0."""
    from django_tasks_db.models import DBTaskResult

    runs_table_create()
    worker = cluster.worker("worker", "--no-scheduler", env=PROBE_SETTINGS)
    worker.start()
    result = task_slow.enqueue(7, 3.0)
    wait_for(
        "the task to start",
        lambda: DBTaskResult.objects.filter(id=result.id, status="RUNNING").exists(),
    )
    assert worker.terminate() == 0, cluster.logs()
    assert DBTaskResult.objects.get(id=result.id).status == "SUCCESSFUL", cluster.logs()
    assert [number for number, _pid in runs()] == [7]
