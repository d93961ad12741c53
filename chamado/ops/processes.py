"""Runs a few child processes together; stops them all on a signal or when an essential one
ends, and restarts the others (say the scheduler, when Redis was briefly away)."""

import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import FrameType

RESTART_DELAY = 5.0


def chamado_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "chamado.cli", *args]


@dataclass
class Child:
    command: list[str]
    essential: bool = True  # when it ends, everything stops; otherwise it is restarted
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    ended_at: float | None = None

    def start(self) -> None:
        # A process group of its own: a signal to the supervisor's group (Ctrl+C in a terminal,
        # kill -TERM -pgid) reaches the child once, forwarded by supervise. db_worker takes a
        # second SIGTERM as "stop now" and would cut off the task it is running.
        self.process = subprocess.Popen(self.command, process_group=0)
        self.ended_at = None


STOP_TIMEOUT = 35.0  # gunicorn's graceful timeout (30 s) and a margin, then SIGKILL


def supervise(
    children: Sequence[Child],
    *,
    restart_delay: float = RESTART_DELAY,
    stop_timeout: float = STOP_TIMEOUT,
) -> int:
    """Until a signal or an essential child's end; then one SIGTERM to each child and up to
    ``stop_timeout`` seconds for all to finish (gunicorn its requests in flight, db_worker
    its task in hand) before any still running is killed."""
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    for child in children:
        child.start()
    code = 0
    try:
        while not stopping:
            for child in children:
                assert child.process is not None
                returncode = child.process.poll()
                if returncode is None:
                    continue
                if child.essential:
                    code, stopping = returncode, True
                elif child.ended_at is None:
                    child.ended_at = time.monotonic()
                    print(f"{child.command[-1]} ended ({returncode}); restarting it shortly.")
                elif time.monotonic() - child.ended_at >= restart_delay:
                    child.start()
            time.sleep(0.3)
    finally:
        running = [c.process for c in children if c.process and c.process.poll() is None]
        for process in running:
            process.terminate()
        deadline = time.monotonic() + stop_timeout
        for process in running:
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                process.kill()
    return code
