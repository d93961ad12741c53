"""Runs a few child processes together and stops them all when one ends or on a signal."""

import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from types import FrameType


def chamado_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "chamado.cli", *args]


def supervise(commands: Sequence[Sequence[str]]) -> int:
    children = [subprocess.Popen(list(command)) for command in commands]
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    code = 0
    try:
        while not stopping:
            for child in children:
                if child.poll() is not None:
                    code = child.returncode or 0
                    stopping = True
            time.sleep(0.3)
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
    return code
