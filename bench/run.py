"""Chamado's benchmark: seed a PostgreSQL database, then measure every main page beside a
trivial view, through gunicorn, with a load generator on loopback.

    .venv/bin/python bench/run.py [--tickets N] [--database-url URL] [--reset] [--smoke]

Uses (and creates when missing) the database `chamado_bench`, migrates it, seeds it with
`bench/seed.py` when it has no tickets, turns the policy's rate limits off, runs VACUUM ANALYZE,
then serves Chamado with gunicorn (`bench.settings`: the product's settings, plus the trivial
view `/bench/trivial/` and a header counting each request's queries) and for each page measures:
throughput at saturation (wrk for GETs when installed, else and for POSTs a Python generator),
p50/p95/p99 at a fixed rate (50 req/s), queries per request, the RSS of the gunicorn workers,
and the plan (EXPLAIN ANALYZE) of its slowest ticket query. Each page's throughput is printed
as a share of the trivial view's. Writes bench/results/YYYY-MM-DD-<tickets>.md. Nothing here is
a test: timings are reported, never asserted.

`--smoke` (`make bench-smoke`): re-creates `chamado_bench_smoke`, seeds 10,000 tickets and
requests every page once through the same harness; exits non-zero if one fails.
"""

import argparse
import contextlib
import http.client
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/chamado_bench"
SMOKE_URL = "postgres://postgres@127.0.0.1:5432/chamado_bench_smoke"
DEFAULT_REDIS = "redis://127.0.0.1:6379/15"
BIG_TABLES = ("tickets_ticket", "tickets_message")
TRIVIAL = "trivial view (HttpResponse)"
# The targets: the least share of the trivial view's throughput, by page kind.
TARGETS = {"client-read": 25, "desk-read": 15, "write": 10, "search": 5, "other": 0}


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=None, help="tickets to seed (100000)")
    parser.add_argument("--database-url", default=None, help=f"default {DEFAULT_URL}")
    parser.add_argument(
        "--reset",
        action="store_true",
        help="drop and re-create the database first (only one whose name contains 'bench')",
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="10,000 tickets in a re-created chamado_bench_smoke, every page once; exit 1 if "
        "a page fails",
    )
    parser.add_argument(
        "--redis-url",
        default=None,
        help=f"cache (default $REDIS_URL, else {DEFAULT_REDIS} when it answers, else the file "
        "cache)",
    )
    parser.add_argument(
        "--keep-writes",
        action="store_true",
        help="POST into the seeded database itself (by default a copy made for the run, "
        "dropped at the end, takes the writes)",
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (4)")
    parser.add_argument(
        "--server",
        choices=["gunicorn", "granian"],
        default="gunicorn",
        help="the WSGI server (gunicorn, as `chamado serve`; granian to compare)",
    )
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections (8)")
    parser.add_argument("--seconds", type=int, default=10, help="saturation run per page (10)")
    parser.add_argument("--rate", type=float, default=50, help="the fixed rate, req/s (50)")
    parser.add_argument("--paced-seconds", type=int, default=6, help="paced run per page (6)")
    parser.add_argument("--no-wrk", action="store_true", help="GETs with the Python generator")
    parser.add_argument("--no-explain", action="store_true", help="skip the EXPLAIN plans")
    parser.add_argument(
        "--pages", default="", help="only the pages whose name contains this text (a trial run)"
    )
    parser.add_argument("--output", type=Path, default=None, help="report path")
    args = parser.parse_args(argv)
    if args.smoke:
        args.tickets = args.tickets or 10_000
        args.database_url = args.database_url or SMOKE_URL
        args.reset = True
        args.workers = min(args.workers, 2)
    args.tickets = args.tickets or 100_000
    args.database_url = args.database_url or DEFAULT_URL
    return args


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


def run_copy_create(url: str) -> str:
    """A copy of the seeded database for this run (``<name>_run``, from it as a template): the
    POSTs write there, so every run measures the same data, and the copy is dropped at the
    end. Django's connections are closed first (a template must have no other session)."""
    import psycopg
    from django.db import connections
    from psycopg import sql

    connections.close_all()
    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    copy = f"{name}_run"
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    started = time.monotonic()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(copy))
        )
        connection.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(copy), sql.Identifier(name)
            )
        )
    print(f"Copied {name} to {copy} for this run's writes in {time.monotonic() - started:.0f} s")
    django_database_use(copy)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{copy}"))


def run_copy_drop(url: str, copy_url: str) -> None:
    """Drop this run's copy; Django reads the seeded database again (the report's data)."""
    import psycopg
    from psycopg import sql

    django_database_use(urllib.parse.urlsplit(url).path.lstrip("/"))
    parts = urllib.parse.urlsplit(copy_url)
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(parts.path.lstrip("/"))
            )
        )


def django_database_use(name: str) -> None:
    from django.db import connections

    connections.close_all()
    connections["default"].settings_dict["NAME"] = name


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


def django_start(url: str, redis_url: str, settings: str = "chamado.config.settings") -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["REDIS_URL"] = redis_url
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("CHAMADO_VAR", str(ROOT / "var" / "bench"))
    os.environ["DJANGO_SETTINGS_MODULE"] = settings
    if str(ROOT) not in sys.path:  # run as `python bench/run.py`: make `bench` importable
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
        seeded = re.search(r"seeded (\d+) tickets", seed_note_read())
        size = int(seeded.group(1)) if seeded else existing
        if size != tickets:
            sys.exit(
                f"The database was seeded with {size:,} tickets, not {tickets:,}: pass --reset "
                f"to re-seed, or --tickets {size}."
            )
        print(f"Using the {existing:,} tickets already there ({size:,} seeded).")
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


def limits_off() -> None:
    """The policy's rate limits would refuse a benchmark's writes after a few: off, in this
    database only (as bench/load.py does)."""
    from chamado.tickets.models import Policy

    policy = Policy.objects.filter(pk=1).first() or Policy(pk=1)
    policy.tickets_per_hour = 0
    policy.uploads_per_hour = 0
    policy.api_requests_per_minute = 0
    policy.flood_max_messages = 1_000_000
    policy.save()


# ---- The pages -----------------------------------------------------------------------------


@dataclass
class Page:
    name: str
    path: str
    who: str  # "client", "agent", "api" (the client's token) or "anyone"
    kind: str  # a key of TARGETS
    method: str = "GET"
    # For a POST: builds (path, body, content type) for each request; None for a GET.
    body: Callable[[], tuple[str, bytes, str]] | None = None
    expect: tuple[int, ...] = (200,)
    explain: bool = False
    queries: int | None = None
    rps: float = 0.0
    generator: str = ""
    errors: int = 0
    paced: dict[str, float] = field(default_factory=dict)
    rss_mib: float = 0.0
    slowest_sql: str = ""
    slowest_ms: float = 0.0
    slowest_plan: str = ""
    indexes: list[str] = field(default_factory=list)
    seq_scans: list[str] = field(default_factory=list)
    failure: str = ""


@dataclass
class Scene:
    """The people, tickets and pages of a run."""

    client: Any
    agent: Any
    pages: list[Page]
    notes: list[str]
    headers: dict[str, dict[str, str]] = field(default_factory=dict)  # who -> headers


# ---- HTTP ----------------------------------------------------------------------------------


class Http:
    """One request per connection (gunicorn's sync workers close each one), from any thread."""

    def __init__(self, port: int) -> None:
        self.port = port

    def request(
        self, method: str, path: str, headers: dict[str, str], body: bytes | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            found = {k.lower(): v for k, v in response.getheaders()}
            if cookies := response.headers.get_all("Set-Cookie"):
                found["set-cookie"] = "\n".join(cookies)
            return response.status, found, data
        finally:
            connection.close()


def _forms(page: bytes) -> list[dict[str, Any]]:
    from bench.forms import forms_of

    return forms_of(page.decode("utf-8", "replace"))


def _form_with(page: bytes, test: Callable[[dict[str, Any]], bool], where: str) -> dict[str, Any]:
    form = next((f for f in _forms(page) if test(f)), None)
    if form is None:
        raise RuntimeError(f"no form found on {where}")
    return form


def deep_page_path(http: Http, path: str, page: int, headers: dict[str, str]) -> str:
    """The desk queue pages by keyset cursor (Next/Previous, no page numbers): the URL of
    page ``page`` is reached by following Next, as an agent would."""
    next_link = re.compile(rb'<a href="([^"]*)" rel="next">')
    for _ in range(page - 1):
        status, _found, body = http.request("GET", path, headers)
        found = next_link.search(body) if status == 200 else None
        if found is None:
            break
        path = "/desk/" + found.group(1).decode().replace("&amp;", "&")
    return path


TYPICAL_MESSAGES = (5, 8)


def scene_build(http: Http, *, cookies: dict[str, str], api_key: str) -> Scene:
    from django.db.models import Count

    from bench.forms import multipart, png_bytes
    from bench.seed_data import BENCH_AGENT_EMAIL
    from chamado.accounts.models import User
    from chamado.kb.models import Article
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
    client = User.objects.get(
        memberships__account_id=biggest["account_id"], memberships__is_owner=True
    )
    client_tickets = Ticket.objects.filter(account_id=biggest["account_id"])
    # The oldest: seeded ones, not those earlier runs' POSTs opened (one message each).
    waiting_ids = list(
        client_tickets.filter(status__in=workflow.WAITING)
        .order_by("pk")
        .values_list("pk", flat=True)[:200]
    )
    candidates = (
        Ticket.objects.filter(pk__in=waiting_ids) if waiting_ids else client_tickets
    ).annotate(message_count=Count("messages"))
    # A conversation of typical length (the seed gives 1-14 public messages), the same ticket
    # run after run: the replies the POSTs add go to another one (``reply_to``), which grows.
    waiting = (
        candidates.filter(message_count__range=TYPICAL_MESSAGES).order_by("pk").first()
        or candidates.order_by("message_count", "pk").first()
    )
    assert waiting is not None
    other = client_tickets.exclude(pk=waiting.pk).exclude(status=Ticket.Status.CLOSED).first()
    reply_to = other or waiting
    # A random ticket the desk opens: waiting, with a typical conversation.
    desk_ticket = (
        Ticket.objects.filter(status__in=workflow.WAITING).exclude(account_id=client.account_id)
    ).order_by("pk")[len(waiting_ids) // 2 :].first() or waiting
    desk_reply_to = (
        Ticket.objects.filter(status__in=workflow.WAITING)
        .exclude(pk__in=[desk_ticket.pk, waiting.pk, reply_to.pk])
        .order_by("-pk")
        .first()
    ) or desk_ticket
    support = Department.objects.get(slug="support")
    pages_of_closed = Ticket.objects.filter(status=Ticket.Status.CLOSED).count() // 50
    deep_page = max(min(pages_of_closed, 200), 1)
    deep_path = deep_page_path(
        http, "/desk/?status=closed", deep_page, {"Cookie": cookies["agent"]}
    )
    article = (
        Article.objects.filter(status="published", visibility="public")
        .select_related("category")
        .order_by("pk")
        .first()
    )
    assert article is not None, "the seed makes a knowledge base"

    headers = {
        "client": {"Cookie": cookies["client"]},
        "agent": {"Cookie": cookies["agent"]},
        "api": {"Authorization": f"Bearer {api_key}"},
        "anyone": {},
    }
    rng = random.Random(0)
    png = png_bytes(rng)

    # The forms are read once; each post gets a fresh one-time submission key, as a new page.
    def form_fields(who: str, path: str, test: Callable[[dict[str, Any]], bool]) -> tuple:
        status, _found, page = http.request("GET", path, headers[who])
        if status != 200:
            raise RuntimeError(f"{path}: {status} {_found.get('location', '')} for the {who}")
        form = _form_with(page, test, path)
        return form, dict(form["fields"])

    open_path = "/tickets/open/support/"
    open_form, open_fields = form_fields("client", open_path, lambda f: f["id"] == "ticket-form")
    services = [v for v in open_form["options"].get("service", []) if v]
    if services:
        open_fields["service"] = services[0]
    open_fields["subject"] = "Site slow after the update"
    open_fields["message"] = (
        "Since this morning every page takes several seconds to load; the screenshot shows "
        "the error in the browser console."
    )
    reply_path = f"/tickets/{reply_to.number}/"
    _f, reply_fields = form_fields(
        "client", reply_path, lambda f: f["method"] == "post" and "message" in f["fields"]
    )
    reply_fields["message"] = "Still happening here, the checkout page times out too."
    desk_path = f"/desk/tickets/{desk_reply_to.number}/"
    desk_form, desk_fields = form_fields(
        "agent", desk_path, lambda f: f["action"].endswith("/reply/")
    )
    desk_fields["message"] = "We restarted the PHP workers; please try again now."
    api_service = services[0] if services else None

    def keyed(fields: dict[str, str]) -> dict[str, str]:
        return (
            {**fields, "submission_key": uuid.uuid4().hex} if "submission_key" in fields else fields
        )

    def open_plain() -> tuple[str, bytes, str]:
        body, kind = multipart(keyed(open_fields), [])
        return open_path, body, kind

    def open_png() -> tuple[str, bytes, str]:
        body, kind = multipart(keyed(open_fields), [("attachments", "screenshot.png", png)])
        return open_path, body, kind

    def client_reply() -> tuple[str, bytes, str]:
        body = urllib.parse.urlencode(keyed(reply_fields)).encode()
        return reply_path, body, "application/x-www-form-urlencoded"

    def desk_reply() -> tuple[str, bytes, str]:
        body = urllib.parse.urlencode(keyed(desk_fields)).encode()
        return desk_form["action"], body, "application/x-www-form-urlencoded"

    def api_create() -> tuple[str, bytes, str]:
        payload = {
            "department": "support",
            "service": int(api_service) if api_service else None,
            "subject": "API: mailbox full",
            "message": "The mailbox for the sales team is full again since this morning.",
        }
        return "/api/v1/tickets", json.dumps(payload).encode(), "application/json"

    pages = [
        Page(TRIVIAL, "/bench/trivial/", "client", "other"),
        Page("client: ticket list", "/tickets/", "client", "client-read"),
        Page("client: ticket list, active", "/tickets/?status=active", "client", "client-read"),
        Page(
            "client: ticket page",
            f"/tickets/{waiting.number}/",
            "client",
            "client-read",
            explain=True,
        ),
        Page(
            "client: open ticket (POST)", open_path, "client", "write", "POST", open_plain, (302,)
        ),
        Page(
            "client: open ticket + PNG (POST)",
            open_path,
            "client",
            "write",
            "POST",
            open_png,
            (302,),
        ),
        Page("client: reply (POST)", reply_path, "client", "write", "POST", client_reply, (302,)),
        Page("desk: queue (default)", "/desk/", "agent", "desk-read", explain=True),
        Page(
            "desk: queue, Support + High",
            f"/desk/?department={support.pk}&priority=3",
            "agent",
            "desk-read",
            explain=True,
        ),
        Page(
            "desk: queue, near/past SLA",
            "/desk/?breach=near_or_breached",
            "agent",
            "desk-read",
            explain=True,
        ),
        Page(
            "desk: queue, nobody assigned",
            "/desk/?assignee=nobody",
            "agent",
            "desk-read",
            explain=True,
        ),
        Page(
            f"desk: queue, closed, page {deep_page}",
            deep_path,
            "agent",
            "desk-read",
            explain=True,
        ),
        Page(
            "desk: ticket page",
            f"/desk/tickets/{desk_ticket.number}/",
            "agent",
            "desk-read",
            explain=True,
        ),
        Page(
            "desk: reply (POST)", desk_form["action"], "agent", "write", "POST", desk_reply, (302,)
        ),
        Page(
            "desk: search, common word",
            "/desk/search/?q=certificado",
            "agent",
            "search",
            explain=True,
        ),
        Page(
            "desk: search, two words",
            "/desk/search/?q=mysql+connections",
            "agent",
            "search",
            explain=True,
        ),
        Page(
            "desk: search, client email",
            "/desk/search/?" + urllib.parse.urlencode({"q": client.email}),
            "agent",
            "search",
            explain=True,
        ),
        Page(
            "desk: search, number",
            f"/desk/search/?q={waiting.number}",
            "agent",
            "search",
            explain=True,
        ),
        Page("desk: dashboard", "/desk/dashboard/", "agent", "search", explain=True),
        Page("kb: article", f"/kb/{article.category.slug}/{article.slug}/", "client", "search"),
        Page("kb: search", "/kb/search/?q=backup", "client", "search"),
        Page("api: ticket list", "/api/v1/tickets", "api", "client-read"),
        Page(
            "api: open ticket (POST)", "/api/v1/tickets", "api", "write", "POST", api_create, (201,)
        ),
    ]
    notes = [
        f"Client: the owner of the largest account ({client_tickets.count():,} tickets).",
        f"Client ticket page: #{waiting.number}, {waiting.status}, "
        f"{Message.objects.filter(ticket=waiting).count()} messages; client replies go to "
        f"#{reply_to.number}.",
        f"Desk ticket page: #{desk_ticket.number}, {desk_ticket.status}, "
        f"{Message.objects.filter(ticket=desk_ticket).count()} messages; desk replies go to "
        f"#{desk_reply_to.number}.",
        "Agent: a (non-administrator) agent of all three departments, so visibility goes "
        "through the department membership join.",
        "Writes: each POST carries a fresh one-time submission key (a new form); the policy's "
        "rate limits are off in the bench database. The open-ticket attachment is a 160x90 PNG.",
        "API: the client's token (Authorization: Bearer).",
    ]
    return Scene(client=client, agent=agent, pages=pages, notes=notes, headers=headers)


def two_factor_pass(browser: Any, user: Any) -> None:
    """An agent's session after they confirmed their second factor, as every signed-in agent's
    is (when the product has the second-factor rule: the sign-in work brings it)."""
    try:
        from chamado.accounts import two_factor
    except ImportError:
        return
    session = browser.session
    session[two_factor.SESSION_KEY] = str(user.pk)
    session.save()


# ---- In-process: the plans -----------------------------------------------------------------


def explain_page(page: Page, browser: Any) -> None:
    """EXPLAIN ANALYZE every ticket or message query of one request; keep the slowest."""
    from django.db import OperationalError, connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        browser.get(page.path)
    statements = [query["sql"] for query in captured.captured_queries]
    slowest: tuple[float, str, dict[str, Any]] | None = None
    with connection.cursor() as cursor:
        # A million tickets make some searches take minutes: a plan is not worth waiting for.
        cursor.execute("SET statement_timeout = '60s'")
        for statement in statements:
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            if "tickets_ticket" not in statement and "tickets_message" not in statement:
                continue
            try:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement)
            except OperationalError:  # cancelled by the timeout
                page.slowest_ms, page.slowest_sql = 60_000.0, statement
                page.slowest_plan = "(EXPLAIN ANALYZE cancelled after 60 s)"
                cursor.execute("SET statement_timeout = 0")
                return
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
        cursor.execute("SET statement_timeout = 0")


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


# ---- gunicorn and the load generators ------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(base: str, process: subprocess.Popen[bytes]) -> None:
    """For bench/load.py: until ``base``/login/ answers (60 s at most)."""
    import urllib.error
    import urllib.request

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


def server_command(server: str, port: int, workers: int, log: Path) -> list[str]:
    """gunicorn's sync workers (what `chamado serve` runs), or granian's WSGI workers (one
    blocking thread each, as a sync worker; keep-alive connections, served from Rust)."""
    if server == "granian":
        return [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "wsgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--blocking-threads",
            "1",
            "--log-level",
            "warning",
            "--no-ws",
            "chamado.config.wsgi:application",
        ]
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "chamado.config.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--no-control-socket",
        "--log-level",
        "warning",
        "--error-logfile",
        str(log),
    ]


def server_start(
    port: int, workers: int, log: Path, server_kind: str = "gunicorn"
) -> subprocess.Popen[bytes]:
    command = server_command(server_kind, port, workers, log)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    output = log.open("ab") if server_kind == "granian" else None
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)
    http = Http(port)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited; see {log}")
        try:
            if http.request("GET", "/bench/trivial/", {})[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer within 60 s")


def server_stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()


def worker_rss_mib(master: int) -> list[float]:
    """The resident memory of each gunicorn worker (the master's children)."""
    sizes = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(master) and "VmRSS" in fields:
            sizes.append(int(fields["VmRSS"].split()[0]) / 1024)
    return sorted(sizes)


def _one(http: Http, page: Page, headers: dict[str, str]) -> tuple[int, dict[str, str]]:
    if page.body is None:
        status, found, _data = http.request("GET", page.path, headers)
        return status, found
    path, body, kind = page.body()
    status, found, _data = http.request(
        "POST", path, {**headers, "Content-Type": kind, "Content-Length": str(len(body))}, body
    )
    return status, found


def closed_loop(
    http: Http, page: Page, headers: dict[str, str], *, seconds: float, connections: int
) -> tuple[float, int]:
    """Requests back to back from ``connections`` threads: (requests/s, errors)."""
    done = [0]
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def loop() -> None:
        while time.monotonic() < stop:
            try:
                status, _found = _one(http, page, headers)
                ok = status in page.expect
            except OSError:
                ok = False
            with lock:
                done[0] += 1
                errors[0] += 0 if ok else 1

    started = time.monotonic()
    threads = [threading.Thread(target=loop) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done[0] / (time.monotonic() - started), errors[0]


def paced(
    http: Http, page: Page, headers: dict[str, str], *, rate: float, seconds: float
) -> dict[str, float]:
    """An open loop at ``rate`` requests/s: latency from each request's scheduled moment, so
    a server falling behind shows up in the tail."""
    total = max(int(rate * seconds), 1)
    start = time.monotonic() + 0.2
    slots = iter(range(total))
    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]

    # A page slower than the rate would take total/rps seconds: stop sending a little after
    # the planned end (the requests sent already show the queue; the rest count as dropped).
    deadline = start + seconds + 5

    def loop() -> None:
        while time.monotonic() < deadline:
            with lock:
                slot = next(slots, None)
            if slot is None:
                return
            due = start + slot / rate
            time.sleep(max(0.0, due - time.monotonic()))
            try:
                status, _found = _one(http, page, headers)
                ok = status in page.expect
            except OSError:
                ok = False
            took = (time.monotonic() - due) * 1000
            with lock:
                latencies.append(took)
                errors[0] += 0 if ok else 1

    threads = [threading.Thread(target=loop) for _ in range(32)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    if not latencies:
        latencies.append(float("nan"))

    def at(share: float) -> float:
        return latencies[min(int(share * len(latencies)), len(latencies) - 1)]

    return {
        "p50": at(0.50),
        "p95": at(0.95),
        "p99": at(0.99),
        "errors": errors[0],
        "dropped": total - len(latencies),
    }


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


def wrk_run(
    port: int, page: Page, headers: dict[str, str], *, seconds: int, connections: int
) -> tuple[float, int]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    run = subprocess.run(
        [*command, f"http://127.0.0.1:{port}{page.path}"],
        capture_output=True,
        text=True,
        check=False,
    )
    result = _wrk_parse(run.stdout)
    errors = int(result.get("errors", 0))
    if found := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", run.stdout
    ):
        errors += sum(int(n) for n in found.groups()) - int(found.group(2))  # reads: closes
    return float(result.get("rps", 0.0)), errors


def drained(http: Http, limit: float = 120) -> None:
    """Until the trivial view answers quickly again: requests a load generator gave up on may
    still be queued in gunicorn, and would slow the next page."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        begun = time.monotonic()
        with contextlib.suppress(OSError):
            http.request("GET", "/bench/trivial/", {})
        if time.monotonic() - begun < 0.05:
            return
        time.sleep(1)


def page_check(http: Http, page: Page, headers: dict[str, str]) -> bool:
    """One request: the status expected (a redirect to the login page is a failure), and
    the query count of the request."""
    try:
        status, found = _one(http, page, headers)
    except OSError as error:
        page.failure = f"no answer ({error})"
        return False
    location = found.get("location", "")
    if status not in page.expect or "/accounts/" in location or "login" in location:
        page.failure = f"answered {status} {location}".strip()
        return False
    page.queries = int(found.get("x-bench-queries", "0"))
    return True


def measure_all(
    scene: Scene,
    http: Http,
    server: subprocess.Popen[bytes],
    args: argparse.Namespace,
    use_wrk: bool,
) -> None:
    for page in scene.pages:
        headers = scene.headers[page.who]
        if not page_check(http, page, headers):
            print(f"  {page.name}: FAILED, {page.failure}")
            continue
        if args.smoke:
            print(f"  {page.name}: ok, {page.queries} queries")
            continue
        warm_until = time.monotonic() + 5
        for _ in range(5):  # warm-up: five requests, or five seconds of a slow page
            _one(http, page, headers)
            if time.monotonic() > warm_until:
                break
        if page.method == "GET" and use_wrk:
            page.generator = "wrk"
            page.rps, page.errors = wrk_run(
                http.port, page, headers, seconds=args.seconds, connections=args.connections
            )
        else:
            page.generator = "python"
            page.rps, page.errors = closed_loop(
                http, page, headers, seconds=args.seconds, connections=args.connections
            )
        page.rss_mib = max(worker_rss_mib(server.pid) or [0.0])
        time.sleep(1)  # let the backlog drain
        page.paced = paced(http, page, headers, rate=args.rate, seconds=args.paced_seconds)
        drained(http)
        print(
            f"  {page.name}: {page.rps:.1f} req/s ({page.generator}), {page.queries} queries, "
            f"p95 at {args.rate:g}/s {page.paced['p95']:.1f} ms, errors "
            f"{page.errors + int(page.paced['errors'])}, worker RSS {page.rss_mib:.0f} MiB"
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


def share(page: Page, trivial: float) -> float:
    return 100 * page.rps / trivial if trivial else 0.0


def table(pages: list[Page], *, markdown: bool, rate: float) -> str:
    trivial = next((p.rps for p in pages if p.name == TRIVIAL), 0.0)
    header = [
        "page",
        "queries",
        "req/s (saturation)",
        "share of trivial",
        "target",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "errors",
        "worker RSS MiB",
        "slowest SQL ms",
        "indexes used",
    ]
    header[5:8] = [f"{h} @{rate:g}/s" for h in header[5:8]]
    rows = []
    for page in pages:
        target = TARGETS[page.kind]
        if page.failure:
            rows.append([page.name, "—", "FAILED: " + page.failure] + [""] * (len(header) - 3))
            continue
        uses = ", ".join(index.split(" (")[0] for index in page.indexes) or "—"
        big = [s.split(" (")[0] for s in page.seq_scans if s.startswith(BIG_TABLES)]
        if big:
            uses += "; SEQ SCAN: " + ", ".join(big)
        mark = ""
        if target:
            mark = f"≥ {target} % " + ("met" if share(page, trivial) >= target else "missed")
        rows.append(
            [
                page.name + (" [py]" if page.generator == "python" else ""),
                str(page.queries),
                f"{page.rps:,.1f}",
                f"{share(page, trivial):.1f} %",
                mark,
                *(
                    f"{page.paced.get(q, 0):,.1f}" + ("*" if page.rps < rate else "")
                    for q in ("p50", "p95", "p99")
                ),
                str(page.errors + int(page.paced.get("errors", 0))),
                f"{page.rss_mib:.0f}",
                f"{page.slowest_ms:.1f}" if page.slowest_sql else "—",
                uses,
            ]
        )
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines)
    rows = [row[:10] for row in rows]
    header = header[:10]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    out += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(out)


def report_write(
    path: Path,
    *,
    args: argparse.Namespace,
    scene: Scene,
    seeded_seconds: float | None,
    server_note: str,
    load: list[str],
) -> None:
    lines = [
        f"# Benchmark: {args.tickets:,} tickets, {date.today().isoformat()}",
        "",
        "Produced by `bench/run.py`; nothing here is asserted by the tests.",
        "",
        "## Machine",
        "",
        *(f"- **{key}**: {value}" for key, value in machine().items()),
        f"- **Load average during the run** (1 min, sampled every 20 s): {', '.join(load)}",
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
        server_note,
        "",
        table(scene.pages, markdown=True, rate=args.rate),
        "",
        "## Plans of the slowest queries",
        "",
    ]
    for page in scene.pages:
        if not page.explain or not page.slowest_plan:
            continue
        lines += [
            f"### {page.name} — `{page.path}`",
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


def report_path(folder: Path, tickets: int) -> Path:
    """<date>-<tickets>.md, or -2, -3… after it: an earlier report of the day is history."""
    stem = f"{date.today().isoformat()}-{tickets}"
    path, n = folder / f"{stem}.md", 1
    while path.exists():
        n += 1
        path = folder / f"{stem}-{n}.md"
    return path


def main(argv: list[str] | None = None) -> None:
    args = arguments(argv)
    started = time.monotonic()
    # A kill (or Ctrl-C) still stops gunicorn, in the `finally` below.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    database_ensure(args.database_url, reset=args.reset)
    redis_url = redis_url_choose(args.redis_url)
    django_start(args.database_url, redis_url, "bench.settings")
    from django.conf import settings
    from django.db.models import Count
    from django.test import Client

    from chamado.accounts.actions import api_token_create

    seeded_seconds = seed_if_empty(args.tickets)
    limits_off()
    print("VACUUM ANALYZE…")
    vacuum_analyze()
    # The writes go to a copy (dropped at the end), so a run never changes the seeded data.
    copy_url = "" if args.keep_writes else run_copy_create(args.database_url)
    if copy_url:
        os.environ["DATABASE_URL"] = copy_url  # gunicorn's
    from bench.seed_data import BENCH_AGENT_EMAIL
    from chamado.accounts.models import User
    from chamado.tickets.models import Ticket

    browsers: dict[str, Any] = {}
    cookies: dict[str, str] = {}
    agent = User.objects.get(email=BENCH_AGENT_EMAIL)
    biggest = (
        Ticket.objects.values("account_id")
        .annotate(count=Count("pk"))
        .order_by("-count", "account_id")
        .first()
    )
    assert biggest is not None
    client = User.objects.get(
        memberships__account_id=biggest["account_id"], memberships__is_owner=True
    )
    for who, user in (("client", client), ("agent", agent)):
        browsers[who] = Client()
        browsers[who].force_login(user)
        two_factor_pass(browsers[who], user)
        session = browsers[who].cookies[settings.SESSION_COOKIE_NAME].value
        cookies[who] = f"{settings.SESSION_COOKIE_NAME}={session}"
    _token, api_key = api_token_create(actor=client, user=client, name="bench")
    port = _free_port()
    log = Path(os.environ["CHAMADO_VAR"]) / "bench-gunicorn.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    server = server_start(port, args.workers, log, args.server)
    http = Http(port)
    load: list[str] = []
    try:
        # The csrftoken cookie: from a form page, added to the session cookie.
        for who, path in (("client", "/tickets/open/support/"), ("agent", "/desk/")):
            _s, found, _b = http.request("GET", path, {"Cookie": cookies[who]})
            if token := re.search(r"csrftoken=([^;]+)", found.get("set-cookie", "")):
                cookies[who] += f"; csrftoken={token.group(1)}"
        scene = scene_build(http, cookies=cookies, api_key=api_key)
        scene.pages = [page for page in scene.pages if args.pages in page.name]
        # Reads first: each open-ticket POST adds a waiting ticket to the desk's queue.
        scene.pages.sort(key=lambda page: page.method != "GET")
        if not args.no_explain and not args.smoke:
            for page in scene.pages:
                if page.explain:
                    explain_page(page, browsers[page.who])
        use_wrk = not args.no_wrk and bool(shutil.which("wrk"))
        if not use_wrk and not args.no_wrk and not args.smoke:
            print("wrk is not installed (apt-get install wrk): the Python generator for GETs.")
        sampler_stop = threading.Event()

        def sample_load() -> None:
            while not sampler_stop.wait(20):
                load.append(f"{os.getloadavg()[0]:.1f}")

        sampler = threading.Thread(target=sample_load, daemon=True)
        sampler.start()
        measure_all(scene, http, server, args, use_wrk)
        sampler_stop.set()
        rss = worker_rss_mib(server.pid)
    finally:
        server_stop(server)
        if copy_url:
            run_copy_drop(args.database_url, copy_url)
    failed = [page for page in scene.pages if page.failure]
    if args.smoke:
        print(
            f"\nSmoke: {len(scene.pages) - len(failed)} of {len(scene.pages)} pages answered "
            f"as expected in {time.monotonic() - started:.0f} s."
        )
        if failed:
            sys.exit(f"bench-smoke: {', '.join(p.name for p in failed)} failed (see {log})")
        return
    server_kind = (
        f"gunicorn {args.workers} sync workers"
        if args.server == "gunicorn"
        else f"granian {args.workers} WSGI workers (one blocking thread each, keep-alive)"
    )
    server_note = (
        f"{server_kind} (`bench.settings`: the product's settings, the "
        f"trivial view and a query-counting middleware), on 127.0.0.1; saturation: "
        f"{args.connections} connections for {args.seconds} s (wrk -t2 for GETs; a Python "
        f"thread generator, marked [py], for POSTs), the load generator on the same 2 CPUs. "
        f"Latency: an open loop at {args.rate:g} req/s for {args.paced_seconds} s, measured "
        f"from each request's scheduled moment (*: the page serves fewer than "
        f"{args.rate:g} req/s, so its queue grows for the whole paced run, stopped 5 s "
        f"after its planned end; the requests not sent then are not counted). Queries: "
        f"counted by the server on one request. Worker RSS: the largest worker after the "
        f"page's saturation run; at the end: {', '.join(f'{r:.0f}' for r in rss)} MiB."
    )
    print()
    print(table(scene.pages, markdown=False, rate=args.rate))
    output = args.output or report_path(RESULTS, args.tickets)
    report_write(
        output,
        args=args,
        scene=scene,
        seeded_seconds=seeded_seconds,
        server_note=server_note,
        load=load,
    )
    print(f"\nReport: {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}")
    if failed:
        sys.exit(f"{', '.join(p.name for p in failed)} failed (see {log})")


if __name__ == "__main__":
    main()
