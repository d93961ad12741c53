"""Full-text index for the desk's search: a GIN index on PostgreSQL, nothing on SQLite.

Migration 0010 replaces it by an accent-insensitive one; the definition is written out here
so this migration keeps doing what it did. Built concurrently (no lock on the live table), so
the migration is not atomic."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations


def search_index():
    return GinIndex(SearchVector("search_document", config="simple"), name="ticket_search_gin")


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(
            apps.get_model("tickets", "Ticket"), search_index(), concurrently=True
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(
            apps.get_model("tickets", "Ticket"), search_index(), concurrently=True
        )


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("tickets", "0003_desk_sla_search_merge")]
    operations = [migrations.RunPython(create, drop)]
