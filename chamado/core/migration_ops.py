"""Migration operations that never hold a long lock on a big live table.

On PostgreSQL a plain ``CREATE INDEX`` blocks every write to its table until the index is built,
and ``ALTER TABLE ... ADD CONSTRAINT ... CHECK`` reads the whole table under a lock that blocks
reads too. Migrations run while the previous release keeps serving (docs/DEPLOY.md, upgrades),
so on a table that already exists an index is built ``CONCURRENTLY`` and a check constraint is
added ``NOT VALID`` and validated by a second statement, which lets reads and writes go on.
Elsewhere (SQLite, one machine) each operation is the plain Django one.

A migration using these operations sets ``atomic = False``: ``CONCURRENTLY`` cannot run inside a
transaction, and the validation must not run in the transaction that took the constraint's
lock. A table created by the same migration is empty and needs none of this.

The migration state is the plain operation's (``AddIndex``, ``AddConstraint``): a migration
rewritten with these keeps ``makemigrations --check`` quiet. For a field whose own index
(``db_index``, a ``ForeignKey``) must be built concurrently, ``SeparateDatabaseAndState``: the
state adds the field as it is, the database adds it with ``db_index=False`` and then
``AddIndexConcurrently`` the index Django would have made, under Django's own name for it
(``field_index_name``), so the schema is the one a plain ``AddField`` leaves.

tests/core/test_migrations.py migrates a PostgreSQL database from zero and fails on any index
or constraint of a Chamado migration that would still lock a table the migration did not create.
"""

from typing import Any

from django.contrib.postgres import operations as postgres
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.backends.utils import names_digest
from django.db.migrations.state import ProjectState
from django.db.models.constraints import CheckConstraint, UniqueConstraint

__all__ = [
    "AddCheckConstraint",
    "AddIndexConcurrently",
    "AddUniqueConstraintConcurrently",
    "RemoveIndexConcurrently",
    "field_index_name",
]


def _postgresql(schema_editor: BaseDatabaseSchemaEditor) -> bool:
    return bool(schema_editor.connection.vendor == "postgresql")


def _invalid_index_drop(schema_editor: BaseDatabaseSchemaEditor, name: str) -> None:
    """Drop what a failed ``CREATE INDEX CONCURRENTLY`` of this name left: an invalid index
    (PostgreSQL keeps it, and the next try would fail on its name)."""
    quoted = schema_editor.quote_name(name)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_index WHERE indexrelid = to_regclass(%s) AND NOT indisvalid",
            [quoted],
        )
        invalid = cursor.fetchone() is not None
    if invalid:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {quoted}")


def field_index_name(table: str, column: str) -> str:
    """The name Django gives the index of a ``db_index=True`` or ``ForeignKey`` column
    (``BaseDatabaseSchemaEditor._create_index_name``, no suffix), when it fits PostgreSQL's 63
    characters; a longer one Django shortens differently on each database: name it yourself."""
    name = f"{table}_{column}_{names_digest(table, column, length=8)}"
    if len(name) > 63:
        raise ValueError(f"{name}: longer than 63 characters; give the index a name of its own")
    return name


class AddIndexConcurrently(postgres.AddIndexConcurrently):
    """``AddIndex``, as ``CREATE INDEX CONCURRENTLY`` on PostgreSQL (``atomic = False``). An
    invalid index left by a failed try (a lock timeout, a cancel) is dropped first."""

    def database_forwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        if _postgresql(schema_editor):
            _invalid_index_drop(schema_editor, self.index.name)
            super().database_forwards(app_label, schema_editor, from_state, to_state)
        else:
            migrations.AddIndex.database_forwards(
                self, app_label, schema_editor, from_state, to_state
            )

    def database_backwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        if _postgresql(schema_editor):
            super().database_backwards(app_label, schema_editor, from_state, to_state)
        else:
            migrations.AddIndex.database_backwards(
                self, app_label, schema_editor, from_state, to_state
            )


class RemoveIndexConcurrently(postgres.RemoveIndexConcurrently):
    """``RemoveIndex``, as ``DROP INDEX CONCURRENTLY`` on PostgreSQL (``atomic = False``): a
    plain ``DROP INDEX`` waits for every query on the table and blocks the ones behind it."""

    def database_forwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        if _postgresql(schema_editor):
            super().database_forwards(app_label, schema_editor, from_state, to_state)
        else:
            migrations.RemoveIndex.database_forwards(
                self, app_label, schema_editor, from_state, to_state
            )

    def database_backwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        if _postgresql(schema_editor):
            super().database_backwards(app_label, schema_editor, from_state, to_state)
        else:
            migrations.RemoveIndex.database_backwards(
                self, app_label, schema_editor, from_state, to_state
            )


class AddUniqueConstraintConcurrently(postgres.NotInTransactionMixin, migrations.AddConstraint):
    """``AddConstraint`` of a ``UniqueConstraint``; on PostgreSQL its index is built by
    ``CREATE UNIQUE INDEX CONCURRENTLY`` (``atomic = False``). A constraint with a condition,
    expressions, opclasses or included columns is that index (as Django makes it); a plain one
    then becomes a table constraint through ``ADD CONSTRAINT ... UNIQUE USING INDEX``, which
    reads nothing. If the build fails (a duplicate), PostgreSQL leaves an invalid index: the
    next try drops it first."""

    atomic = False

    def __init__(self, model_name: str, constraint: models.BaseConstraint) -> None:
        if not isinstance(constraint, UniqueConstraint):
            raise TypeError("AddUniqueConstraintConcurrently needs a UniqueConstraint.")
        super().__init__(model_name, constraint)

    def _index_only(self) -> bool:
        constraint: Any = self.constraint
        return bool(
            constraint.condition
            or constraint.include
            or constraint.opclasses
            or constraint.expressions
        )

    def database_forwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        if not _postgresql(schema_editor):
            super().database_forwards(app_label, schema_editor, from_state, to_state)
            return
        self._ensure_not_in_transaction(schema_editor)
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        constraint: Any = self.constraint
        editor: Any = schema_editor  # the private helpers below have no stubs
        quote = schema_editor.quote_name
        table, name = quote(model._meta.db_table), quote(constraint.name)
        _invalid_index_drop(schema_editor, constraint.name)
        if self._index_only():
            sql = str(constraint.create_sql(model, schema_editor))
            plain = "CREATE UNIQUE INDEX "
            if not sql.startswith(plain):
                raise ValueError(f"Unexpected SQL for {constraint.name}: {sql}")
            schema_editor.execute(
                "CREATE UNIQUE INDEX CONCURRENTLY " + sql.removeprefix(plain), params=None
            )
            return
        columns = ", ".join(
            quote(model._meta.get_field(field).column) for field in constraint.fields
        )
        nulls = editor._unique_index_nulls_distinct_sql(constraint.nulls_distinct)
        schema_editor.execute(
            f"CREATE UNIQUE INDEX CONCURRENTLY {name} ON {table} ({columns}){nulls}", params=None
        )
        deferrable = editor._deferrable_constraint_sql(constraint.deferrable)
        schema_editor.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT {name} UNIQUE USING INDEX {name}{deferrable}",
            params=None,
        )

    def database_backwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        if not _postgresql(schema_editor) or not self._index_only():
            # Dropping a table constraint is quick (its index goes with it).
            super().database_backwards(app_label, schema_editor, from_state, to_state)
            return
        self._ensure_not_in_transaction(schema_editor)
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            name = schema_editor.quote_name(self.constraint.name)
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")

    def describe(self) -> str:
        name, model = self.constraint.name, self.model_name
        return f"Concurrently create unique constraint {name} on model {model}"


class AddCheckConstraint(postgres.NotInTransactionMixin, migrations.AddConstraint):
    """``AddConstraint`` of a ``CheckConstraint``; on PostgreSQL added ``NOT VALID`` (a short
    lock, no row read), then ``VALIDATE CONSTRAINT`` in its own transaction, which reads every
    row under a lock that lets reads and writes go on (``atomic = False``)."""

    atomic = False

    def __init__(self, model_name: str, constraint: models.BaseConstraint) -> None:
        if not isinstance(constraint, CheckConstraint):
            raise TypeError("AddCheckConstraint needs a CheckConstraint.")
        super().__init__(model_name, constraint)

    def database_forwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        if not _postgresql(schema_editor):
            super().database_forwards(app_label, schema_editor, from_state, to_state)
            return
        self._ensure_not_in_transaction(schema_editor)
        add: Any = postgres.AddConstraintNotValid(self.model_name, self.constraint)
        add.database_forwards(app_label, schema_editor, from_state, to_state)
        validate = postgres.ValidateConstraint(self.model_name, self.constraint.name)
        validate.database_forwards(app_label, schema_editor, from_state, to_state)
