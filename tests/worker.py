"""Running the real task worker (django-tasks-db's db_worker) inside a test."""

import io
import signal

from django.core.management import call_command


def worker_run() -> str:
    """Run every task that is due, then return; the output is returned for failure messages.

    The worker installs its own SIGINT/SIGTERM handlers; they are put back afterwards so
    Ctrl+C still stops pytest.
    """
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    output = io.StringIO()
    try:
        call_command(
            "db_worker", batch=True, startup_delay=False, reload=False, stdout=output, verbosity=1
        )
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
    return output.getvalue()
