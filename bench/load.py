"""Chamado's load test: gunicorn on PostgreSQL under mixed client and agent traffic.

    .venv/bin/python bench/load.py [--minutes 10] [--database-url URL] [--workers N]

Creates the database `chamado_load` afresh, migrates it, seeds a few thousand tickets with
`bench/seed.py`, turns the policy's rate limits off, then starts gunicorn (sync workers, one
per CPU) and the task worker (`chamado worker`, mail to .eml files). Virtual users (threads
with http.client, a cookie jar each, CSRF tokens read from the forms) log in, read lists and
ticket pages, open tickets with a PNG attached, reply as clients and answer from the desk.

First the maximum throughput of that mix is measured (concurrency ramped over --ramp-seconds,
the best step's requests/s), then the same mix runs paced at --fraction (80 %) of it for
--minutes. Every write carries a unique marker; at the end the database must hold every write
the server acknowledged exactly once (and nothing unacknowledged twice), with no 5xx. Prints a
table and writes bench/results/YYYY-MM-DD-load.md. Timings are reported, never asserted; the
exit status is 1 only when a write was lost or duplicated or a 5xx was answered.
"""

import argparse
import http.client
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as `python bench/load.py`: make `bench` importable
    sys.path.insert(0, str(ROOT))

from bench.forms import forms_of, multipart, png_bytes  # noqa: E402
from bench.run import _free_port, _wait_until_up, django_start, machine  # noqa: E402

RESULTS = ROOT / "bench" / "results"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/chamado_load"
DEFAULT_REDIS = "redis://127.0.0.1:6379/14"
RAMP_STEPS = (2, 4, 6, 8, 12, 16)  # concurrent virtual users per step of the ramp
CLIENT_SHARE = 2 / 3  # two client virtual users for each agent
TIMEOUT = 60.0  # seconds a request may take before the generator gives up on it
RESEND_SHARE = 0.03  # acknowledged writes posted a second time (a double click)

# What a virtual user does next, by weight; each action is one to five requests.
LOGIN_PATH = "/accounts/login/"  # django-allauth's sign-in (the login field is "login")
LOGOUT_PATH = "/accounts/logout/"
CLIENT_ACTIONS = {"list": 30, "page": 30, "open": 12, "reply": 15, "relogin": 3}
AGENT_ACTIONS = {"queue": 40, "page": 35, "reply": 20, "relogin": 3}

MARKER = re.compile(r"LT[0-9a-f]{6}-\d{3}-\d{6}")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10, help="paced run (10)")
    parser.add_argument("--database-url", default=DEFAULT_URL, help=f"default {DEFAULT_URL}")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 2, help="gunicorn sync workers (CPUs)"
    )
    parser.add_argument("--tickets", type=int, default=3000, help="tickets to seed (3000)")
    parser.add_argument("--ramp-seconds", type=float, default=60, help="the ramp (60)")
    parser.add_argument(
        "--fraction", type=float, default=0.8, help="paced rate, share of the maximum (0.8)"
    )
    parser.add_argument(
        "--users",
        type=int,
        default=24,
        help="virtual users of the paced run (24; they wait for their turn)",
    )
    parser.add_argument(
        "--redis-url",
        default=None,
        help=f"cache (default {DEFAULT_REDIS} when it answers, else the file cache)",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed of the traffic (0)")
    parser.add_argument("--output", type=Path, default=None, help="report path")
    parser.add_argument("--keep", action="store_true", help="keep the temporary var/ folder")
    return parser.parse_args()


# ---- Database, settings, processes --------------------------------------------------------


def database_recreate(url: str) -> str:
    """Drop and create the load database (only one whose name contains 'load')."""
    import psycopg
    from psycopg import sql

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if "load" not in name:
        sys.exit(f"bench/load.py re-creates its database; refusing {name!r} (no 'load' in it)")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return name


def redis_choose(given: str | None) -> str:
    if given is not None:
        return given
    try:
        import redis

        redis.Redis.from_url(DEFAULT_REDIS, socket_timeout=0.5).ping()
    except Exception:
        return ""
    return DEFAULT_REDIS


def prepare(tickets: int) -> dict[str, Any]:
    """Migrate, seed, lift the rate limits; returns the people the virtual users log in as."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Q

    from bench.seed import seed_database
    from bench.seed_data import BENCH_PASSWORD
    from chamado.accounts.models import User
    from chamado.tickets.models import Policy

    call_command("migrate", verbosity=0)
    started = time.monotonic()
    seed_database(tickets=tickets)
    seeded = time.monotonic() - started
    policy = Policy.objects.filter(pk=1).first() or Policy(pk=1)
    policy.tickets_per_hour = 0
    policy.uploads_per_hour = 0
    policy.api_requests_per_minute = 0
    policy.flood_max_messages = 1_000_000
    policy.save()  # also drops the cached copy every process reads
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    clients = list(
        User.objects.filter(is_active=True)
        .filter(Q(membership__is_owner=True) | Q(membership__can_tickets=True))
        .order_by("pk")
        .values_list("email", flat=True)
    )
    agents = list(
        User.objects.filter(is_agent=True, is_superuser=False, is_active=True)
        .order_by("pk")
        .values_list("email", flat=True)
    )
    return {
        "clients": clients,
        "agents": agents,
        "password": BENCH_PASSWORD,
        "seeded_seconds": seeded,
    }


def process_start(command: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """A child in its own session, so that it and its children are stopped together."""
    handle = log.open("ab")
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
    )


def process_stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


# ---- CPU accounting (the machine is shared: say how much of it was ours) ---------------------


def _stat(pid: int) -> tuple[int, int] | None:
    """(session id, CPU ticks incl. reaped children) of a process, or None when gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    return int(fields[3]), sum(int(x) for x in fields[11:15])


def cpu_busy_total() -> tuple[int, int]:
    """(busy, all) CPU ticks of the machine since boot."""
    values = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values[:8]) - idle, sum(values[:8])


def postgres_pids(database: str) -> set[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [database],
        )
        return {row[0] for row in cursor.fetchall()}


class CpuMeter:
    """CPU used by this test (generator, gunicorn, worker, its PostgreSQL backends) against
    the whole machine's. Sampled every few seconds: PostgreSQL backends come and go (Django
    reconnects after CONN_MAX_AGE), so each process counts from its first sample."""

    def __init__(self, sessions: set[int], database: str) -> None:
        self.sessions, self.database = sessions, database
        self.first: dict[int, int] = {}
        self.last: dict[int, int] = {}
        self.own0 = os.times()

    def sample(self, *, initial: bool = False) -> None:
        extra = postgres_pids(self.database) | {os.getpid()}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            pid = int(entry)
            stat = _stat(pid)
            if stat and (stat[0] in self.sessions or pid in extra):
                self.first.setdefault(pid, stat[1] if initial else 0)
                self.last[pid] = stat[1]

    def start(self) -> None:
        self.busy0, self.all0 = cpu_busy_total()
        self.own0 = os.times()
        self.sample(initial=True)

    def stop(self) -> dict[str, float]:
        self.sample()
        ours = sum(self.last[pid] - self.first[pid] for pid in self.last)
        busy, total = cpu_busy_total()
        busy, total = busy - self.busy0, total - self.all0
        own = os.times()
        seconds = total / os.sysconf("SC_CLK_TCK") / (os.cpu_count() or 1)
        generator = own.user + own.system - self.own0.user - self.own0.system
        total = max(total, 1)
        return {  # shares of all the machine's CPUs
            "machine_busy": busy / total,
            "ours": min(ours / total, 1.0),
            "others": max(busy - ours, 0) / total,
            "generator": generator / seconds / (os.cpu_count() or 1) if seconds else 0.0,
        }


# ---- HTTP: a browser-like virtual user ------------------------------------------------------


@dataclass
class Sample:
    kind: str
    started: float  # monotonic
    seconds: float
    status: int  # 0: no answer (connection refused or reset, timeout)
    ok: bool
    phase: str
    error: str = ""


@dataclass
class Write:
    kind: str  # "ticket", "client reply", "desk reply"
    marker: str
    target: int | None  # the ticket replied to
    acknowledged: bool = False
    number: int | None = None  # the ticket the server sent us to
    status: int = 0
    resent: bool = False  # posted a second time after the acknowledgement
    resent_same: bool | None = None  # the second post led to the same place
    sent: bool = False  # False: the phase ended before the post went out


class Pacer:
    """Hands out request slots at a fixed rate to every virtual user; a user that gets a slot
    already past goes at once (the lag is recorded). Slots more than 2 s late are dropped."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self.next_at = time.monotonic()
        self.lock = threading.Lock()
        self.lags: list[float] = []
        self.dropped = 0

    def wait(self, stop: threading.Event) -> bool:
        with self.lock:
            now = time.monotonic()
            if self.next_at < now - 2.0:
                self.dropped += int((now - self.next_at) / self.interval)
                self.next_at = now
            slot = self.next_at
            self.next_at += self.interval
        delay = slot - time.monotonic()
        if delay > 0:
            return not stop.wait(delay)
        self.lags.append(-delay)
        return not stop.is_set()


class Recorder:
    def __init__(self, run: str) -> None:
        self.run = run
        self.samples: list[Sample] = []
        self.writes: list[Write] = []
        self.lock = threading.Lock()
        self.phase = "setup"
        self.pacer: Pacer | None = None


class Stop(Exception):
    """The phase ended between two requests of an action."""


class VirtualUser:
    def __init__(
        self,
        number: int,
        *,
        role: str,
        email: str,
        pool: list[str],
        password: str,
        port: int,
        recorder: Recorder,
        rng: random.Random,
    ) -> None:
        self.number, self.role, self.email, self.pool = number, role, email, pool
        self.password, self.port, self.recorder, self.rng = password, port, recorder, rng
        self.cookies: dict[str, str] = {}
        self.seq = 0
        self.tickets: list[int] = []  # seen in lists
        self.open_tickets: list[int] = []  # the client may reply to these
        self.stop = threading.Event()

    # -- one request --

    def request(
        self,
        kind: str,
        method: str,
        path: str,
        *,
        expect: int,
        body: bytes = b"",
        content_type: str = "",
        write: Write | None = None,
    ) -> tuple[int, str, str]:
        """(status, Location, body text); records the sample. Waits for a slot when paced."""
        pacer = self.recorder.pacer
        if pacer is not None and not pacer.wait(self.stop):
            raise Stop
        if self.stop.is_set():
            raise Stop
        headers = {"User-Agent": "chamado-load", "Accept-Language": "en", "Accept": "text/html"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            headers["Content-Type"] = content_type
            headers["Content-Length"] = str(len(body))
        phase = self.recorder.phase
        started = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        status, location, text, error = 0, "", "", ""
        if write is not None:
            write.sent = True
        try:
            connection.request(method, path, body=body or None, headers=headers)
            response = connection.getresponse()
            raw = response.read()
            status = response.status
            location = response.getheader("Location", "")
            for header in response.headers.get_all("Set-Cookie") or []:
                self._cookie_take(header)
            text = raw.decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as failure:
            error = f"{type(failure).__name__}: {failure}"
        finally:
            connection.close()
        seconds = time.monotonic() - started
        ok = status == expect
        if status == 409 and kind.startswith("desk: reply"):
            ok = True  # another agent answered first: the desk refuses, by design
        if not ok and not error:
            error = f"{status} {location}".strip()
        self.recorder.samples.append(Sample(kind, started, seconds, status, ok, phase, error))
        return status, location, text

    def _cookie_take(self, header: str) -> None:
        cookie = SimpleCookie()
        cookie.load(header)
        for name, morsel in cookie.items():
            if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.coded_value  # sent back as it came

    def get(self, kind: str, path: str, expect: int = 200) -> tuple[int, str, str]:
        return self.request(kind, "GET", path, expect=expect)

    def post(
        self,
        kind: str,
        path: str,
        fields: dict[str, str],
        files=(),
        expect: int = 302,
        write: Write | None = None,
    ) -> tuple[int, str, str]:
        if files is None:
            body, content_type = (
                urllib.parse.urlencode(fields).encode(),
                ("application/x-www-form-urlencoded"),
            )
        else:
            body, content_type = multipart(fields, list(files))
        return self.request(
            kind, "POST", path, expect=expect, body=body, content_type=content_type, write=write
        )

    def marker(self) -> str:
        self.seq += 1
        return f"LT{self.recorder.run}-{self.number:03d}-{self.seq:06d}"

    # -- actions --

    def login(self) -> None:
        status, _location, page = self.get("login form", LOGIN_PATH)
        if status != 200:
            return
        form = next((f for f in forms_of(page) if "password" in f["fields"]), None)
        if form is None:
            return
        fields = {**form["fields"], "login": self.email, "password": self.password}
        status, location, _ = self.post("login", LOGIN_PATH, fields, files=None)
        if status == 302:
            if self.role == "client":
                self.get("client: home", location or "/")
            else:
                self.get("desk: home (redirect)", location or "/", expect=302)
                self._queue()

    def relogin(self) -> None:
        token = self.cookies.get("csrftoken", "")
        self.post("logout", LOGOUT_PATH, {"csrfmiddlewaretoken": token}, files=None)
        self.cookies.clear()
        self.email = self.rng.choice(self.pool) if self.role == "client" else self.email
        self.tickets, self.open_tickets = [], []
        self.login()

    def _numbers(self, page: str, prefix: str) -> list[int]:
        return [int(n) for n in dict.fromkeys(re.findall(rf'href="{prefix}(\d+)/"', page))]

    def _queue(self) -> None:
        status, _l, page = self.get("desk: queue", "/desk/")
        if status == 200:
            self.tickets = self._numbers(page, "/desk/tickets/") or self.tickets

    def act(self) -> None:
        actions = CLIENT_ACTIONS if self.role == "client" else AGENT_ACTIONS
        action = self.rng.choices(list(actions), weights=list(actions.values()))[0]
        getattr(self, f"{self.role}_{action}")()

    def client_list(self) -> None:
        active = self.rng.random() < 0.5
        status, _l, page = self.get(
            "client: ticket list", "/tickets/?status=active" if active else "/tickets/"
        )
        if status == 200:
            numbers = self._numbers(page, "/tickets/")
            self.tickets = numbers or self.tickets
            if active:
                self.open_tickets = list(dict.fromkeys([*self.open_tickets, *numbers]))[-30:]

    def client_page(self) -> None:
        if not self.tickets:
            return self.client_list()
        self.get("client: ticket page", f"/tickets/{self.rng.choice(self.tickets)}/")

    def client_open(self) -> None:
        path = "/tickets/open/support/"
        status, _l, page = self.get("client: new ticket form", path)
        form = next((f for f in forms_of(page) if f["id"] == "ticket-form"), None)
        if status != 200 or form is None:
            return
        marker = self.marker()
        fields = dict(form["fields"])
        services = [v for v in form["options"].get("service", []) if v]
        if services:
            fields["service"] = self.rng.choice(services)
        fields["subject"] = f"Site slow after the update ({marker})"
        fields["message"] = (
            f"{marker} Since this morning every page takes several seconds to load; "
            "the screenshot shows the error in the browser console."
        )
        files = [("attachments", f"screenshot-{marker}.png", png_bytes(self.rng))]
        write = Write("ticket", marker, None)
        self.recorder.writes.append(write)
        status, location, _ = self.post(
            "client: open ticket + PNG", path, fields, files, write=write
        )
        write.status = status
        if found := re.fullmatch(r"/tickets/(\d+)/created/", location or ""):
            write.acknowledged, write.number = True, int(found.group(1))
            self.open_tickets.append(write.number)
            self._resend_maybe(write, "client: open ticket (resent)", path, fields, files, location)
            self.get("client: ticket created page", location)

    def client_reply(self) -> None:
        if not self.open_tickets:
            return self.client_list()
        number = self.rng.choice(self.open_tickets)
        path = f"/tickets/{number}/"
        status, _l, page = self.get("client: ticket page", path)
        form = next(
            (f for f in forms_of(page) if f["method"] == "post" and "message" in f["fields"]), None
        )
        if status != 200 or form is None:  # closed meanwhile: no reply form
            self.open_tickets.remove(number)
            return
        marker = self.marker()
        fields = {
            **form["fields"],
            "message": f"{marker} Still happening here, the checkout page times out too.",
        }
        write = Write("client reply", marker, number)
        self.recorder.writes.append(write)
        status, location, _ = self.post("client: reply", path, fields, (), write=write)
        write.status = status
        if location == path:
            write.acknowledged, write.number = True, number
            self._resend_maybe(write, "client: reply (resent)", path, fields, (), location)
            self.get("client: ticket page", location)

    def client_relogin(self) -> None:
        self.relogin()

    def agent_queue(self) -> None:
        self._queue()

    def agent_page(self) -> None:
        if not self.tickets:
            return self._queue()
        self.get("desk: ticket page", f"/desk/tickets/{self.rng.choice(self.tickets)}/")

    def agent_reply(self) -> None:
        if not self.tickets:
            return self._queue()
        number = self.rng.choice(self.tickets)
        status, _l, page = self.get("desk: ticket page", f"/desk/tickets/{number}/")
        form = next((f for f in forms_of(page) if f["action"].endswith("/reply/")), None)
        if status != 200 or form is None:
            return
        marker = self.marker()
        fields = {
            **form["fields"],
            "message": f"{marker} We restarted the PHP workers; please try again now.",
        }
        write = Write("desk reply", marker, number)
        self.recorder.writes.append(write)
        status, location, _ = self.post("desk: reply", form["action"], fields, (), write=write)
        write.status = status
        if location == f"/desk/tickets/{number}/":
            write.acknowledged, write.number = True, number
            self._resend_maybe(write, "desk: reply (resent)", form["action"], fields, (), location)
            self.get("desk: ticket page", location)

    def agent_relogin(self) -> None:
        self.relogin()

    def _resend_maybe(
        self, write: Write, kind: str, path: str, fields: dict[str, str], files, location: str
    ) -> None:
        """Now and then the same form is posted again (same one-time key): it must lead to the
        first result and store nothing more."""
        if self.rng.random() >= RESEND_SHARE:
            return
        write.resent = True
        _status, again, _ = self.post(kind, path, fields, files)
        write.resent_same = again == location

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                if "sessionid" not in self.cookies:  # a phase ended inside a re-login
                    self.login()
                else:
                    self.act()
            except Stop:
                return
            except Exception as error:  # a bug of the generator: record it, go on
                self.recorder.samples.append(
                    Sample(
                        "generator error",
                        time.monotonic(),
                        0,
                        0,
                        False,
                        self.recorder.phase,
                        repr(error),
                    )
                )
                time.sleep(0.1)


def users_make(
    count: int, people: dict[str, Any], port: int, recorder: Recorder, seed: int
) -> list[VirtualUser]:
    clients, agents = people["clients"], people["agents"]
    users = []
    rng = random.Random(seed)
    order = rng.sample(clients, len(clients))
    for number in range(count):
        # Two clients for each agent, interleaved, so every step of the ramp has both.
        is_agent = number % 3 == 2
        users.append(
            VirtualUser(
                number,
                role="agent" if is_agent else "client",
                email=agents[number // 3 % len(agents)] if is_agent else order[number % len(order)],
                pool=clients,
                password=people["password"],
                port=port,
                recorder=recorder,
                rng=random.Random(seed * 1000 + number),
            )
        )
    return users


def phase_run(users: list[VirtualUser], seconds: float) -> None:
    for user in users:
        user.stop.clear()
    threads = [threading.Thread(target=user.run, daemon=True) for user in users]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    for user in users:
        user.stop.set()
    for thread in threads:
        thread.join(TIMEOUT + 5)


# ---- Figures --------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(int(share * len(ordered)), len(ordered) - 1)]


def kind_table(samples: list[Sample], seconds: float) -> list[list[str]]:
    by_kind: dict[str, list[Sample]] = defaultdict(list)
    for sample in samples:
        by_kind[sample.kind].append(sample)
    rows = []
    for kind, group in [*sorted(by_kind.items()), ("all", samples)]:
        times = [s.seconds * 1000 for s in group if s.status]
        errors = [s for s in group if not s.ok]
        codes = Counter(s.status if s.status else "no answer" for s in errors)
        rows.append(
            [
                kind,
                str(len(group)),
                str(len(errors))
                + (f" ({', '.join(f'{k}: {v}' for k, v in codes.items())})" if errors else ""),
                f"{statistics.median(times):.0f}" if times else "-",
                f"{percentile(times, 0.95):.0f}",
                f"{percentile(times, 0.99):.0f}",
                f"{len(group) / seconds:.1f}",
            ]
        )
    return rows


KIND_HEADER = ["request", "count", "errors", "median ms", "p95 ms", "p99 ms", "req/s"]
MINUTE_HEADER = ["minute", "req/s", "median ms", "p95 ms", "errors", "load average"]


def minute_table(
    samples: list[Sample], start: float, seconds: float, load: list[float]
) -> list[list[str]]:
    """The paced run minute by minute: does it hold the rate, does it drift?"""
    by_minute: dict[int, list[Sample]] = defaultdict(list)
    for sample in samples:
        by_minute[int((sample.started - start) // 60)].append(sample)
    rows = []
    for minute, group in sorted(by_minute.items()):
        times = [s.seconds * 1000 for s in group if s.status]
        loads = load[minute * 4 : minute * 4 + 4]  # sampled every 15 s
        rows.append(
            [
                str(minute + 1),
                f"{len(group) / max(min(60.0, seconds - minute * 60), 1.0):.1f}",
                f"{statistics.median(times):.0f}" if times else "-",
                f"{percentile(times, 0.95):.0f}",
                str(sum(not s.ok for s in group)),
                f"{max(loads):.1f}" if loads else "-",
            ]
        )
    return rows


def text_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(lines)


def md_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


# ---- The check: every acknowledged write exactly once --------------------------------------


def verify(recorder: Recorder) -> dict[str, Any]:
    from django.core.files.storage import default_storage
    from django.db.models import Count

    from chamado.tickets.models import Attachment, Message, Ticket

    prefix = f"LT{recorder.run}-"
    tickets: dict[str, list[int]] = defaultdict(list)
    for subject, number in Ticket.objects.filter(subject__contains=prefix).values_list(
        "subject", "number"
    ):
        for marker in MARKER.findall(subject):
            tickets[marker].append(number)
    messages: dict[str, list[tuple[int, bool, int]]] = defaultdict(list)
    rows = (
        Message.objects.filter(body__contains=prefix)
        .annotate(files=Count("attachments"))
        .values_list("body", "ticket__number", "from_agent", "files")
    )
    for body, number, from_agent, files in rows:
        for marker in MARKER.findall(body):
            messages[marker].append((number, from_agent, files))
    files: dict[str, list[bool]] = defaultdict(list)
    for name, stored in Attachment.objects.filter(original_name__contains=prefix).values_list(
        "original_name", "file"
    ):
        for marker in MARKER.findall(name):
            files[marker].append(
                default_storage.exists(stored) and default_storage.size(stored) > 0
            )

    problems: list[str] = []
    counts = Counter()
    attempted = {write.marker for write in recorder.writes}
    for write in recorder.writes:
        m = write.marker
        found = messages.get(m, [])
        stored = len(tickets.get(m, [])) if write.kind == "ticket" else len(found)
        if write.acknowledged:
            counts[f"{write.kind}: acknowledged"] += 1
            if stored != 1 or len(found) != 1:
                problems.append(
                    f"{m} ({write.kind}, acknowledged): stored {stored} times, "
                    f"messages {len(found)}"
                )
                continue
            number, from_agent, attached = found[0]
            if number != write.number or (write.kind == "ticket" and tickets[m][0] != number):
                problems.append(f"{m}: on ticket {number}, the server sent us to {write.number}")
            if from_agent != (write.kind == "desk reply"):
                problems.append(f"{m}: from_agent={from_agent}")
            if write.kind == "ticket" and (attached != 1 or files.get(m) != [True]):
                problems.append(f"{m}: attachments {attached}, files on disk {files.get(m)}")
            if write.resent:
                counts[f"{write.kind}: resent"] += 1
                if not write.resent_same:
                    problems.append(f"{m}: the resent form did not lead to the first result")
        else:
            answer = write.status or ("none" if write.sent else "not sent, the phase ended")
            counts[f"{write.kind}: not acknowledged (answer {answer})"] += 1
            if stored > 1 or len(found) > 1:
                problems.append(f"{m} ({write.kind}, NOT acknowledged): stored {stored} times")
            elif stored:
                counts[f"{write.kind}: not acknowledged, stored anyway"] += 1
    unknown = (set(tickets) | set(messages)) - attempted
    for m in sorted(unknown):
        problems.append(f"{m}: in the database, never sent")
    return {"counts": counts, "problems": problems}


def mail_wait(seconds: float) -> dict[str, Any]:
    """Let the worker finish the queued tasks; returns what it did."""
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pending = DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).count()
        if not pending:
            break
        time.sleep(2)
    by = (
        DBTaskResult.objects.values_list("task_path", "status")
        .annotate(n=Count("pk"))
        .order_by("task_path", "status")
    )
    failures = Counter(
        DBTaskResult.objects.filter(status="FAILED").values_list("exception_class_path", flat=True)
    )
    return {"tasks": [(p.rsplit(".", 1)[-1], s, n) for p, s, n in by], "failures": failures}


# ---- Main -----------------------------------------------------------------------------------


def main() -> None:
    args = arguments()
    started_at = datetime.now()
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    database = database_recreate(args.database_url)
    redis_url = redis_choose(args.redis_url)
    var = Path(tempfile.mkdtemp(prefix="chamado-load-"))
    port = _free_port()
    os.environ.update(
        CHAMADO_VAR=str(var),
        SITE_URL=f"http://127.0.0.1:{port}",
        EMAIL_URL=f"eml://{var / 'mail'}",
        LOG_LEVEL="WARNING",
        # The seeded agents have no second factor: the load measures the desk, not enrolment.
        CHAMADO_REQUIRE_2FA="false",
    )
    django_start(args.database_url, redis_url)
    people = prepare(args.tickets)
    env = os.environ.copy()
    worker = process_start(
        [sys.executable, "-m", "chamado.cli", "worker", "--no-scheduler"], var / "worker.log", env
    )
    server = process_start(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "chamado.config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--worker-class",
            "sync",
            "--no-control-socket",
            "--log-level",
            "warning",
        ],
        var / "gunicorn.log",
        env,
    )
    recorder = Recorder(uuid.uuid4().hex[:6])
    base = f"http://127.0.0.1:{port}"
    figures: dict[str, Any] = {}
    try:
        _wait_until_up(base, server)
        meter = CpuMeter({server.pid, worker.pid}, database)
        users = users_make(max(args.users, max(RAMP_STEPS)), people, port, recorder, args.seed)
        print(f"Logging in {len(users)} virtual users…")
        for user in users:
            user.login()
        if any(not u.cookies.get("sessionid") for u in users):
            sys.exit("Some virtual users could not log in; see " + str(var / "gunicorn.log"))

        # 1. The maximum: closed loop (no pause between requests), concurrency ramped up.
        recorder.phase = "ramp"
        step_seconds = args.ramp_seconds / len(RAMP_STEPS)
        ramp_rows, best = [], 0.0
        active: list[VirtualUser] = []
        threads: list[threading.Thread] = []
        for concurrency in RAMP_STEPS:
            for user in users[len(active) : concurrency]:
                user.stop.clear()
                thread = threading.Thread(target=user.run, daemon=True)
                thread.start()
                threads.append(thread)
                active.append(user)
            begin = time.monotonic()
            time.sleep(step_seconds)
            settle = begin + min(2.0, step_seconds / 3)
            done = [
                s for s in recorder.samples if s.phase == "ramp" and settle <= s.started + s.seconds
            ]
            done = [s for s in done if s.started + s.seconds < begin + step_seconds]
            rate = len(done) / (begin + step_seconds - settle)
            times = [s.seconds * 1000 for s in done if s.status]
            best = max(best, rate)
            ramp_rows.append(
                [
                    str(concurrency),
                    f"{rate:.1f}",
                    f"{statistics.median(times):.0f}" if times else "-",
                    f"{percentile(times, 0.95):.0f}",
                    str(sum(not s.ok for s in done)),
                ]
            )
            print(f"  ramp: {concurrency:2} users, {rate:6.1f} req/s")
        for user in active:
            user.stop.set()
        for thread in threads:
            thread.join(TIMEOUT + 5)
        ramp_samples = [s for s in recorder.samples if s.phase == "ramp"]

        # 2. Paced at a fraction of it, for --minutes.
        target = best * args.fraction
        print(f"Maximum {best:.1f} req/s; now {target:.1f} req/s for {args.minutes:g} min…")
        recorder.pacer = Pacer(target)
        recorder.phase = "paced"
        meter.start()
        load_samples: list[float] = []
        sampler_stop = threading.Event()

        def sample_load() -> None:
            ticks = 0
            while not sampler_stop.wait(5):
                meter.sample()
                ticks += 1
                if ticks % 3 == 0:
                    load_samples.append(os.getloadavg()[0])

        sampler = threading.Thread(target=sample_load, daemon=True)
        sampler.start()
        paced_started = time.monotonic()
        phase_run(users[: args.users], args.minutes * 60)
        paced_seconds = time.monotonic() - paced_started
        sampler_stop.set()
        cpu = meter.stop()
        recorder.phase = "done"
        paced = [s for s in recorder.samples if s.phase == "paced"]
        print("Waiting for the worker to send the mail…")
        mail = mail_wait(300)
        figures = {
            "best": best,
            "target": target,
            "ramp_rows": ramp_rows,
            "ramp_table": kind_table(ramp_samples, args.ramp_seconds),
            "paced_table": kind_table(paced, paced_seconds),
            "minutes": minute_table(paced, paced_started, paced_seconds, load_samples),
            "paced_seconds": paced_seconds,
            "achieved": len(paced) / paced_seconds,
            "lag_p99": percentile(recorder.pacer.lags, 0.99) * 1000,
            "late_share": len([x for x in recorder.pacer.lags if x > 0.1]) / max(len(paced), 1),
            "dropped": recorder.pacer.dropped,
            "cpu": cpu,
            "load": load_samples,
            "mail": mail,
        }
    finally:
        process_stop(server)
        process_stop(worker)
    eml = len(list((var / "mail").glob("*.eml")))
    gunicorn_log = (var / "gunicorn.log").read_text(errors="replace")
    worker_log = (var / "worker.log").read_text(errors="replace")
    check = verify(recorder)
    all_samples = [s for s in recorder.samples if s.phase in ("ramp", "paced")]
    server_errors = [s for s in recorder.samples if s.status >= 500]
    no_answer = [s for s in all_samples if s.status == 0]
    logs = {
        "gunicorn: tracebacks": gunicorn_log.count("Traceback"),
        "gunicorn: worker timeouts": gunicorn_log.count("WORKER TIMEOUT"),
        "worker: tracebacks": worker_log.count("Traceback"),
    }
    passed = not check["problems"] and not server_errors
    failures = Counter((s.kind, s.error[:120]) for s in all_samples if not s.ok)
    report = {
        **figures,
        "args": args,
        "run": recorder.run,
        "started_at": started_at,
        "people": people,
        "eml": eml,
        "check": check,
        "server_errors": len(server_errors),
        "no_answer": len(no_answer),
        "logs": logs,
        "passed": passed,
        "samples": len(all_samples),
        "failures": failures,
    }
    print()
    print("Ramp (closed loop):")
    print(text_table(["users", "req/s", "median ms", "p95 ms", "errors"], figures["ramp_rows"]))
    print()
    print(
        f"Paced at {figures['target']:.1f} req/s ({args.fraction:.0%} of {figures['best']:.1f}) "
        f"for {figures['paced_seconds'] / 60:.1f} min; achieved {figures['achieved']:.1f} req/s:"
    )
    print(text_table(KIND_HEADER, figures["paced_table"]))
    print()
    print(text_table(MINUTE_HEADER, figures["minutes"]))
    print()
    for key, value in sorted(check["counts"].items()):
        print(f"  {key}: {value}")
    print(f"  5xx answers: {len(server_errors)}; no answer: {len(no_answer)}; logs: {logs}")
    cpu = figures["cpu"]
    print(
        f"  CPU (shares of the machine): busy {cpu['machine_busy']:.0%}, this test "
        f"{cpu['ours']:.0%} (generator {cpu['generator']:.0%}), others {cpu['others']:.0%}"
    )
    print(f"  mail: {eml} .eml files; tasks: {figures['mail']['tasks']}")
    for (kind, error), count in failures.most_common(15):
        print(f"  failed: {kind}: {error} ({count}x)")
    for problem in check["problems"][:30]:
        print(f"  PROBLEM {problem}")
    print("Exactly once, zero 5xx: " + ("yes" if passed else "NO"))
    output = args.output or RESULTS / f"{date.today().isoformat()}-load.md"
    report_write(output, report)
    print(f"Report: {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}")
    if args.keep:
        print(f"Kept {var}")
    else:
        shutil.rmtree(var, ignore_errors=True)
    sys.exit(0 if passed else 1)


def report_write(path: Path, r: dict[str, Any]) -> None:
    args = r["args"]
    cpu = r["cpu"]
    load = r["load"]
    counts = r["check"]["counts"]
    lines = [
        f"# Load test, {r['started_at']:%Y-%m-%d %H:%M}",
        "",
        "Produced by `bench/load.py`; nothing here is asserted by the tests. Command: "
        f"`bench/load.py --minutes {args.minutes:g} --workers {args.workers} "
        f"--tickets {args.tickets} --users {args.users}` (run {r['run']}).",
        "",
        "## Machine",
        "",
        *(f"- **{key}**: {value}" for key, value in machine().items()),
        f"- **Server**: gunicorn, {args.workers} sync workers, on 127.0.0.1; the task worker "
        "(`chamado worker --no-scheduler`, mail to .eml files) beside it; DEBUG off; "
        f"cache {'Redis (db 14)' if os.environ.get('REDIS_URL') else 'file'}.",
        "- **Generator**: the same script, threads with http.client, on the same machine "
        "(it shares the CPUs with the server and PostgreSQL).",
        f"- **CPU during the paced run**: the machine was {cpu['machine_busy']:.0%} busy; "
        f"this test (generator, gunicorn, worker, its PostgreSQL backends) used "
        f"{cpu['ours']:.0%} of it (the generator alone {cpu['generator']:.0%}); other work on "
        f"the machine about {cpu['others']:.0%}. "
        "Load average (1 min) every 15 s: "
        + (
            f"min {min(load):.1f}, median {statistics.median(load):.1f}, max {max(load):.1f}."
            if load
            else "-"
        ),
        "",
        "## Data and mix",
        "",
        f"- `bench/seed.py`: {args.tickets:,} tickets, {len(r['people']['clients'])} client "
        f"logins, {len(r['people']['agents'])} agents "
        f"(seeded in {r['people']['seeded_seconds']:.0f} s); "
        "policy rate limits off (tickets, uploads, API per hour/minute 0; flood guard 1,000,000).",
        f"- Virtual users: two clients for each agent. Client actions (weight): {CLIENT_ACTIONS}; "
        f"agent actions: {AGENT_ACTIONS}. Opening a ticket is the form, the post with a "
        "160 x 90 PNG (multipart) and the confirmation page; a reply is the ticket page, the "
        "post and the page it leads to; a re-login is logout, login form, login, home. "
        f"{RESEND_SHARE:.0%} of acknowledged writes are posted a second time with the same "
        "form (a double click).",
        "",
        "## Maximum throughput (closed loop, concurrency ramped)",
        "",
        md_table(["users", "req/s", "median ms", "p95 ms", "errors"], r["ramp_rows"]),
        "",
        f"**Maximum: {r['best']:.1f} req/s** (the best step).",
        "",
        f"## Paced at {args.fraction:.0%}: {r['target']:.1f} req/s for "
        f"{r['paced_seconds'] / 60:.1f} min",
        "",
        f"Achieved {r['achieved']:.1f} req/s; p99 lag behind the schedule "
        f"{r['lag_p99']:.0f} ms; {r['late_share']:.1%} of requests more than 100 ms late; "
        f"{r['dropped']} slots dropped (more than 2 s late).",
        "",
        md_table(KIND_HEADER, r["paced_table"]),
        "",
        "Minute by minute (load average: the highest 1-minute figure sampled in that minute):",
        "",
        md_table(MINUTE_HEADER, r["minutes"]),
        "",
        "## Exactly once",
        "",
        *(f"- {key}: {value}" for key, value in sorted(counts.items())),
        f"- 5xx answers (whole run): {r['server_errors']}; requests without an answer: "
        f"{r['no_answer']}; logs: " + ", ".join(f"{k} {v}" for k, v in r["logs"].items()),
        f"- Problems: {len(r['check']['problems'])}"
        + "".join(f"\n  - {p}" for p in r["check"]["problems"][:50]),
        "- **Result: "
        + (
            "every acknowledged write stored exactly once, nothing duplicated, zero 5xx**"
            if r["passed"]
            else "FAILED**"
        ),
        "",
        "Requests that did not get the expected answer (kind, answer, count): "
        + (
            "; ".join(f"{k}: {e} ({c})" for (k, e), c in r["failures"].most_common(15))
            if r["failures"]
            else "none"
        )
        + ".",
        "",
        "## Mail",
        "",
        f"{r['eml']} .eml files written. Tasks (name, status, count): "
        + "; ".join(f"{n} {s} {c}" for n, s, c in r["mail"]["tasks"])
        + (f". Failures: {dict(r['mail']['failures'])}" if r["mail"]["failures"] else "."),
        "",
        "## The ramp, by request",
        "",
        md_table(KIND_HEADER, r["ramp_table"]),
        "",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
