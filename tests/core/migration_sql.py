"""Migrate the database of DATABASE_URL from zero and print every SQL statement, one JSON line
each: {"migration": "app.name", "sql": "..."}.

Run as its own process (`python -m tests.core.migration_sql`) by tests/core/test_migrations.py,
so that "default" is the private database the test created: the migrations' RunPython functions
use the default connection, never the pytest database.
"""

import json
import sys
from collections.abc import Callable
from typing import Any


def main() -> None:
    import django

    django.setup()
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    current = {"migration": ""}

    def progress(action: str, migration: Any = None, fake: bool = False) -> None:
        if action == "apply_start":
            current["migration"] = f"{migration.app_label}.{migration.name}"

    def capture(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        if current["migration"]:
            line = {"migration": current["migration"], "sql": str(sql)}
            sys.stdout.write(json.dumps(line) + "\n")
        return execute(sql, params, many, context)

    executor = MigrationExecutor(connection, progress)
    targets = executor.loader.graph.leaf_nodes()
    with connection.execute_wrapper(capture):
        executor.migrate(targets, plan=executor.migration_plan(targets))


if __name__ == "__main__":
    main()
