"""Accent-insensitive text-search configurations, on PostgreSQL only (SQLite folds in Python).

Each configuration copies a built-in one and runs ``unaccent`` before its dictionary, so
"paginas" finds "páginas": chamado_simple (tickets), chamado_english and chamado_portuguese
(knowledge-base articles). The definitions are written out here, not imported, so this
migration keeps doing what it did whatever the code becomes.
"""

from django.db import migrations

CONFIGS = {
    "chamado_simple": ("simple", "simple"),
    "chamado_english": ("english", "english_stem"),
    "chamado_portuguese": ("portuguese", "portuguese_stem"),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        for name, (source, dictionary) in CONFIGS.items():
            cursor.execute(
                "SELECT 1 FROM pg_ts_config WHERE cfgname = %s"
                " AND cfgnamespace = current_schema()::regnamespace",
                [name],
            )
            if cursor.fetchone():
                continue
            cursor.execute(f"CREATE TEXT SEARCH CONFIGURATION {name} (COPY = {source})")
            cursor.execute(
                f"ALTER TEXT SEARCH CONFIGURATION {name} "
                f"ALTER MAPPING FOR hword, hword_part, word WITH unaccent, {dictionary}"
            )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name in CONFIGS:
            cursor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
