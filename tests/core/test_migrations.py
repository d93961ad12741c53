"""Migrations safe on a big live table (chamado.core.migration_ops, docs/DEPLOY.md upgrades).

On PostgreSQL, a database of the test's own is migrated from zero in another process while
every statement is captured; any statement of a Chamado migration that would hold a long lock
on a table that migration did not create fails the test, naming the migration. New migrations
are covered as they are added. On both databases the rewritten migrations go back and forth.
"""

import io
import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import NotSupportedError, connection, models, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunPython
from django.db.migrations.state import ProjectState

from chamado.core.migration_ops import (
    AddCheckConstraint,
    AddIndexConcurrently,
    AddUniqueConstraintConcurrently,
    RemoveIndexConcurrently,
    field_index_name,
)

ROOT = Path(__file__).resolve().parent.parent.parent
POSTGRESQL = connection.vendor == "postgresql"
needs_postgresql = pytest.mark.skipif(
    not POSTGRESQL, reason="CONCURRENTLY and NOT VALID are PostgreSQL's (DATABASE_URL=postgres://…)"
)

# Tables where a statement that reads every row under a lock is fine, and why.
SMALL_TABLES = {"tickets_policy": "one row (Policy.current)"}
# (migration, statement fragment) allowed anyway, and why. Empty: keep it so.
ALLOWED: dict[tuple[str, str], str] = {}
# Migrations written before the rule that the old code must keep working while they run
# (docs/DEPLOY.md, "Upgrades"): an installation upgrading across them stops the old processes
# first. A NOT NULL column added without db_default loses its default at once, so the old code's
# inserts fail; a dropped column is still read by the old code.
BEFORE_THE_OLD_CODE_RULE = {
    "accounts.0006_user_account_removed",
    "accounts.0007_api_token_scope",
    "accounts.0008_notification_choices",
    "tickets.0003_desk_sla_search_merge",
    "tickets.0008_submission_key_single_line",
    "tickets.0011_policy_limits",
    "tickets.0012_numbers_of_any_length",
    "tickets.0014_message_events",
    "mail.0002_delivery_context",
    "mail.0003_delivery_claim_and_notices",
}
# The rewritten migrations, undone and done again by the round trip (earliest first per app).
ROUND_TRIP = [("mail", "0001"), ("kb", "0001"), ("tickets", "0002"), ("accounts", "0003")]

CREATED = re.compile(r'CREATE TABLE "(\w+)"')
INDEX = re.compile(r'^CREATE (UNIQUE )?INDEX (CONCURRENTLY )?"?\w+"? ON "(\w+)"')
ALTER = re.compile(r'^ALTER TABLE "(\w+)" (.*)$', re.DOTALL)


def _chamado_apps() -> set[str]:
    return {c.label for c in apps.get_app_configs() if c.name.startswith("chamado.")}


def lock_problems(statements: list[dict[str, str]], atomic_with_code: set[str]) -> list[str]:
    """Each statement of a Chamado migration that would lock a table it did not create for
    longer than a moment, as "migration: why: SQL"."""
    chamado = _chamado_apps()
    created: dict[str, set[str]] = {}
    for line in statements:
        created.setdefault(line["migration"], set()).update(CREATED.findall(line["sql"]))
    problems = []
    altered: set[str] = set()
    split = [
        (line["migration"], sql.strip())
        for line in statements
        for sql in line["sql"].split("; ")  # Django joins a few: "ALTER ...; SET CONSTRAINTS ..."
    ]
    for migration, sql in split:
        if migration.split(".")[0] not in chamado:
            continue
        new_tables = created.get(migration, set())
        why = ""
        if index := INDEX.match(sql):
            if index.group(3) not in new_tables and not index.group(2):
                why = "an index built without CONCURRENTLY blocks every write to the table"
        elif (alter := ALTER.match(sql)) and alter.group(1) not in new_tables:
            table, change = alter.group(1), alter.group(2)
            altered.add(migration)
            why = _alter_problem(table, change)
        if why and not any(m == migration and f in sql for m, f in ALLOWED):
            problems.append(f"{migration}: {why}: {sql[:300]}")
    for migration in sorted(altered & atomic_with_code):
        problems.append(
            f"{migration}: atomic, it changes a table and runs code: the table's lock is held "
            "while the code runs (atomic = False, as tickets 0014)"
        )
    return problems


def old_code_problems(statements: list[dict[str, str]]) -> list[str]:
    """Each statement of a Chamado migration that breaks the release before it while it still
    serves: a new NOT NULL column whose database default is dropped at once (Django does so
    unless the field has ``db_default``), a column or table of an older migration dropped."""
    chamado = _chamado_apps()
    created: dict[str, set[str]] = {}
    for line in statements:
        created.setdefault(line["migration"], set()).update(CREATED.findall(line["sql"]))
    problems = []
    for line in statements:
        migration = line["migration"]
        if migration.split(".")[0] not in chamado or migration in BEFORE_THE_OLD_CODE_RULE:
            continue
        for sql in line["sql"].split("; "):
            why = ""
            if sql.startswith("DROP TABLE "):
                why = "the old code still reads this table (drop it a release later)"
            elif (alter := ALTER.match(sql)) and alter.group(1) not in created[migration]:
                if re.match(r"ALTER COLUMN \S+ DROP DEFAULT", alter.group(2)):
                    why = "the old code's inserts fail without this default (db_default=...)"
                elif alter.group(2).startswith("DROP COLUMN"):
                    why = "the old code still reads this column (drop it a release later)"
            if why:
                problems.append(f"{migration}: {why}: {sql[:300]}")
    return problems


def _alter_problem(table: str, change: str) -> str:
    small = table in SMALL_TABLES
    if re.search(r"ADD CONSTRAINT \S+ (FOREIGN KEY|CHECK)", change) and "NOT VALID" not in change:
        return "a constraint validated when added reads every row under the lock (NOT VALID)"
    if (
        re.search(r"ADD CONSTRAINT \S+ (UNIQUE|PRIMARY KEY)", change)
        and "USING INDEX" not in change
    ):
        return "a unique constraint builds its index under the lock (USING INDEX)"
    if column := re.match(r'ADD COLUMN "\w+" (.*)', change, re.DOTALL):
        definition = column.group(1).split(" CONSTRAINT ")[0]
        if " REFERENCES " in change and ("NOT NULL" in definition or "DEFAULT" in definition):
            return "a new foreign key column with values is checked row by row under the lock"
        if " CHECK " in definition and not small:
            return "a new column's check reads every row under the lock"
        if re.search(r"DEFAULT .*\(\)", definition):
            return "a volatile default rewrites the table"
    if re.search(r"ALTER COLUMN \S+ SET NOT NULL", change) and not small:
        return "SET NOT NULL reads every row under the lock"
    if re.search(r"ALTER COLUMN \S+ TYPE ", change) and not small:
        return "a column's new type may rewrite the table (list it in ALLOWED if it does not)"
    return ""


def _atomic_with_code() -> set[str]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return {
        f"{app}.{name}"
        for (app, name), migration in loader.disk_migrations.items()
        if migration.atomic and any(isinstance(op, RunPython) for op in migration.operations)
    }


def _migrate(url: str, *args: str, capture: bool = False) -> str:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "chamado.config.settings",
        "DATABASE_URL": url,
    }
    command = ["-m", "tests.core.migration_sql"] if capture else ["-m", "chamado.cli", "migrate"]
    done = subprocess.run(
        [sys.executable, *command, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.fixture
def private_postgresql(django_db_blocker: Any) -> Iterator[str]:
    """The URL of an empty database of this test's own, next to the test database."""
    name = f"chamado_migrations_{uuid.uuid4().hex[:12]}"
    with django_db_blocker.unblock():
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        try:
            parts = urlsplit(os.environ["DATABASE_URL"])
            yield urlunsplit(parts._replace(path=f"/{name}"))
        finally:
            with connection._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _postgresql_schema(url: str) -> list[str]:
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema()"
            " UNION ALL SELECT conrelid::regclass || ' ' || pg_get_constraintdef(oid)"
            " || CASE WHEN convalidated THEN '' ELSE ' (not valid)' END"
            " FROM pg_constraint WHERE connamespace = current_schema()::regnamespace"
            " UNION ALL SELECT table_name || '.' || column_name || ' ' || data_type"
            " || ' ' || is_nullable || ' ' || coalesce(column_default, '')"
            " FROM information_schema.columns WHERE table_schema = current_schema()"
        ).fetchall()
        invalid = conn.execute("SELECT count(*) FROM pg_index WHERE NOT indisvalid").fetchone()
    assert invalid == (0,)
    return sorted(row[0] for row in rows)


@needs_postgresql
def test_no_long_lock_on_a_table_that_exists(private_postgresql: str) -> None:
    output = _migrate(private_postgresql, capture=True)
    statements = [json.loads(line) for line in output.splitlines()]
    applied = {line["migration"] for line in statements}
    assert "tickets.0008_submission_key_single_line" in applied
    assert lock_problems(statements, _atomic_with_code()) == []
    assert old_code_problems(statements) == []

    # What the rewritten migrations run instead (the captured SQL itself).
    sql = [line["sql"] for line in statements]
    assert any(s.startswith('CREATE UNIQUE INDEX CONCURRENTLY "message_sent_once"') for s in sql)
    assert any(
        s.endswith('CHECK (("number" >= 1000 AND "number" <= 999999999)) NOT VALID') for s in sql
    )
    assert (
        'ALTER TABLE "tickets_ticket" VALIDATE CONSTRAINT "ticket_number_four_to_nine_digits"'
        in sql
    )
    assert any(
        s.startswith('CREATE INDEX CONCURRENTLY "tickets_ticket_merged_into_id_3a36ad40"')
        for s in sql
    )

    # Back past every rewritten migration and forward again: the same schema, every index valid.
    before = _postgresql_schema(private_postgresql)
    for app, name in ROUND_TRIP:
        _migrate(private_postgresql, app, name, "--no-input", "-v0")
    assert _postgresql_schema(private_postgresql) != before
    _migrate(private_postgresql, "--no-input", "-v0")
    assert _postgresql_schema(private_postgresql) == before


def test_the_rules_catch_what_locks() -> None:
    """The checker itself: each kind of statement it exists for is named."""
    lines = [
        {"migration": "tickets.0099_x", "sql": 'CREATE TABLE "tickets_new" ("id" bigint)'},
        {"migration": "tickets.0099_x", "sql": 'CREATE INDEX "fine" ON "tickets_new" ("id")'},
        {"migration": "tickets.0099_x", "sql": 'CREATE INDEX "bad" ON "tickets_ticket" ("x")'},
        {
            "migration": "tickets.0099_x",
            "sql": 'CREATE UNIQUE INDEX "u" ON "tickets_message" ("x")',
        },
        {
            "migration": "tickets.0099_x",
            "sql": 'CREATE INDEX CONCURRENTLY "ok" ON "tickets_ticket" ("x")',
        },
        {
            "migration": "tickets.0099_x",
            "sql": 'ALTER TABLE "tickets_ticket" ADD CONSTRAINT "c" CHECK ("x" > 0)',
        },
        {
            "migration": "tickets.0099_x",
            "sql": 'ALTER TABLE "tickets_ticket" ADD CONSTRAINT "c2" CHECK ("x" > 0) NOT VALID',
        },
        {
            "migration": "tickets.0099_x",
            "sql": 'ALTER TABLE "tickets_ticket" ADD CONSTRAINT "f" '
            'FOREIGN KEY ("x") REFERENCES "accounts_user" ("id") DEFERRABLE INITIALLY DEFERRED',
        },
        {
            "migration": "tickets.0099_x",
            "sql": 'ALTER TABLE "tickets_ticket" ADD COLUMN "y" bigint'
            ' DEFAULT 1 NOT NULL CONSTRAINT "f2" REFERENCES "accounts_user"("id")',
        },
        {
            "migration": "tickets.0099_x",
            "sql": 'ALTER TABLE "tickets_ticket" ADD COLUMN "z" bigint'
            ' NULL CONSTRAINT "f3" REFERENCES "accounts_user"("id")',
        },
        {
            "migration": "tickets.0099_x",
            "sql": 'ALTER TABLE "tickets_ticket" ALTER COLUMN "subject" SET NOT NULL',
        },
        {
            "migration": "tickets.0099_x",
            "sql": 'ALTER TABLE "tickets_policy" ADD COLUMN "n" integer DEFAULT 1 NOT NULL'
            ' CHECK ("n" >= 0)',
        },
        {"migration": "auth.0099_x", "sql": 'CREATE INDEX "theirs" ON "auth_group" ("name")'},
    ]
    problems = lock_problems(lines, {"tickets.0099_x"})
    flagged = [line["sql"] for line in lines if any(p.endswith(line["sql"]) for p in problems)]
    assert flagged == [lines[i]["sql"] for i in (2, 3, 5, 7, 8, 10)]
    assert len(problems) == 7
    assert problems[-1].startswith("tickets.0099_x: atomic, it changes a table and runs code")


def test_the_old_code_rule_names_what_breaks_it() -> None:
    lines = [
        {"migration": "tickets.0099_x", "sql": 'CREATE TABLE "tickets_new" ("id" bigint)'},
        {
            "migration": "tickets.0099_x",
            "sql": 'ALTER TABLE "tickets_new" ALTER COLUMN "a" DROP DEFAULT',
        },
        {
            "migration": "tickets.0099_x",
            "sql": 'ALTER TABLE "tickets_message" ADD COLUMN "b" varchar(4) DEFAULT \'\' NOT NULL',
        },
        {
            "migration": "tickets.0099_x",
            "sql": 'ALTER TABLE "tickets_message" ALTER COLUMN "b" DROP DEFAULT',
        },
        {
            "migration": "tickets.0099_x",
            "sql": 'ALTER TABLE "tickets_ticket" DROP COLUMN "c" CASCADE',
        },
        {"migration": "tickets.0099_x", "sql": 'DROP TABLE "tickets_cannedreply" CASCADE'},
        {
            "migration": "tickets.0014_message_events",
            "sql": 'ALTER TABLE "tickets_message" ALTER COLUMN "event_code" DROP DEFAULT',
        },
    ]
    problems = old_code_problems(lines)
    assert [p.rsplit(": ", 1)[-1] for p in problems] == [lines[i]["sql"] for i in (3, 4, 5)]


def _sqlite_schema(path: Path) -> list[str]:
    import sqlite3

    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL").fetchall()
    return sorted(row[0] for row in rows)


def test_the_rewritten_migrations_go_back_and_forth_on_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "migrations.sqlite3"
    url = f"sqlite:///{path}"
    _migrate(url, "--no-input", "-v0")
    before = _sqlite_schema(path)
    assert any('"accounts_user_membership_id_09d10a25"' in s for s in before)
    assert any('"message_sent_once"' in s for s in before)
    for app, name in ROUND_TRIP:
        _migrate(url, app, name, "--no-input", "-v0")
    assert not any('"message_sent_once"' in s for s in _sqlite_schema(path))
    _migrate(url, "--no-input", "-v0")
    assert _sqlite_schema(path) == before


def test_field_index_name_is_the_one_django_gives() -> None:
    editor = connection.SchemaEditorClass(connection)
    for table, column in [("tickets_ticket", "merged_into_id"), ("accounts_user", "membership_id")]:
        assert field_index_name(table, column) == editor._create_index_name(table, [column])
    with pytest.raises(ValueError, match="63"):
        field_index_name("t" * 40, "c" * 20)


# The operations on a live table of the test database (Department: small, every test has it).


def _constraints() -> dict[str, dict[str, Any]]:
    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, "tickets_department")


class Steps:
    """Operations applied one after the other to the live database, outside any transaction
    (the state carried along, as a migration does), and undone in reverse."""

    def __init__(self) -> None:
        self.states = [ProjectState.from_apps(apps)]
        self.done: list[Any] = []

    def forwards(self, operation: Any) -> list[str]:
        before = self.states[-1]
        after = before.clone()
        operation.state_forwards("tickets", after)
        statements: list[str] = []

        def capture(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            statements.append(str(sql))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(capture), connection.schema_editor(atomic=False) as ed:
            operation.database_forwards("tickets", ed, before, after)
        self.states.append(after)
        self.done.append(operation)
        return statements

    def backwards(self) -> None:
        operation = self.done.pop()
        after = self.states.pop()
        with connection.schema_editor(atomic=False) as editor:
            operation.database_backwards("tickets", editor, after, self.states[-1])


@pytest.mark.django_db(transaction=True)
def test_each_operation_forwards_and_backwards() -> None:
    index = AddIndexConcurrently("department", models.Index(fields=["position"], name="h7_index"))
    partial = AddUniqueConstraintConcurrently(
        "department",
        models.UniqueConstraint(
            fields=["name"], condition=models.Q(position__gte=0), name="h7_partial_once"
        ),
    )
    plain = AddUniqueConstraintConcurrently(
        "department", models.UniqueConstraint(fields=["name", "position"], name="h7_plain_once")
    )
    check = AddCheckConstraint(
        "department",
        models.CheckConstraint(condition=models.Q(position__lt=10**6), name="h7_check"),
    )
    names = {"h7_index", "h7_partial_once", "h7_plain_once", "h7_check"}
    steps = Steps()
    try:
        sql = {op: steps.forwards(op) for op in (index, partial, plain, check)}
        constraints = _constraints()
        assert constraints["h7_index"]["index"]
        assert constraints["h7_partial_once"]["unique"]
        assert constraints["h7_plain_once"]["unique"]
        assert constraints["h7_check"]["check"]
        if POSTGRESQL:
            assert any(s.startswith("CREATE INDEX CONCURRENTLY") for s in sql[index])
            assert any(s.startswith("CREATE UNIQUE INDEX CONCURRENTLY") for s in sql[partial])
            assert any(s.startswith("CREATE UNIQUE INDEX CONCURRENTLY") for s in sql[plain])
            assert any(s.endswith('UNIQUE USING INDEX "h7_plain_once"') for s in sql[plain])
            assert sql[check][0].endswith("NOT VALID")
            assert "VALIDATE CONSTRAINT" in sql[check][1]
        # RemoveIndexConcurrently drops the index; backwards, builds it again.
        steps.forwards(RemoveIndexConcurrently("department", "h7_index"))
        assert "h7_index" not in _constraints()
        steps.backwards()
        assert "h7_index" in _constraints()
    finally:
        while steps.done:
            steps.backwards()
    assert not names & set(_constraints())


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_operations_refuse_a_transaction() -> None:
    operation = AddIndexConcurrently("department", models.Index(fields=["slug"], name="h7_never"))
    with pytest.raises(NotSupportedError, match="atomic = False"), transaction.atomic():
        Steps().forwards(operation)
    assert "h7_never" not in _constraints()


@pytest.mark.django_db
def test_the_models_and_the_migrations_agree() -> None:
    """The rewritten migrations leave the state the models describe: nothing to make."""
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
