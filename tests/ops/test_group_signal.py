"""A signal sent to the whole process group of `chamado worker` or `chamado serve` (Ctrl+C in
a terminal, `kill -TERM -<pgid>`) reaches each child once, through the supervisor.

db_worker takes a first SIGTERM/SIGINT as "finish the task, then stop" and a second as "stop
now": when the children shared the supervisor's process group, a group signal reached them
directly and the supervisor forwarded it again, so a running task was cut off (FAILED) instead
of finished."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

CHILD = """
import signal, sys, time
from pathlib import Path
out = Path(sys.argv[1])
signals = []
def handler(signum, frame):
    signals.append(signum)
    if len(signals) > 1:
        out.write_text("cut off")
        sys.exit(1)
signal.signal(signal.SIGTERM, handler)
signal.signal(signal.SIGINT, handler)
out.write_text("running")
while not signals:
    time.sleep(0.05)
time.sleep(1)  # the task in hand, finished
out.write_text("finished")
"""


def test_a_signal_to_the_group_reaches_each_child_once(tmp_path: Path) -> None:
    out = tmp_path / "child"
    script = textwrap.dedent(
        f"""
        import sys
        from chamado.ops.processes import Child, supervise
        child = [sys.executable, "-c", {CHILD!r}, {str(out)!r}]
        sys.exit(supervise([Child(child)]))
        """
    )
    supervisor = subprocess.Popen(
        [sys.executable, "-c", script],
        start_new_session=True,  # its own group, as a terminal's job or a service has
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not (out.exists() and out.read_text() == "running"):
            assert time.monotonic() < deadline, "the child never started"
            time.sleep(0.05)
        os.killpg(supervisor.pid, signal.SIGTERM)
        output, _ = supervisor.communicate(timeout=30)
    finally:
        if supervisor.poll() is None:
            os.killpg(supervisor.pid, signal.SIGKILL)
    assert out.read_text() == "finished", output
