"""`chamado serve --bind --web-workers --task-workers`, real processes: a request whose upload
is still arriving when the server is told to stop (SIGTERM) is answered, then everything ends."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if f"PPid:\t{pid}\n" in status:
                found.append(cmdline)
    return found


def _accepted_by_a_child(pid: int, client_port: int) -> bool:
    """True once a process under ``pid`` holds the server end of the connection from
    ``client_port``: gunicorn's worker has accept()ed it (before that it waits in the listen
    queue, and a stopping server closes that queue: a connection not yet accepted is not an
    in-flight request)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[2].split(":")[1], 16) == client_port:  # remote end: our client
            inodes.add(fields[9])
    pids = [pid]
    while pids:
        current = pids.pop()
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if f"PPid:\t{current}\n" in (entry / "status").read_text():
                        pids.append(int(entry.name))
                except OSError:
                    continue
        try:
            for fd in (Path("/proc") / str(current) / "fd").iterdir():
                link = os.readlink(fd)
                if link.startswith("socket:[") and link[8:-1] in inodes:
                    return True
        except OSError:
            continue
    return False


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_sigterm_lets_a_slow_upload_finish(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "CHAMADO_VAR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": "",
        "DJANGO_SETTINGS_MODULE": "chamado.config.settings",
        "DEBUG": "false",
    }
    chamado = [sys.executable, "-m", "chamado.cli"]
    subprocess.run([*chamado, "migrate", "-v", "0"], env=env, check=True, timeout=300)
    port = _free_port()
    serve = subprocess.Popen(
        [
            *chamado,
            *("serve", "--bind", f"127.0.0.1:{port}", "--web-workers", "1"),
            *("--task-workers", "2", "--graceful-timeout", "20"),
        ],
        env=env,
        stdout=(tmp_path / "serve.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("chamado serve did not listen")
        time.sleep(1)
        commands = _children(serve.pid)
        assert sum("gunicorn" in c for c in commands) == 1
        workers = [c for c in commands if "chamado.cli worker" in c]
        assert len(workers) == 2 and sum("--no-scheduler" in c for c in workers) == 1
        body = b"email=a%40b.c&password=wrong-password"
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        sock.sendall(
            b"POST /login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
            + body[:5]
        )
        client_port = sock.getsockname()[1]
        deadline = time.monotonic() + 60
        while not _accepted_by_a_child(serve.pid, client_port):  # the worker reads the body
            assert time.monotonic() < deadline, "no web worker took the connection"
            time.sleep(0.2)
        serve.send_signal(signal.SIGTERM)
        time.sleep(2)
        sock.sendall(body[5:])
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except ConnectionResetError:
            pass
        sock.close()
        # Answered (CSRF refuses the post: 403), not cut off.
        assert answer.startswith(b"HTTP/1.1 403"), answer[:200]
        assert serve.wait(timeout=60) == 0
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait()


def test_bind_must_be_host_and_port(tmp_path: Path) -> None:
    env = {**os.environ, "CHAMADO_VAR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "chamado.cli", "serve", "--bind", "nowhere"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "--bind takes HOST:PORT" in result.stderr
