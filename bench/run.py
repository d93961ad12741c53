"""Chamado's benchmark: seed a PostgreSQL database, then measure the main pages.

    .venv/bin/python bench/run.py [--tickets N] [--database-url URL] [--reset] [--no-wrk]

Uses (and creates when missing) the database `chamado_bench`, migrates it, seeds it with
`bench/seed.py` when it has no tickets, then for each page measures in-process with
Django's test client: queries per request, median and p95 latency, and the plan (EXPLAIN
ANALYZE) of its slowest ticket query. When `wrk` is installed it also drives the pages through
gunicorn. Prints a table and writes bench/results/YYYY-MM-DD-<tickets>.md. Nothing here is a
test: timings are reported, never asserted.
"""

import argparse
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/chamado_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/15"
BIG_TABLES = ("tickets_ticket", "tickets_message")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000, help="tickets to seed (100000)")
    parser.add_argument("--database-url", default=DEFAULT_URL, help=f"default {DEFAULT_URL}")
    parser.add_argument(
        "--reset",
        action="store_true",
        help="drop and re-create the database first (only one whose name contains 'bench')",
    )
    parser.add_argument(
        "--redis-url",
        default=None,
        help=f"cache for presence (default $REDIS_URL, else {DEFAULT_REDIS} when it answers, "
        "else the file cache)",
    )
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page (50)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests first (5)")
    parser.add_argument("--no-wrk", action="store_true", help="skip the gunicorn + wrk part")
    parser.add_argument("--wrk-seconds", type=int, default=10, help="wrk duration per page")
    parser.add_argument(
        "--pages", default="", help="only the pages whose name contains this text (a trial run)"
    )
    parser.add_argument("--output", type=Path, default=None, help="report path")
    return parser.parse_args()


# ---- The database --------------------------------------------------------------------------


def database_ensure(url: str, *, reset: bool) -> None:
    """Create the benchmark database when it is missing (or re-create it with --reset)."""
    import psycopg
    from psycopg import sql

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if reset and "bench" not in name:
        sys.exit(f"--reset drops the database; refusing for {name!r} (not a bench database)")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if exists and reset:
            print(f"Dropping database {name}")
            connection.execute(
                sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name))
            )
            exists = None
        if not exists:
            print(f"Creating database {name}")
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def redis_url_choose(given: str | None) -> str:
    if given is not None:
        return given
    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"]
    try:
        import redis

        redis.Redis.from_url(DEFAULT_REDIS, socket_timeout=0.5).ping()
    except Exception:
        return ""
    return DEFAULT_REDIS


def django_start(url: str, redis_url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["REDIS_URL"] = redis_url
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("CHAMADO_VAR", str(ROOT / "var"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "chamado.config.settings"
    if str(ROOT) not in sys.path:  # run as `python bench/run.py`: make `bench.seed` importable
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def seed_if_empty(tickets: int) -> float | None:
    """Migrate, seed when there are no tickets; returns the seconds seeding took."""
    from django.core.management import call_command

    from chamado.tickets.models import Ticket

    call_command("migrate", verbosity=0)
    existing = Ticket.objects.count()
    if existing:
        if existing != tickets:
            sys.exit(
                f"The database has {existing:,} tickets, not {tickets:,}: pass --reset to "
                f"re-seed, or --tickets {existing}."
            )
        print(f"Using the {existing:,} tickets already seeded.")
        return None
    from bench.seed import seed_database

    started = time.monotonic()
    seed_database(tickets=tickets)
    seconds = time.monotonic() - started
    seed_note_write(f"seeded {tickets} tickets in {seconds:.0f} s")
    return seconds


def seed_note_write(note: str) -> None:
    """Kept as the database's comment, so a later run on the same data can report it."""
    from django.db import connection

    with connection.cursor() as cursor:
        name = connection.ops.quote_name(connection.settings_dict["NAME"])
        cursor.execute(f"COMMENT ON DATABASE {name} IS %s", [note])


def seed_note_read() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
            "WHERE datname = current_database()"
        )
        row = cursor.fetchone()
    return (row[0] if row else None) or ""


def vacuum_analyze() -> None:
    """What autovacuum would have done by the time a real database got this big."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


# ---- The pages -----------------------------------------------------------------------------


@dataclass
class Page:
    name: str
    url: str
    who: str  # "client" or "agent"
    explain: bool = False  # the plan goes into the report
    queries: int = 0
    sql_ms: float = 0.0  # wall time of the request's queries, round trips included
    median_ms: float = 0.0
    p95_ms: float = 0.0
    rows: int | None = None
    slowest_sql: str = ""
    slowest_ms: float = 0.0
    slowest_plan: str = ""
    indexes: list[str] = field(default_factory=list)
    seq_scans: list[str] = field(default_factory=list)
    wrk: dict[str, Any] = field(default_factory=dict)


@dataclass
class Scene:
    """The people and tickets the pages are measured with."""

    client: Any
    agent: Any
    pages: list[Page]
    notes: list[str]


def scene_build() -> Scene:
    from django.db.models import Count

    from bench.seed_data import BENCH_AGENT_EMAIL
    from chamado.accounts.models import User
    from chamado.tickets import workflow
    from chamado.tickets.models import Department, Message, Ticket

    agent = User.objects.get(email=BENCH_AGENT_EMAIL)
    # The largest account: its list is the longest a client pages through.
    biggest = (
        Ticket.objects.values("account_id")
        .annotate(count=Count("pk"))
        .order_by("-count", "account_id")
        .first()
    )
    assert biggest is not None
    client = User.objects.get(account_id=biggest["account_id"], is_account_owner=True)
    client_tickets = Ticket.objects.filter(account_id=biggest["account_id"])
    # A waiting ticket with a long conversation: the page also shows the expected wait.
    waiting = (
        client_tickets.filter(status__in=workflow.WAITING)
        .annotate(message_count=Count("messages"))
        .order_by("-message_count", "-pk")
        .first()
    ) or client_tickets.annotate(message_count=Count("messages")).order_by("-message_count").first()
    assert waiting is not None
    longest = (
        Ticket.objects.filter(status__in=workflow.WAITING)
        .annotate(message_count=Count("messages"))
        .order_by("-message_count", "-pk")
        .first()
    )
    assert longest is not None
    support = Department.objects.get(slug="support")
    pages_of_closed = Ticket.objects.filter(status=Ticket.Status.CLOSED).count() // 50
    deep_page = max(min(pages_of_closed, 200), 1)
    pages = [
        Page("client: ticket list", "/tickets/", "client"),
        Page("client: ticket list, active", "/tickets/?status=active", "client"),
        Page("client: ticket page", f"/tickets/{waiting.number}/", "client", explain=True),
        Page("desk: queue (default)", "/desk/", "agent", explain=True),
        Page(
            "desk: queue, Support + High",
            f"/desk/?department={support.pk}&priority=3",
            "agent",
            explain=True,
        ),
        Page("desk: queue, near/past SLA", "/desk/?breach=near_or_breached", "agent", explain=True),
        Page("desk: queue, nobody assigned", "/desk/?assignee=nobody", "agent", explain=True),
        Page(
            f"desk: queue, closed, page {deep_page}",
            f"/desk/?status=closed&page={deep_page}",
            "agent",
            explain=True,
        ),
        Page("desk: ticket page", f"/desk/tickets/{longest.number}/", "agent", explain=True),
        Page("desk: search, common word", "/desk/search/?q=certificado", "agent", explain=True),
        Page("desk: search, two words", "/desk/search/?q=mysql+connections", "agent", explain=True),
        Page(
            "desk: search, client email",
            "/desk/search/?" + urllib.parse.urlencode({"q": client.email}),
            "agent",
            explain=True,
        ),
        Page("desk: search, number", f"/desk/search/?q={longest.number}", "agent", explain=True),
        Page("desk: dashboard", "/desk/dashboard/", "agent", explain=True),
    ]
    notes = [
        f"Client: the owner of the largest account ({client_tickets.count():,} tickets).",
        f"Client ticket page: #{waiting.number}, {waiting.status}, "
        f"{Message.objects.filter(ticket=waiting).count()} messages.",
        f"Desk ticket page: #{longest.number}, {longest.status}, "
        f"{Message.objects.filter(ticket=longest).count()} messages.",
        "Agent: a (non-administrator) agent of all three departments, so visibility goes "
        "through the department membership join.",
    ]
    return Scene(client=client, agent=agent, pages=pages, notes=notes)


def _plan_walk(node: dict[str, Any], indexes: list[str], seqs: list[str]) -> None:
    kind = node.get("Node Type", "")
    if "Index Name" in node:
        label = f"{node['Index Name']} ({kind})"
        if label not in indexes:
            indexes.append(label)
    if kind == "Seq Scan":
        label = f"{node.get('Relation Name')} ({node.get('Actual Rows', '?')} rows kept)"
        if label not in seqs:
            seqs.append(label)
    for child in node.get("Plans", []):
        _plan_walk(child, indexes, seqs)


def explain_slowest(page: Page, statements: list[str]) -> None:
    """EXPLAIN ANALYZE every ticket or message query of the request; keep the slowest."""
    from django.db import connection

    slowest: tuple[float, str, dict[str, Any]] | None = None
    with connection.cursor() as cursor:
        for statement in statements:
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            if "tickets_ticket" not in statement and "tickets_message" not in statement:
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement)
            raw = cursor.fetchone()[0]
            plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]
            took = plan["Planning Time"] + plan["Execution Time"]
            if slowest is None or took > slowest[0]:
                slowest = (took, statement, plan)
        if slowest is None:
            return
        took, statement, plan = slowest
        page.slowest_ms, page.slowest_sql = took, statement
        _plan_walk(plan["Plan"], page.indexes, page.seq_scans)
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement)
        page.slowest_plan = "\n".join(row[0] for row in cursor.fetchall())


def measure(page: Page, client: Any, *, warmup: int, runs: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        response = client.get(page.url)
        if response.status_code != 200:
            sys.exit(f"{page.name}: {page.url} answered {response.status_code}")
    took: list[float] = []

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            took.append(time.perf_counter() - started)

    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timed):
        client.get(page.url)
    # Copied now: every request start empties the connection's query log.
    statements = [query["sql"] for query in captured.captured_queries]
    page.queries = len(statements)
    page.sql_ms = sum(took) * 1000
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(page.url)
        times.append((time.perf_counter() - started) * 1000)
    page.median_ms = statistics.median(times)
    page.p95_ms = statistics.quantiles(times, n=20)[18] if len(times) > 1 else times[0]
    explain_slowest(page, statements)


# ---- gunicorn + wrk ------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited")
        try:
            urllib.request.urlopen(base + "/login/", timeout=2).read()
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer within 60 s")


def _wrk_parse(output: str) -> dict[str, Any]:
    def ms(value: str, unit: str) -> float:
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    result: dict[str, Any] = {}
    if found := re.search(r"Requests/sec:\s+([\d.]+)", output):
        result["rps"] = float(found.group(1))
    for percent in ("50", "99"):
        if found := re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M):
            result[f"p{percent}_ms"] = ms(found.group(1), found.group(2))
    if found := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output):
        result["errors"] = int(found.group(1))
    return result


def wrk_measure(scene: Scene, *, seconds: int, workers: int, connections: int) -> str:
    """Each page through gunicorn, driven by wrk from the same machine."""
    from django.conf import settings
    from django.test import Client

    cookies = {}
    for who, user in (("client", scene.client), ("agent", scene.agent)):
        browser = Client()
        browser.force_login(user)
        cookies[who] = browser.cookies[settings.SESSION_COOKIE_NAME].value
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "chamado.config.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=os.environ.copy())
    try:
        _wait_until_up(base, server)
        for page in scene.pages:
            cookie = f"{settings.SESSION_COOKIE_NAME}={cookies[page.who]}"
            # wrk counts a redirect to the login page as a success: check the session first.
            request = urllib.request.Request(base + page.url, headers={"Cookie": cookie})
            with urllib.request.urlopen(request, timeout=30) as response:
                if response.url != base + page.url or response.status != 200:
                    raise RuntimeError(f"{page.url}: not served to the logged-in {page.who}")
            run = subprocess.run(
                [
                    "wrk",
                    "-t2",
                    f"-c{connections}",
                    f"-d{seconds}s",
                    "--latency",
                    "-H",
                    f"Cookie: {cookie}",
                    base + page.url,
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            page.wrk = _wrk_parse(run.stdout)
            print(f"  wrk {page.name}: {page.wrk}")
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
    return (
        f"gunicorn with {workers} sync workers on 127.0.0.1; wrk -t2 -c{connections} "
        f"-d{seconds}s from the same machine (they share the CPUs)."
    )


# ---- The report ----------------------------------------------------------------------------


def machine() -> dict[str, str]:
    import django
    from django.conf import settings
    from django.db import connection

    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "?"
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
        cursor.execute("SHOW shared_buffers")
        buffers = cursor.fetchone()[0]
        cursor.execute("SHOW work_mem")
        work_mem = cursor.fetchone()[0]
    return {
        "CPUs": f"{os.cpu_count()} x {cpu}",
        "Memory": memory,
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "Django": django.get_version(),
        "PostgreSQL": f"{postgres} (shared_buffers {buffers}, work_mem {work_mem})",
        "Database size": size,
        "Cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
        "Load average (1, 5, 15 min) at the end": ", ".join(f"{x:.1f}" for x in os.getloadavg()),
    }


def data_summary() -> dict[str, str]:
    from django.db.models import Count

    from chamado.accounts.models import Account, User
    from chamado.tickets.models import Message, Ticket

    statuses = dict(
        Ticket.objects.values_list("status").annotate(count=Count("pk")).order_by("status")
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, string_agg(indexname, ', ' ORDER BY indexname) FROM pg_indexes "
            "WHERE tablename IN ('tickets_ticket', 'tickets_message') GROUP BY tablename"
        )
        indexes = dict(cursor.fetchall())
        cursor.execute(
            "SELECT pg_size_pretty(pg_total_relation_size('tickets_ticket')), "
            "pg_size_pretty(pg_total_relation_size('tickets_message'))"
        )
        ticket_size, message_size = cursor.fetchone()
    return {
        "Tickets": f"{Ticket.objects.count():,} ({ticket_size} with indexes)",
        "Messages": f"{Message.objects.count():,} ({message_size} with indexes)",
        "Accounts": f"{Account.objects.count():,}",
        "Users": f"{User.objects.count():,}",
        "Statuses": ", ".join(f"{key} {value:,}" for key, value in statuses.items()),
        "Ticket indexes": indexes.get("tickets_ticket", ""),
        "Message indexes": indexes.get("tickets_message", ""),
    }


def table(pages: list[Page], *, markdown: bool) -> str:
    header = ["page", "queries", "median ms", "p95 ms", "SQL ms", "slowest SQL ms", "indexes used"]
    has_wrk = any(page.wrk for page in pages)
    if has_wrk:
        header[6:6] = ["wrk req/s", "wrk p50 ms", "wrk p99 ms"]
    rows = []
    for page in pages:
        row = [
            page.name,
            str(page.queries),
            f"{page.median_ms:.1f}",
            f"{page.p95_ms:.1f}",
            f"{page.sql_ms:.1f}",
            f"{page.slowest_ms:.1f}",
        ]
        if has_wrk:
            row += [
                f"{page.wrk.get('rps', 0):.0f}",
                f"{page.wrk.get('p50_ms', 0):.1f}",
                f"{page.wrk.get('p99_ms', 0):.1f}",
            ]
        uses = ", ".join(index.split(" (")[0] for index in page.indexes) or "—"
        # Small tables (departments, memberships) are scanned whole by design; flag the big.
        big = [s.split(" (")[0] for s in page.seq_scans if s.startswith(BIG_TABLES)]
        if big:
            uses += "; SEQ SCAN: " + ", ".join(big)
        row.append(uses)
        rows.append(row)
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    widths[-1] = min(widths[-1], 60)
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    out += ["  ".join(c[:60].ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(out)


def report_write(
    path: Path,
    *,
    tickets: int,
    scene: Scene,
    seeded_seconds: float | None,
    wrk_note: str,
    args: argparse.Namespace,
) -> None:
    lines = [
        f"# Benchmark: {tickets:,} tickets, {date.today().isoformat()}",
        "",
        "Produced by `bench/run.py`; nothing here is asserted by the tests.",
        "",
        "## Machine",
        "",
        *(f"- **{key}**: {value}" for key, value in machine().items()),
        "",
        "## Data",
        "",
        *(f"- **{key}**: {value}" for key, value in data_summary().items()),
    ]
    if seeded_seconds is not None:
        lines.append(f"- **Seeded in**: {seeded_seconds:.0f} s (`bench/seed.py`)")
    elif note := seed_note_read():
        lines.append(f"- **Seeding** (an earlier run): {note} (`bench/seed.py`)")
    lines += [*(f"- {note}" for note in scene.notes), ""]
    lines += [
        "## Pages",
        "",
        f"In-process (Django test client, no network): {args.warmup} warm-up requests, then "
        f'{args.requests} timed; queries counted on one request, "SQL ms" is the sum of '
        'their times on that request; "slowest SQL" is the EXPLAIN ANALYZE time (planning + '
        "execution) of the slowest ticket/message query of the request.",
    ]
    if wrk_note:
        lines.append(f"wrk columns: {wrk_note}")
    lines += ["", table(scene.pages, markdown=True), "", "## Plans of the slowest queries", ""]
    for page in scene.pages:
        if not page.explain or not page.slowest_plan:
            continue
        lines += [
            f"### {page.name} — `{page.url}`",
            "",
            f"Indexes: {', '.join(page.indexes) or 'none'}."
            + (f" Sequential scans: {', '.join(page.seq_scans)}." if page.seq_scans else ""),
            "",
            "```sql",
            page.slowest_sql,
            "```",
            "",
            "```",
            page.slowest_plan,
            "```",
            "",
        ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


def main() -> None:
    args = arguments()
    database_ensure(args.database_url, reset=args.reset)
    redis_url = redis_url_choose(args.redis_url)
    django_start(args.database_url, redis_url)
    from django.test import Client

    seeded_seconds = seed_if_empty(args.tickets)
    print("VACUUM ANALYZE…")
    vacuum_analyze()
    scene = scene_build()
    scene.pages = [page for page in scene.pages if args.pages in page.name]
    browsers = {}
    for who, user in (("client", scene.client), ("agent", scene.agent)):
        browsers[who] = Client()
        browsers[who].force_login(user)
    for page in scene.pages:
        measure(page, browsers[page.who], warmup=args.warmup, runs=args.requests)
        print(f"  {page.name}: {page.queries} queries, median {page.median_ms:.1f} ms")
    wrk_note = ""
    if not args.no_wrk and shutil.which("wrk"):
        wrk_note = wrk_measure(
            scene, seconds=args.wrk_seconds, workers=os.cpu_count() or 2, connections=8
        )
    elif not args.no_wrk:
        print("wrk is not installed (apt-get install wrk): in-process numbers only.")
    print()
    print(table(scene.pages, markdown=False))
    output = args.output or RESULTS / f"{date.today().isoformat()}-{args.tickets}.md"
    report_write(
        output,
        tickets=args.tickets,
        scene=scene,
        seeded_seconds=seeded_seconds,
        wrk_note=wrk_note,
        args=args,
    )
    print(f"\nReport: {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}")


if __name__ == "__main__":
    main()
